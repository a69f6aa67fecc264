/**
 * The page: inputs (URL <-> form), a pool of workers (one per core, one budget point each), the Pareto plot, the
 * selected point's layers, loop nests and power, and the exports (a point's Timeloop files as a zip, front.json and
 * front.csv written by the CLI's own code). Every failure ends as one line in the error box, never a blank page.
 */
import { strToU8, zipSync } from 'fflate';
import { listNetworks } from '../../src/workload/networks.js';
import { templateNames } from '../../src/hardware/template.js';
import { COOPT_METHODS } from '../../src/coopt/methods.js';
import { parseYaml } from '../../src/timeloop/yaml.js';
import { importOnnx } from '../../src/workload/onnx/import.js';
import { parseInputShapes } from '../../src/workload/onnx/load.js';
import { hypervolume } from '../../src/coopt/pareto.js';
import { frontCsv, frontJsonText } from '../../src/visualization/front-files.js';
import type { FrontJson, FrontPoint } from '../../src/visualization/front.js';
import { InputError, oneLine } from '../../src/errors.js';
import type { HardwareInput, Job, WorkerMessage, WorkloadInput } from './job.js';
import { DEFAULTS, parseSetup, setupQuery, type Setup } from './setup.js';
import { renderPlot } from './plot.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const FIELDS = ['network', 'template', 'budgets', 'area', 'objective', 'method', 'time', 'seed', 'vary'] as const;

interface Result {
  point: FrontPoint;
  /** the point's files, paths under its mappings_dir */
  files: [string, string][];
  loopNests: Record<string, string>;
  /** which worker found it (its seed is the run's seed + 1000 x this) */
  seed: number;
  /** the whole front of that worker, and how many workers answered */
  front: FrontJson;
  answers: number;
}
let results: Result[] = [];
let selected = -1;
let workers: Worker[] = [];
let dropped: {
  onnx?: { bytes: Uint8Array; file: string };
  problem?: { text: string; file: string };
  arch?: { text: string; file: string };
  ert?: { text: string; file: string };
  art?: { text: string; file: string };
} = {};

function showError(msg: string | null): void {
  const box = $('error');
  box.hidden = msg === null;
  box.textContent = msg === null ? '' : oneLine(msg);
}

function fill(select: HTMLSelectElement, options: readonly string[]): void {
  select.replaceChildren(...options.map((o) => new Option(o, o)));
}

function formSetup(): Setup {
  return parseSetup((k) => ($(k) as HTMLInputElement).value);
}

function toForm(s: Setup): void {
  const v: Record<(typeof FIELDS)[number], string> = {
    network: s.network,
    template: s.template,
    budgets: s.budgets.map((b) => b ?? 'none').join(','),
    area: s.area === null ? '' : String(s.area),
    objective: s.objective,
    method: s.method,
    time: String(s.time),
    seed: String(s.seed),
    vary: s.vary,
  };
  for (const f of FIELDS) ($(f) as HTMLInputElement).value = v[f];
}

// ------------------------------------------------------------------ dropped files

async function onFiles(files: FileList | File[]): Promise<void> {
  showError(null);
  try {
    for (const f of Array.from(files)) {
      if (f.size > 64 * 1024 * 1024) throw new InputError(f.name, 'file', 'at most 64 MiB', `${f.size} bytes`);
      if (/\.onnx$/i.test(f.name)) {
        const bytes = new Uint8Array(await f.arrayBuffer());
        importOnnx(f.name, parseInputShapes(inputShapeSpecs()), bytes); // refuse a bad model (or missing shapes) now
        dropped.onnx = { bytes, file: f.name };
        delete dropped.problem;
        continue;
      }
      const text = await f.text();
      const doc = parseYaml(text, f.name);
      const keys = doc && typeof doc === 'object' && !Array.isArray(doc) ? Object.keys(doc) : [];
      const input = { text, file: f.name };
      if (keys.includes('problem')) {
        dropped.problem = input;
        delete dropped.onnx;
      } else if (keys.includes('architecture')) dropped.arch = input;
      else if (keys.includes('ERT')) dropped.ert = input;
      else if (keys.includes('ART')) dropped.art = input;
      else
        throw new InputError(
          f.name,
          'top-level key',
          'problem, architecture, ERT or ART (a Timeloop file)',
          keys.length ? keys.slice(0, 3).join(', ') : 'no mapping',
        );
    }
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
  }
  const parts = Object.entries(dropped).map(([k, v]) => `${k}: ${(v as { file: string }).file}`);
  $('dropped').textContent = parts.length ? `using ${parts.join(', ')} (instead of the network / template chosen above)` : '';
}

// ------------------------------------------------------------------ a run

/** The ONNX input shapes field: NAME=D1,D2,... specs separated by spaces or semicolons (the CLI's --input-shape). */
function inputShapeSpecs(): string[] {
  return ($('input-shapes') as HTMLInputElement).value.split(/[;\s]+/).filter(Boolean);
}

function workloadInput(s: Setup): WorkloadInput {
  if (dropped.onnx) return { kind: 'onnx', ...dropped.onnx, inputShapes: inputShapeSpecs() };
  return dropped.problem ? { kind: 'problem', ...dropped.problem } : { kind: 'network', name: s.network };
}

function hardwareInput(s: Setup): HardwareInput {
  if (!dropped.arch) return { kind: 'template', name: s.template };
  const h: HardwareInput = { kind: 'timeloop', arch: dropped.arch, vary: s.vary };
  if (dropped.ert) h.ert = dropped.ert;
  if (dropped.art) h.art = dropped.art;
  return h;
}

function bar(label: string): { set(f: number, text: string): void } {
  const div = document.createElement('div');
  div.className = 'bar';
  div.dataset.testid = 'progress';
  const text = document.createElement('div');
  const prog = document.createElement('progress');
  prog.max = 1;
  prog.value = 0;
  text.textContent = `${label}: waiting`;
  div.append(text, prog);
  $('bars').append(div);
  return {
    set(f, t) {
      prog.value = f;
      text.textContent = `${label}: ${t}`;
    },
  };
}

/** ?backend=webgl|wasm|cpu|webgpu: try that tfjs backend first (e.g. wasm, the CLI's), else the best available. */
function urlBackend(): string | null {
  const b = new URLSearchParams(location.search).get('backend');
  return b !== null && ['webgpu', 'webgl', 'wasm', 'cpu'].includes(b) ? b : null;
}

/** The number of workers: ?workers=N, else one per core. */
function workerCount(): number {
  const q = new URLSearchParams(location.search).get('workers');
  const n = q !== null && /^\d+$/.test(q) ? Number(q) : navigator.hardwareConcurrency || 1;
  return Math.max(1, Math.min(n, 16));
}

function run(): void {
  showError(null);
  let s: Setup;
  try {
    s = formSetup();
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
    return;
  }
  if (!dropped.problem && !dropped.arch && !dropped.onnx) {
    const old = new URLSearchParams(location.search);
    const q = new URLSearchParams(setupQuery(s));
    for (const k of ['workers', 'backend']) if (old.get(k) !== null) q.set(k, old.get(k)!);
    history.replaceState(null, '', `?${q}`);
  }
  stopWorkers();
  results = [];
  selected = -1;
  render();
  $('bars').replaceChildren();
  const budgets = [...s.budgets].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
  const bars = budgets.map((b) => bar(b === null ? 'no power budget' : `power <= ${b} mW`));
  const progress = budgets.map(() => 0);
  const n = workerCount();
  $('cores').textContent =
    `${n} worker${n > 1 ? 's' : ''} on ${navigator.hardwareConcurrency || 1} cores (seeds ${s.seed}${n > 1 ? ` .. ${s.seed + 1000 * (n - 1)}` : ''})`;
  const answers: Extract<WorkerMessage, { type: 'done' }>[] = [];
  const failures: string[] = [];
  let pending = n;
  $('status').textContent = 'running';
  ($('run') as HTMLButtonElement).disabled = true;
  ($('stop') as HTMLButtonElement).disabled = false;
  const finish = () => {
    if (--pending > 0) return;
    stopWorkers();
    if (answers.length === 0) {
      showError(failures[0] ?? 'no worker answered');
      $('status').textContent = 'failed';
      return;
    }
    const infeasible = budgets.map((_, i) => answers.map((a) => a.infeasible[i]).find((x) => x) ?? null);
    results = pickBest(answers, s.objective);
    budgets.forEach((b, i) => {
      const r = results.find((x) => x.point.budget.power_mW === b);
      if (r)
        bars[i]!.set(
          1,
          `${r.point.latency_cycles.toLocaleString('en')} cycles, ${r.point.power_mW.toFixed(1)} mW, ${r.point.area_mm2.toFixed(3)} mm² (seed ${r.seed})`,
        );
      else bars[i]!.set(1, infeasible[i] ?? 'no point');
    });
    const missing = budgets.filter((b) => !results.some((x) => x.point.budget.power_mW === b));
    if (missing.length > 0)
      showError(
        `infeasible: ${missing
          .map((b) => infeasible[budgets.indexOf(b)] ?? `${b} mW`)
          .filter((x, i, l) => l.indexOf(x) === i)
          .join('; ')}`,
      );
    $('status').textContent = 'done';
    render();
  };
  for (let k = 0; k < n; k++) {
    const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    workers.push(w);
    const job: Job = {
      id: k,
      workload: workloadInput(s),
      hardware: hardwareInput(s),
      budgets,
      area: s.area,
      objective: s.objective,
      method: s.method,
      time: s.time,
      seed: s.seed + 1000 * k,
      backend: urlBackend(),
    };
    w.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if (m.type === 'backend') $('backend').textContent = m.backend;
      else if (m.type === 'progress') {
        const i = Math.min(budgets.length - 1, Math.floor(m.fraction * budgets.length));
        const f = Math.min(1, m.fraction * budgets.length - i);
        if (f >= progress[i]!) {
          progress[i] = f;
          bars[i]!.set(f, `${m.status.replace(/^[^:]*: /, '')} (worker ${k + 1})`);
        }
      } else {
        if (m.type === 'done') answers.push(m);
        else failures.push(m.message);
        finish();
      }
    };
    w.onerror = (e) => {
      e.preventDefault();
      failures.push(`internal error in a worker: ${e.message || 'it could not start'}`);
      finish();
    };
    w.postMessage(job);
  }
}

function stopWorkers(): void {
  for (const w of workers) w.terminate();
  workers = [];
  ($('run') as HTMLButtonElement).disabled = false;
  ($('stop') as HTMLButtonElement).disabled = true;
}

// ------------------------------------------------------------------ results

/** Per budget, the best feasible point any worker found (lower latency, or EDP; ties go to the lower seed). */
function pickBest(answers: Extract<WorkerMessage, { type: 'done' }>[], objective: 'latency' | 'edp'): Result[] {
  const score = (p: FrontPoint) => (objective === 'edp' ? p.energy_pJ * p.latency_cycles : p.latency_cycles);
  const best = new Map<number | null, Result>();
  for (const a of [...answers].sort((x, y) => x.id - y.id)) {
    for (const p of a.front.points) {
      if (p.feasible === false) continue;
      const key = p.budget.power_mW;
      const old = best.get(key);
      if (old && score(old.point) <= score(p)) continue;
      const files = a.files.filter(([path]) => path.startsWith(p.mappings_dir + '/'));
      best.set(key, { point: p, files, loopNests: a.loopNests[p.mappings_dir] ?? {}, seed: a.id, front: a.front, answers: answers.length });
    }
  }
  return [...best.values()].sort((x, y) => (x.point.budget.power_mW ?? Infinity) - (y.point.budget.power_mW ?? Infinity));
}

/**
 * front.json of the run, in the CLI's format: with one worker exactly that worker's (the CLI's) front, else the
 * chosen points with their folders renumbered in budget order and the hypervolume over them.
 */
function mergedFront(): FrontJson {
  const first = results[0];
  if (!first) return { points: [] };
  if (first.answers === 1) return first.front;
  const points = results.map((r, i) => ({
    ...r.point,
    mappings_dir: r.point.mappings_dir.replace(/^points\/\d+/, `points/${String(i).padStart(2, '0')}`),
  }));
  const xy = points.map((p) => ({ x: p.latency_ms, y: p.power_mW }));
  const ref = { x: 1.1 * Math.max(...xy.map((p) => p.x), 0), y: 1.1 * Math.max(...xy.map((p) => p.y), 0) };
  const front: FrontJson = { points, weighted_sum: null, hypervolume: { constrained: hypervolume(xy, ref), weighted_sum: null } };
  if (first.front.method !== undefined) front.method = first.front.method;
  if (first.front.leakage !== undefined) front.leakage = first.front.leakage;
  return front;
}

function download(name: string, data: BlobPart, type: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([data], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function render(): void {
  ($('front-json') as HTMLButtonElement).disabled = results.length === 0;
  ($('front-csv') as HTMLButtonElement).disabled = results.length === 0;
  renderPlot(
    $('plot'),
    $('tooltip'),
    results.map((r) => r.point),
    selected,
    (i) => {
      selected = i;
      render();
    },
  );
  renderSelected();
}

function cell(tr: HTMLTableRowElement, text: string, tag: 'td' | 'th' = 'td'): void {
  const c = document.createElement(tag);
  c.textContent = text;
  tr.append(c);
}

function renderSelected(): void {
  const box = $('selected');
  box.replaceChildren();
  const r = results[selected];
  if (!r) return;
  const p = r.point;
  const h = document.createElement('h3');
  h.textContent = `${p.budget.power_mW === null ? 'no power budget' : `power <= ${p.budget.power_mW} mW`}: ${p.latency_cycles.toLocaleString('en')} cycles (${p.latency_ms.toFixed(3)} ms), ${p.power_mW.toFixed(2)} mW, ${p.area_mm2.toFixed(3)} mm²`;
  const hw = document.createElement('pre');
  hw.textContent = `hardware: ${JSON.stringify(p.hardware)}\npower: dynamic ${p.power_breakdown_mW?.dynamic.toFixed(2) ?? '?'} mW + leakage ${p.power_breakdown_mW?.leakage.toFixed(2) ?? '0'} mW = ${p.power_mW.toFixed(2)} mW`;
  const zip = document.createElement('button');
  zip.textContent = 'download Timeloop files (zip)';
  zip.dataset.testid = 'download-zip';
  zip.onclick = () => {
    const entries: Record<string, Uint8Array> = {};
    for (const [path, text] of r.files) entries[path.slice(p.mappings_dir.length + 1)] = strToU8(text);
    download(`codesign-${p.budget.power_mW ?? 'none'}mW.zip`, zipSync(entries) as BlobPart, 'application/zip');
  };
  const table = document.createElement('table');
  const head = table.insertRow();
  for (const t of ['layer', 'repeat', 'cycles', 'energy (pJ)', 'utilization', 'share of cycles']) cell(head, t, 'th');
  const total = (p.layers ?? []).reduce((s, l) => s + l.cycles * l.repeat, 0);
  for (const l of p.layers ?? []) {
    const tr = table.insertRow();
    tr.dataset.testid = 'layer-row';
    cell(tr, l.name);
    cell(tr, String(l.repeat));
    cell(tr, l.cycles.toLocaleString('en'));
    cell(tr, l.energy_pJ.toExponential(3));
    cell(tr, `${(l.utilization * 100).toFixed(1)} %`);
    cell(tr, `${((100 * l.cycles * l.repeat) / total).toFixed(1)} %`);
  }
  const nests = document.createElement('details');
  nests.innerHTML = '<summary>loop nests</summary>';
  for (const [name, nest] of Object.entries(r.loopNests)) {
    const pre = document.createElement('pre');
    pre.textContent = `${name}\n${nest}`;
    nests.append(pre);
  }
  box.append(h, hw, zip, table, nests);
}

// ------------------------------------------------------------------ start

function start(): void {
  fill($('network'), listNetworks());
  fill($('template'), templateNames());
  fill($('method'), COOPT_METHODS);
  const q = new URLSearchParams(location.search);
  let s = DEFAULTS;
  try {
    s = parseSetup((k) => q.get(k));
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
  }
  toForm(s);
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => (e.preventDefault(), drop.classList.add('over')));
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer) void onFiles(e.dataTransfer.files);
  });
  ($('files') as HTMLInputElement).addEventListener('change', (e) => void onFiles((e.target as HTMLInputElement).files ?? []));
  $('run').onclick = run;
  $('stop').onclick = () => {
    stopWorkers();
    $('status').textContent = 'stopped';
  };
  $('front-json').onclick = () => download('front.json', frontJsonText(mergedFront()), 'application/json');
  $('front-csv').onclick = () => download('front.csv', frontCsv(mergedFront()), 'text/csv');
  $('share').onclick = (e) => {
    e.preventDefault();
    try {
      history.replaceState(null, '', `?${setupQuery(formSetup())}`);
      void navigator.clipboard?.writeText(location.href).catch(() => {});
    } catch (err) {
      showError(err instanceof Error ? err.message : String(err));
    }
  };
  if (q.get('run') === '1') run();
}

window.addEventListener('error', (e) => showError(`internal error: ${e.message}`));
window.addEventListener('unhandledrejection', (e) => showError(`internal error: ${e.reason instanceof Error ? e.reason.message : String(e.reason)}`));
start();
