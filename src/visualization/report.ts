/**
 * A self-contained HTML report of a power-performance Pareto front (`front.json`): an SVG plot of latency against
 * power coloured by area, a table of every point, and the per-layer breakdown of a chosen point (click a marker or a
 * row to choose another). No external scripts, fonts, styles or images: a Content-Security-Policy in the page forbids
 * them, so the file can be mailed or archived as it is.
 */
import type { FrontJson, FrontLayer, FrontPoint } from './front.js';

export interface ReportOptions {
  title?: string;
  network?: string;
  template?: string;
  /** Index into `front.points` of the point whose layers are shown first (default 0). */
  chosen?: number;
}

/** A point with its place in the report: key `c:<i>` for `points[i]`, `w:<i>` for `weighted_sum.points[i]`. */
interface Entry {
  key: string;
  set: 'c' | 'w';
  index: number;
  label: string;
  p: FrontPoint;
}

// ---------------------------------------------------------------------------------------------------------------
// text and numbers

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for HTML content and attribute values. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ESC[c]!);
}

/** JSON for a `<script type="application/json">`: no `<`, `>`, `&` or line separators can end or confuse the tag. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const ok = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** `digits` significant digits, thousands separated, no exponent; "n/a" for a missing number. */
function num(x: unknown, digits = 4): string {
  if (!ok(x)) return 'n/a';
  if (x === 0) return '0';
  const mag = Math.floor(Math.log10(Math.abs(x)));
  return x.toLocaleString('en-US', { maximumSignificantDigits: Math.min(21, Math.max(digits, mag + 1)) });
}

const int = (x: unknown): string => (ok(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const withUnit = (x: unknown, unit: string, digits = 4): string => (ok(x) ? `${num(x, digits)} ${unit}` : 'n/a');
const mW = (x: unknown) => withUnit(x, 'mW');
const ms = (x: unknown) => withUnit(x, 'ms');
const mm2 = (x: unknown) => withUnit(x, 'mm²');
const uJ = (pJ: unknown) => (ok(pJ) ? withUnit(pJ / 1e6, 'µJ') : 'n/a');

function hwValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : num(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function budgetText(p: FrontPoint): string {
  const b = p.budget ?? { power_mW: null, area_mm2: null };
  const parts = [ok(b.power_mW) ? `power ≤ ${mW(b.power_mW)}` : '', ok(b.area_mm2) ? `area ≤ ${mm2(b.area_mm2)}` : ''];
  return parts.filter(Boolean).join(', ') || 'no budget';
}

const feasible = (p: FrontPoint): boolean => p.feasible !== false;

// ---------------------------------------------------------------------------------------------------------------
// the breakdown of one point (rendered here for the first point, and by the page's script from the same rows)

interface BreakdownView {
  key: string;
  title: string;
  summary: string;
  /** Cells of each layer row, already formatted; `share` is the layer's fraction of the summed cycles. */
  rows: { cells: string[]; share: number }[];
  total: string[] | null;
  empty: string | null;
}

const BREAKDOWN_HEAD = ['layer', 'repeat (×)', 'cycles (each)', 'share of cycles (%)', 'energy (µJ, all repeats)', 'utilization (%)'];
/** Index of the share-of-cycles column, drawn as a bar. */
const SHARE_COL = 3;

function breakdownView(e: Entry): BreakdownView {
  const p = e.p;
  const front = e.set === 'c' ? 'budgeted front' : 'weighted-sum front';
  const title = `${e.label} (${front}, ${budgetText(p)}${feasible(p) ? '' : ', infeasible'})`;
  const hw = Object.entries(p.hardware ?? {})
    .map(([k, v]) => `${k} ${hwValue(v)}`)
    .join(', ');
  const pb = p.power_breakdown_mW;
  const split = pb && ok(pb.dynamic) && ok(pb.leakage) ? ` (dynamic ${mW(pb.dynamic)} + leakage ${mW(pb.leakage)})` : '';
  const summary =
    `${mW(p.power_mW)}${split} · ${ms(p.latency_ms)} (${int(p.latency_cycles)} cycles) · ${uJ(p.energy_pJ)} · ${mm2(p.area_mm2)}` +
    (hw ? ` · ${hw}` : '');
  const layers: FrontLayer[] = Array.isArray(p.layers) ? p.layers : [];
  if (layers.length === 0) {
    return { key: e.key, title, summary, rows: [], total: null, empty: 'No per-layer breakdown was recorded for this point.' };
  }
  const rep = (l: FrontLayer) => (ok(l.repeat) ? l.repeat : 1);
  const totCycles = layers.reduce((s, l) => s + (ok(l.cycles) ? l.cycles * rep(l) : 0), 0);
  const totEnergy = layers.reduce((s, l) => s + (ok(l.energy_pJ) ? l.energy_pJ * rep(l) : 0), 0);
  const rows = layers.map((l) => {
    const share = ok(l.cycles) && totCycles > 0 ? (l.cycles * rep(l)) / totCycles : 0;
    return {
      cells: [
        String(l.name ?? ''),
        int(rep(l)),
        int(l.cycles),
        `${num(share * 100, 3)} %`,
        ok(l.energy_pJ) ? num((l.energy_pJ * rep(l)) / 1e6) : 'n/a',
        ok(l.utilization) ? `${num(l.utilization * 100, 3)} %` : 'n/a',
      ],
      share,
    };
  });
  const total = ['total (all repeats)', int(layers.reduce((s, l) => s + rep(l), 0)), int(totCycles), '100 %', num(totEnergy / 1e6), ''];
  return { key: e.key, title, summary, rows, total, empty: null };
}

function breakdownBody(v: BreakdownView): string {
  if (v.empty) return `<tr><td class="empty" colspan="${BREAKDOWN_HEAD.length}">${esc(v.empty)}</td></tr>`;
  return v.rows
    .map(
      (r) =>
        '<tr>' +
        r.cells
          .map((c, i) =>
            i === SHARE_COL
              ? `<td class="num share"><span class="bar" style="width:${(r.share * 100).toFixed(1)}%"></span><span class="v">${esc(c)}</span></td>`
              : `<td${i > 0 ? ' class="num"' : ''}>${esc(c)}</td>`,
          )
          .join('') +
        '</tr>',
    )
    .join('\n');
}

function breakdownFoot(v: BreakdownView): string {
  if (!v.total) return '';
  return '<tr>' + v.total.map((c, i) => `<td${i > 0 ? ' class="num"' : ''}>${esc(c)}</td>`).join('') + '</tr>';
}

// ---------------------------------------------------------------------------------------------------------------
// the plot

interface Scale {
  map(v: number): number;
  ticks: number[];
  log: boolean;
  label(v: number): string;
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** A scale over the given values onto [r0, r1]; logarithmic when they are positive and span more than 10x. */
function scale(values: number[], r0: number, r1: number): Scale {
  const vs = values.filter(ok);
  let min = vs.length ? Math.min(...vs) : 0;
  let max = vs.length ? Math.max(...vs) : 1;
  if (min > 0 && max / min > 10) {
    const pad = (Math.log10(max) - Math.log10(min)) * 0.06;
    const lo = Math.log10(min) - pad;
    const hi = Math.log10(max) + pad;
    const decades = hi - lo;
    const mults = decades > 4 ? [1] : [1, 2, 5];
    const ticks: number[] = [];
    for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
      for (const m of mults) {
        const v = Number((m * 10 ** e).toPrecision(2));
        if (Math.log10(v) >= lo && Math.log10(v) <= hi) ticks.push(v);
      }
    }
    return {
      log: true,
      ticks,
      map: (v) => r0 + ((Math.log10(v) - lo) / (hi - lo)) * (r1 - r0),
      label: (v) => v.toLocaleString('en-US', { maximumSignificantDigits: 2 }),
    };
  }
  if (max === min) {
    const pad = Math.abs(min) * 0.1 || 1;
    min -= pad;
    max += pad;
  } else {
    const pad = (max - min) * 0.06;
    min = min >= 0 && min - pad < 0 ? 0 : min - pad;
    max += pad;
  }
  const step = niceStep((max - min) / 5);
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const ticks: number[] = [];
  for (let k = Math.ceil(min / step); k * step <= max + step * 1e-9; k++) ticks.push(Number((k * step).toFixed(decimals)));
  const lo = min;
  const hi = max;
  return {
    log: false,
    ticks,
    map: (v) => r0 + ((v - lo) / (hi - lo)) * (r1 - r0),
    label: (v) => v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }),
  };
}

const VIRIDIS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];

function colourAt(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const rgb = (h: string) => [1, 3, 5].map((j) => parseInt(h.slice(j, j + 2), 16));
  const a = rgb(VIRIDIS[i]!);
  const b = rgb(VIRIDIS[i + 1]!);
  return (
    '#' +
    a
      .map((c, j) =>
        Math.round(c + (b[j]! - c) * f)
          .toString(16)
          .padStart(2, '0'),
      )
      .join('')
  );
}

/** Points not dominated in (power, latency), by increasing power: the staircase of a front. */
function nonDominated(es: Entry[]): Entry[] {
  const sorted = es
    .filter((e) => feasible(e.p) && ok(e.p.power_mW) && ok(e.p.latency_ms))
    .sort((a, b) => a.p.power_mW - b.p.power_mW || a.p.latency_ms - b.p.latency_ms);
  const out: Entry[] = [];
  for (const e of sorted) if (out.length === 0 || e.p.latency_ms < out[out.length - 1]!.p.latency_ms) out.push(e);
  return out;
}

const f1 = (x: number) => x.toFixed(1);

/** The datapath width of a point (`hardware.datawidth`, when datawidths were swept). */
const widthOf = (p: FrontPoint): number | undefined => (ok(p.hardware?.datawidth) ? (p.hardware.datawidth as number) : undefined);

/** The distinct datawidths of the points, ascending; empty unless there are at least two (one front each). */
function widthsOf(es: Entry[]): number[] {
  const ws = [...new Set(es.map((e) => widthOf(e.p)).filter(ok))].sort((a, b) => a - b);
  return ws.length > 1 ? ws : [];
}
/** Line styles of the per-width fronts. */
const WIDTH_DASH = ['', '7 3', '2 3', '9 3 2 3', '4 2'];

function plot(cons: Entry[], ws: Entry[], chosenKey: string): string {
  const W = 820;
  const H = 470;
  const M = { l: 78, r: 130, t: 56, b: 58 };
  const x0 = M.l;
  const x1 = W - M.r;
  const y0 = H - M.b;
  const y1 = M.t;
  const all = [...cons, ...ws].filter((e) => ok(e.p.power_mW) && ok(e.p.latency_ms));
  const budgets = [...new Set(cons.map((e) => e.p.budget?.power_mW).filter(ok))].sort((a, b) => a - b);
  const xs = scale([...all.map((e) => e.p.power_mW), ...budgets], x0, x1);
  const ys = scale(
    all.map((e) => e.p.latency_ms),
    y0,
    y1,
  );
  const areas = all.map((e) => e.p.area_mm2).filter(ok);
  const aMin = areas.length ? Math.min(...areas) : 0;
  const aMax = areas.length ? Math.max(...areas) : 1;
  const colour = (a: number) => (ok(a) ? colourAt(aMax > aMin ? (a - aMin) / (aMax - aMin) : 0.5) : '#999999');
  const out: string[] = [];
  out.push(
    `<svg id="pareto-plot" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="latency against power, coloured by area">`,
    `<defs><linearGradient id="area-gradient" x1="0" y1="1" x2="0" y2="0">${VIRIDIS.map(
      (c, i) => `<stop offset="${((i / (VIRIDIS.length - 1)) * 100).toFixed(0)}%" stop-color="${c}"/>`,
    ).join('')}</linearGradient>` + `<clipPath id="plot-clip"><rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}"/></clipPath></defs>`,
    `<rect id="plot-area" class="plot-area" x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}"/>`,
  );
  // grid and ticks
  for (const t of xs.ticks) {
    const x = f1(xs.map(t));
    out.push(`<line class="grid" x1="${x}" y1="${y1}" x2="${x}" y2="${y0}"/><line class="tick" x1="${x}" y1="${y0}" x2="${x}" y2="${y0 + 5}"/>`);
    out.push(`<text class="tick-label" x="${x}" y="${y0 + 18}" text-anchor="middle">${esc(xs.label(t))}</text>`);
  }
  for (const t of ys.ticks) {
    const y = f1(ys.map(t));
    out.push(`<line class="grid" x1="${x0}" y1="${y}" x2="${x1}" y2="${y}"/><line class="tick" x1="${x0 - 5}" y1="${y}" x2="${x0}" y2="${y}"/>`);
    out.push(`<text class="tick-label" x="${x0 - 8}" y="${y}" dy="0.32em" text-anchor="end">${esc(ys.label(t))}</text>`);
  }
  out.push(
    `<text class="axis-label" x="${(x0 + x1) / 2}" y="${H - 14}" text-anchor="middle">power (mW${xs.log ? ', log scale' : ''})</text>`,
    `<text class="axis-label" transform="translate(18 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">latency (ms${ys.log ? ', log scale' : ''})</text>`,
  );
  // power budgets
  let lastLabel = -Infinity;
  for (const b of budgets) {
    const x = xs.map(b);
    out.push(`<line class="budget-line" x1="${f1(x)}" y1="${y1}" x2="${f1(x)}" y2="${y0}"><title>power budget ${esc(mW(b))}</title></line>`);
    const text = num(b, 3);
    if (x - lastLabel >= 8 + 6.5 * text.length) {
      out.push(`<text class="budget-label" x="${f1(x)}" y="${y1 - 5}" text-anchor="middle">${esc(text)}</text>`);
      lastLabel = x;
    }
  }
  // fronts as staircases
  const stairs = (es: Entry[], cls: string) => {
    const nd = nonDominated(es);
    if (nd.length < 2) return;
    let d = `M${f1(xs.map(nd[0]!.p.power_mW))},${f1(ys.map(nd[0]!.p.latency_ms))}`;
    for (const e of nd.slice(1)) d += ` H${f1(xs.map(e.p.power_mW))} V${f1(ys.map(e.p.latency_ms))}`;
    out.push(`<path class="${cls}" d="${d}" clip-path="url(#plot-clip)"/>`);
  };
  // one front per datawidth (widths trade accuracy, which is not modelled: never one staircase across widths)
  const widths = widthsOf([...cons, ...ws]);
  const dash = (i: number) => WIDTH_DASH[i % WIDTH_DASH.length]!;
  if (widths.length === 0) {
    stairs(ws, 'ws-line');
    stairs(cons, 'front-line');
  } else {
    widths.forEach((w, i) => {
      const n = out.length;
      stairs(
        cons.filter((e) => widthOf(e.p) === w),
        'front-line',
      );
      if (out.length > n && dash(i)) out[out.length - 1] = out[out.length - 1]!.replace('<path ', `<path stroke-dasharray="${dash(i)}" `);
    });
  }
  // markers
  const tip = (e: Entry) =>
    `<title>${esc(`${e.label}: ${mW(e.p.power_mW)}, ${ms(e.p.latency_ms)}, ${mm2(e.p.area_mm2)}, ${uJ(e.p.energy_pJ)}${feasible(e.p) ? '' : ' (infeasible)'} (click for the layers)`)}</title>`;
  const attrs = (e: Entry) =>
    `data-key="${e.key}" data-index="${e.index}" tabindex="0" role="button" fill="${colour(e.p.area_mm2)}"` +
    (feasible(e.p) ? '' : ' data-infeasible="true"');
  const sel = (e: Entry) => (e.key === chosenKey ? ' selected' : '');
  const infeas = (e: Entry) => (feasible(e.p) ? '' : ' infeasible');
  for (const e of ws) {
    if (!ok(e.p.power_mW) || !ok(e.p.latency_ms)) continue;
    const x = xs.map(e.p.power_mW);
    const y = ys.map(e.p.latency_ms);
    const r = 7.5;
    out.push(
      `<path class="ws-point${infeas(e)}${sel(e)}" d="M${f1(x)},${f1(y - r)} L${f1(x + r)},${f1(y)} L${f1(x)},${f1(y + r)} L${f1(x - r)},${f1(y)} Z" ${attrs(e)}>${tip(e)}</path>`,
    );
  }
  for (const e of cons) {
    if (!ok(e.p.power_mW) || !ok(e.p.latency_ms)) continue;
    out.push(
      `<circle class="point${infeas(e)}${sel(e)}" cx="${f1(xs.map(e.p.power_mW))}" cy="${f1(ys.map(e.p.latency_ms))}" r="6.5" ${attrs(e)}>${tip(e)}</circle>`,
    );
  }
  // legend, above the plot area
  let lx = x0;
  const ly = 16;
  const legend = (sym: string, text: string, width: number) => {
    out.push(`<g class="legend-item">${sym}<text class="legend" x="${lx + 18}" y="${ly}" dy="0.32em">${esc(text)}</text></g>`);
    lx += width;
  };
  legend(`<circle class="legend-point" cx="${lx + 6}" cy="${ly}" r="5.5"/>`, 'budgeted front', 130);
  if (ws.length)
    legend(
      `<path class="legend-ws" d="M${lx + 6},${ly - 6.5} L${lx + 12.5},${ly} L${lx + 6},${ly + 6.5} L${lx - 0.5},${ly} Z"/>`,
      'weighted-sum front',
      160,
    );
  widths.forEach((w, i) =>
    legend(
      `<line class="front-line" x1="${lx}" y1="${ly}" x2="${lx + 14}" y2="${ly}"${dash(i) ? ` stroke-dasharray="${dash(i)}"` : ''}/>`,
      `${w}-bit front`,
      100,
    ),
  );
  if (budgets.length) legend(`<line class="budget-line" x1="${lx + 6}" y1="${ly - 8}" x2="${lx + 6}" y2="${ly + 8}"/>`, 'power budget (mW)', 150);
  // colour bar
  const cbx = x1 + 28;
  const cbw = 14;
  out.push(`<rect class="colour-bar" x="${cbx}" y="${y1}" width="${cbw}" height="${y0 - y1}" fill="url(#area-gradient)"/>`);
  const cb = aMax > aMin ? scale([aMin, aMax], y0, y1) : null;
  const cbTicks = cb ? cb.ticks : [aMin];
  for (const t of cbTicks) {
    const y = cb ? cb.map(t) : (y0 + y1) / 2;
    out.push(
      `<line class="tick" x1="${cbx + cbw}" y1="${f1(y)}" x2="${cbx + cbw + 4}" y2="${f1(y)}"/>` +
        `<text class="tick-label" x="${cbx + cbw + 7}" y="${f1(y)}" dy="0.32em">${esc(cb ? cb.label(t) : num(t, 3))}</text>`,
    );
  }
  out.push(`<text class="axis-label" transform="translate(${W - 12} ${(y0 + y1) / 2}) rotate(90)" text-anchor="middle">area (mm²)</text>`);
  out.push('</svg>');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// the page

function pointsTable(entries: Entry[], chosenKey: string): string {
  const hwKeys: string[] = [];
  for (const e of entries) for (const k of Object.keys(e.p.hardware ?? {})) if (!hwKeys.includes(k)) hwKeys.push(k);
  const head = [
    'point',
    'front',
    'power budget (mW)',
    'area budget (mm²)',
    'power (mW)',
    'dynamic (mW)',
    'leakage (mW)',
    'latency (ms)',
    'latency (cycles)',
    'energy (µJ)',
    'area (mm²)',
    ...hwKeys,
    'mappings',
  ];
  const rows = entries.map((e) => {
    const p = e.p;
    const cells = [
      e.label,
      (e.set === 'c' ? 'budgeted' : 'weighted sum') + (feasible(p) ? '' : ' (infeasible)'),
      ok(p.budget?.power_mW) ? num(p.budget.power_mW) : 'none',
      ok(p.budget?.area_mm2) ? num(p.budget.area_mm2) : 'none',
      num(p.power_mW),
      ok(p.power_breakdown_mW?.dynamic) ? num(p.power_breakdown_mW!.dynamic) : 'n/a',
      ok(p.power_breakdown_mW?.leakage) ? num(p.power_breakdown_mW!.leakage) : 'n/a',
      num(p.latency_ms),
      int(p.latency_cycles),
      ok(p.energy_pJ) ? num(p.energy_pJ / 1e6) : 'n/a',
      num(p.area_mm2),
      ...hwKeys.map((k) => hwValue((p.hardware ?? {})[k])),
      String(p.mappings_dir ?? ''),
    ];
    const cls = [e.key === chosenKey ? 'selected' : '', feasible(p) ? '' : 'infeasible'].filter(Boolean).join(' ');
    return (
      `<tr data-key="${e.key}" data-index="${e.index}" tabindex="0"${cls ? ` class="${cls}"` : ''}>` +
      cells.map((c, i) => `<td${i >= 2 && i < 11 ? ' class="num"' : ''}>${esc(c)}</td>`).join('') +
      '</tr>'
    );
  });
  return (
    `<table id="points-table"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>\n` +
    `<tbody>\n${rows.join('\n')}\n</tbody></table>`
  );
}

const CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5d6677; --line: #d9dde5; --sel: #e8590c; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 28px 40px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0 0 6px; }
.sub, .summary, .note { color: var(--muted); margin: 0 0 14px; }
.layout { display: grid; grid-template-columns: minmax(0, 1.2fr) minmax(500px, 1fr); gap: 24px; align-items: start; max-width: 1560px; }
@media (max-width: 1200px) { .layout { grid-template-columns: minmax(0, 1fr); } }
figure { margin: 0; }
#pareto-plot { display: block; width: 100%; max-width: 820px; height: auto; }
.plot-area { fill: #fbfcfe; stroke: #9aa3b2; }
.grid { stroke: #e6e9ef; }
.tick { stroke: #6b7385; }
.tick-label { font-size: 11px; fill: #4a5263; }
.axis-label { font-size: 13px; fill: var(--ink); }
.legend { font-size: 12px; fill: var(--ink); }
.legend-point { fill: #21918c; stroke: #1d2330; stroke-width: 1; }
.legend-ws { fill: #21918c; stroke: #1d2330; stroke-width: 1; }
.budget-line { stroke: #b8bfcc; stroke-width: 1; stroke-dasharray: 4 3; }
.budget-label { font-size: 10px; fill: #8a92a2; }
.front-line { fill: none; stroke: #1d2330; stroke-width: 1.6; }
.ws-line { fill: none; stroke: #7a8294; stroke-width: 1.3; stroke-dasharray: 5 4; }
.colour-bar { stroke: #9aa3b2; }
.point, .ws-point { stroke: #1d2330; stroke-width: 1; cursor: pointer; }
.point.infeasible, .ws-point.infeasible { fill-opacity: 0.35; stroke-dasharray: 2 2; }
.point:hover, .ws-point:hover, .point:focus, .ws-point:focus { stroke-width: 2.5; outline: none; }
.point.selected, .ws-point.selected { stroke: var(--sel); stroke-width: 3; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { background: #f3f5f8; font-weight: 600; vertical-align: bottom; }
#layer-breakdown th { white-space: normal; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; max-width: 100%; }
#points-table tbody tr { cursor: pointer; }
#points-table tbody tr:hover { background: #f5f7fb; }
#points-table tbody tr.selected { background: #fff1e6; box-shadow: inset 3px 0 0 var(--sel); }
#points-table tr.infeasible td { color: #8a92a2; }
#layer-breakdown { width: 100%; }
#layer-breakdown tfoot td { font-weight: 600; border-top: 2px solid var(--line); }
td.share { position: relative; min-width: 90px; }
td.share .bar { position: absolute; left: 0; top: 3px; bottom: 3px; background: #cfe3f6; }
td.share .v { position: relative; }
td.empty { color: var(--muted); font-style: italic; }
section { margin-top: 28px; }
`;

/** The page's script: choose a point by clicking (or Enter on) a marker or a table row, and redraw the breakdown. */
const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var views = {};
  data.views.forEach(function (v) { views[v.key] = v; });
  function td(text, cls) {
    var c = document.createElement('td');
    if (cls) c.className = cls;
    c.textContent = text;
    return c;
  }
  function choose(key) {
    var v = views[key];
    if (!v) return;
    document.getElementById('chosen-title').textContent = v.title;
    document.getElementById('chosen-summary').textContent = v.summary;
    var table = document.getElementById('layer-breakdown');
    var body = table.tBodies[0];
    var foot = table.tFoot;
    body.textContent = '';
    foot.textContent = '';
    if (v.empty) {
      var r = document.createElement('tr');
      var c = td(v.empty, 'empty');
      c.colSpan = data.columns;
      r.appendChild(c);
      body.appendChild(r);
    }
    v.rows.forEach(function (row) {
      var r = document.createElement('tr');
      row.cells.forEach(function (text, i) {
        if (i === data.shareCol) {
          var c = td('', 'num share');
          var bar = document.createElement('span');
          bar.className = 'bar';
          bar.style.width = (row.share * 100).toFixed(1) + '%';
          var val = document.createElement('span');
          val.className = 'v';
          val.textContent = text;
          c.appendChild(bar);
          c.appendChild(val);
          r.appendChild(c);
        } else {
          r.appendChild(td(text, i > 0 ? 'num' : ''));
        }
      });
      body.appendChild(r);
    });
    if (v.total) {
      var t = document.createElement('tr');
      v.total.forEach(function (text, i) { t.appendChild(td(text, i > 0 ? 'num' : '')); });
      foot.appendChild(t);
    }
    document.querySelectorAll('[data-key]').forEach(function (el) {
      el.classList.toggle('selected', el.getAttribute('data-key') === key);
    });
    table.setAttribute('data-chosen', key);
  }
  function target(ev) {
    return ev.target && ev.target.closest ? ev.target.closest('[data-key]') : null;
  }
  document.addEventListener('click', function (ev) {
    var el = target(ev);
    if (el) choose(el.getAttribute('data-key'));
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Enter' && ev.key !== ' ') return;
    var el = target(ev);
    if (el) { ev.preventDefault(); choose(el.getAttribute('data-key')); }
  });
})();
`;

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/** Render `front` as one self-contained HTML document. */
export function renderReport(front: FrontJson, opts: ReportOptions = {}): string {
  const bits = (p: FrontPoint) => (widthOf(p) !== undefined && widthsOf(all).length > 0 ? ` (${widthOf(p)}-bit)` : '');
  const all: Entry[] = [...(front.points ?? []), ...(front.weighted_sum?.points ?? [])].map((p, i) => ({
    key: '',
    set: 'c',
    index: i,
    label: '',
    p,
  }));
  const cons: Entry[] = (front.points ?? []).map((p, i) => ({ key: `c:${i}`, set: 'c', index: i, label: `#${i + 1}${bits(p)}`, p }));
  const ws: Entry[] = (front.weighted_sum?.points ?? []).map((p, i) => ({ key: `w:${i}`, set: 'w', index: i, label: `WS${i + 1}${bits(p)}`, p }));
  const entries = [...cons, ...ws];
  const chosen =
    opts.chosen !== undefined && Number.isInteger(opts.chosen) && opts.chosen >= 0 && opts.chosen < cons.length
      ? cons[opts.chosen]!
      : (cons[0] ?? ws[0]);
  const chosenKey = chosen?.key ?? '';
  const views = entries.map(breakdownView);
  const first = views.find((v) => v.key === chosenKey);

  const title = opts.title ?? 'Power-performance Pareto front';
  const firstHw = cons[0]?.p.hardware?.template ?? ws[0]?.p.hardware?.template;
  const template = opts.template ?? (typeof firstHw === 'string' ? firstHw : undefined);
  const sub = [opts.network ? `network ${opts.network}` : '', template ? `template ${template}` : ''].filter(Boolean).join(' · ');
  const hv = front.hypervolume;
  const facts = [
    `${cons.length} budgeted point${cons.length === 1 ? '' : 's'}`,
    ws.length ? `${ws.length} weighted-sum point${ws.length === 1 ? '' : 's'}` : '',
    hv && ok(hv.constrained) ? `hypervolume of the budgeted front ${num(hv.constrained)}` : '',
    hv && ok(hv.weighted_sum) ? `of the weighted-sum front ${num(hv.weighted_sum)} (as reported in front.json)` : '',
    ...(front.datawidths ?? []).map(
      (d) => `${d.datawidth}-bit front: hypervolume ${ok(d.hypervolume.constrained) ? num(d.hypervolume.constrained) : 'n/a'}`,
    ),
  ].filter(Boolean);

  const data = { columns: BREAKDOWN_HEAD.length, shareCol: SHARE_COL, views };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
${sub ? `<p class="sub">${esc(sub)}</p>` : ''}
<p class="summary">${esc(facts.join(', '))}.</p>
</header>
<div class="layout">
<figure>
${plot(cons, ws, chosenKey)}
<figcaption class="note">Each marker is one accelerator with its per-layer mappings; colour is chip area. The solid staircase joins the budgeted points that no other budgeted point beats on both power and latency. Click a marker or a table row to see its layers.</figcaption>
</figure>
<div class="breakdown">
<h2 id="chosen-title">${esc(first?.title ?? 'No point')}</h2>
<p class="summary" id="chosen-summary">${esc(first?.summary ?? '')}</p>
<div class="scroll">
<table id="layer-breakdown" data-chosen="${esc(chosenKey)}">
<thead><tr>${BREAKDOWN_HEAD.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>
${first ? breakdownBody(first) : ''}
</tbody>
<tfoot>${first ? breakdownFoot(first) : ''}</tfoot>
</table>
</div>
</div>
</div>
<section>
<h2>All points</h2>
<div class="scroll">
${pointsTable(entries, chosenKey)}
</div>
</section>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
