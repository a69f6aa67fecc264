/** The latency-power Pareto plot as SVG: one circle per point (colour = area), hover shows the figures, click selects. */
import type { FrontPoint } from '../../src/visualization/front.js';

const NS = 'http://www.w3.org/2000/svg';

export function renderPlot(host: HTMLElement, tip: HTMLElement, points: FrontPoint[], selected: number, onSelect: (i: number) => void): void {
  const W = 600,
    H = 360,
    L = 70,
    B = 40,
    T = 16,
    R = 16;
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const el = (tag: string, attrs: Record<string, string | number>, text?: string) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  const xs = points.map((p) => p.power_mW),
    ys = points.map((p) => p.latency_ms),
    as = points.map((p) => p.area_mm2);
  const span = (v: number[]) => {
    const lo = Math.min(...v),
      hi = Math.max(...v);
    const pad = hi > lo ? (hi - lo) * 0.1 : Math.max(Math.abs(hi) * 0.1, 1e-9);
    return [lo - pad, hi + pad] as const;
  };
  const [x0, x1] = points.length ? span(xs) : [0, 1];
  const [y0, y1] = points.length ? span(ys) : [0, 1];
  const [a0, a1] = points.length ? [Math.min(...as), Math.max(...as)] : [0, 1];
  const px = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const py = (y: number) => H - B - ((y - y0) / (y1 - y0)) * (H - B - T);
  el('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#000' });
  el('line', { x1: L, y1: T, x2: L, y2: H - B, stroke: '#000' });
  el('text', { x: (L + W) / 2, y: H - 6, 'text-anchor': 'middle', 'font-size': 12 }, 'power (mW)');
  el('text', { x: 14, y: (T + H - B) / 2, 'text-anchor': 'middle', 'font-size': 12, transform: `rotate(-90 14 ${(T + H - B) / 2})` }, 'latency (ms)');
  for (let k = 0; k <= 4; k++) {
    const x = x0 + ((x1 - x0) * k) / 4,
      y = y0 + ((y1 - y0) * k) / 4;
    el('text', { x: px(x), y: H - B + 14, 'text-anchor': 'middle', 'font-size': 10 }, x.toPrecision(3));
    el('text', { x: L - 4, y: py(y) + 3, 'text-anchor': 'end', 'font-size': 10 }, y.toPrecision(3));
  }
  if (points.length === 0) el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', fill: '#888' }, 'points appear here as budgets finish');
  points.forEach((p, i) => {
    const t = a1 > a0 ? (p.area_mm2 - a0) / (a1 - a0) : 0.5;
    const c = el('circle', {
      cx: px(p.power_mW),
      cy: py(p.latency_ms),
      r: 8,
      fill: `hsl(${240 - 240 * t} 70% 50%)`,
      class: i === selected ? 'pt sel' : 'pt',
      'data-testid': 'pareto-point',
      'data-latency-cycles': p.latency_cycles,
      'data-power-mw': p.power_mW,
      'data-budget-mw': p.budget.power_mW ?? 'none',
      'data-area-mm2': p.area_mm2,
      tabindex: 0,
    });
    const text = `budget ${p.budget.power_mW ?? 'none'} mW: ${p.latency_cycles.toLocaleString('en')} cycles (${p.latency_ms.toFixed(3)} ms), ${p.power_mW.toFixed(2)} mW, ${p.area_mm2.toFixed(3)} mm²`;
    c.addEventListener('mouseenter', (e) => {
      tip.hidden = false;
      tip.textContent = text;
      tip.style.left = `${(e as MouseEvent).clientX + 12}px`;
      tip.style.top = `${(e as MouseEvent).clientY + 12}px`;
    });
    c.addEventListener('mouseleave', () => (tip.hidden = true));
    c.addEventListener('click', () => onSelect(i));
    c.addEventListener('keydown', (e) => (e as KeyboardEvent).key === 'Enter' && onSelect(i));
  });
  el('text', { x: W - R, y: T + 10, 'text-anchor': 'end', 'font-size': 10 }, `colour: area ${a0.toFixed(2)} (blue) to ${a1.toFixed(2)} mm² (red)`);
  host.replaceChildren(svg);
}
