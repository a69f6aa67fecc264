/**
 * sweep.html: every done job's front on shared latency (ms) / power (mW) axes, log scaled, with checkboxes per
 * network, template and method. Self-contained (data inline, no network access), drawn as SVG by a small script.
 */
import type { FrontPoint } from '../visualization/front.js';

export interface SweepFront {
  job: string;
  network: string;
  template: string;
  method: string;
  seed: number;
  points: FrontPoint[];
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function sweepHtml(fronts: SweepFront[], summary: { jobs: number; done: number; failed: { label: string; reason: string }[] }): string {
  const data = fronts.map((f) => ({
    job: f.job,
    network: f.network,
    template: f.template,
    method: f.method,
    seed: f.seed,
    points: f.points.map((p) => ({
      budget: p.budget.power_mW,
      latency_ms: p.latency_ms,
      power_mW: p.power_mW,
      area_mm2: p.area_mm2,
      energy_pJ: p.energy_pJ,
    })),
  }));
  // `<` escaped so that no string in the data can close the script element
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const failed = summary.failed.map((f) => `<li>${esc(f.label)}: ${esc(f.reason)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>codesign sweep: latency vs power</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
fieldset{display:inline-block;vertical-align:top;margin:0 1em 1em 0}
svg{border:1px solid #ccc;background:#fff}
table{border-collapse:collapse;font-size:13px;margin-top:1em}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}
</style></head><body>
<h1>Sweep: latency vs power</h1>
<p>${summary.done} of ${summary.jobs} jobs done${summary.failed.length ? `, ${summary.failed.length} failed` : ''}. Each line is one job's Pareto front (one point per power budget).</p>
<div id="filters"></div>
<svg id="plot" width="900" height="520" role="img" aria-label="latency versus power, all fronts"></svg>
<table id="table"><thead><tr><th>network</th><th>template</th><th>method</th><th>seed</th><th>budget (mW)</th><th>latency (ms)</th><th>power (mW)</th><th>energy (pJ)</th><th>area (mm²)</th></tr></thead><tbody></tbody></table>
${failed ? `<h2>Failed jobs</h2><ul>${failed}</ul>` : ''}
<script>
const DATA = ${json};
const KEYS = ['network', 'template', 'method'];
const shown = {};
const filters = document.getElementById('filters');
for (const k of KEYS) {
  shown[k] = new Set(DATA.map((f) => f[k]));
  const fs = document.createElement('fieldset');
  fs.innerHTML = '<legend>' + k + '</legend>';
  for (const v of [...shown[k]].sort()) {
    const l = document.createElement('label');
    const c = document.createElement('input');
    c.type = 'checkbox'; c.checked = true; c.dataset.key = k; c.value = v;
    c.onchange = () => { c.checked ? shown[k].add(v) : shown[k].delete(v); draw(); };
    l.append(c, ' ' + v); fs.append(l, document.createElement('br'));
  }
  filters.append(fs);
}
const W = 900, H = 520, M = { l: 70, r: 200, t: 20, b: 50 };
const all = DATA.flatMap((f) => f.points);
const lo = (a) => Math.log10(Math.min(...a)), hi = (a) => Math.log10(Math.max(...a));
const pad = (a, b) => (b - a < 1e-9 ? [a - 0.5, b + 0.5] : [a - 0.05 * (b - a), b + 0.05 * (b - a)]);
const [x0, x1] = all.length ? pad(lo(all.map((p) => p.power_mW)), hi(all.map((p) => p.power_mW))) : [0, 1];
const [y0, y1] = all.length ? pad(lo(all.map((p) => p.latency_ms)), hi(all.map((p) => p.latency_ms))) : [0, 1];
const X = (v) => M.l + ((Math.log10(v) - x0) / (x1 - x0)) * (W - M.l - M.r);
const Y = (v) => H - M.b - ((Math.log10(v) - y0) / (y1 - y0)) * (H - M.t - M.b);
const color = (i) => 'hsl(' + ((i * 137.5) % 360) + ',65%,45%)';
function draw() {
  const svg = document.getElementById('plot');
  const vis = DATA.filter((f) => KEYS.every((k) => shown[k].has(f[k])));
  let s = '<line x1="' + M.l + '" y1="' + (H - M.b) + '" x2="' + (W - M.r) + '" y2="' + (H - M.b) + '" stroke="#000"/>' +
    '<line x1="' + M.l + '" y1="' + M.t + '" x2="' + M.l + '" y2="' + (H - M.b) + '" stroke="#000"/>' +
    '<text x="' + (M.l + W - M.r) / 2 + '" y="' + (H - 10) + '" text-anchor="middle">power (mW, log)</text>' +
    '<text x="15" y="' + (H / 2) + '" transform="rotate(-90 15 ' + (H / 2) + ')" text-anchor="middle">latency (ms, log)</text>';
  for (let e = Math.ceil(x0 * 2) / 2; e <= x1; e += 0.5) s += '<text x="' + X(10 ** e) + '" y="' + (H - M.b + 16) + '" font-size="11" text-anchor="middle">' + +(10 ** e).toPrecision(2) + '</text>';
  for (let e = Math.ceil(y0 * 2) / 2; e <= y1; e += 0.5) s += '<text x="' + (M.l - 6) + '" y="' + Y(10 ** e) + '" font-size="11" text-anchor="end">' + +(10 ** e).toPrecision(2) + '</text>';
  vis.forEach((f, i) => {
    const c = color(DATA.indexOf(f));
    const pts = [...f.points].sort((a, b) => a.power_mW - b.power_mW);
    s += '<polyline fill="none" stroke="' + c + '" points="' + pts.map((p) => X(p.power_mW) + ',' + Y(p.latency_ms)).join(' ') + '"/>';
    for (const p of pts) s += '<circle cx="' + X(p.power_mW) + '" cy="' + Y(p.latency_ms) + '" r="3.5" fill="' + c + '"><title>' + f.network + ' / ' + f.template + ' / ' + f.method + ' / seed ' + f.seed + ': ' + p.latency_ms.toPrecision(4) + ' ms at ' + p.power_mW.toPrecision(4) + ' mW</title></circle>';
    s += '<text x="' + (W - M.r + 10) + '" y="' + (M.t + 14 * i + 10) + '" font-size="11" fill="' + c + '">' + f.network + ' / ' + f.template + ' / ' + f.method + ' / ' + f.seed + '</text>';
  });
  svg.innerHTML = s;
  const esc = (v) => String(v).replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);
  document.querySelector('#table tbody').innerHTML = vis.flatMap((f) => f.points.map((p) =>
    '<tr><td>' + [f.network, f.template, f.method, f.seed, p.budget ?? '-', p.latency_ms.toFixed(4), p.power_mW.toFixed(2), p.energy_pJ.toExponential(3), p.area_mm2.toFixed(3)].map(esc).join('</td><td>') + '</td></tr>')).join('');
}
draw();
</script></body></html>
`;
}
