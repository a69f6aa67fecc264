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
import type { FrontJson } from '../../src/visualization/front.js';
import { InputError, oneLine } from '../../src/errors.js';
import type { HardwareInput, Job, WorkerMessage, WorkloadInput } from './job.js';
import { decodeFiles, encodeFiles, LINK_LIMIT, type LinkFile } from './link-files.js';
import { DEFAULTS, parseSetup, setupQuery, type Setup } from './setup.js';
import { chooseBest, firstRound, retryRound, RETRY_TIME_SCALE, type Chosen, type Found, type JobPlan } from './schedule.js';
import type { Mapping } from '../../src/mapping/mapping.js';
import { renderPlot } from './plot.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const FIELDS = ['network', 'template', 'budgets', 'area', 'objective', 'method', 'time', 'seed', 'vary', 'retries', 'restarts'] as const;

/** The point each budget keeps (see chooseBest) */
let results: Chosen[] = [];
/** The run's jobs (as planned) and, when the run was a single job that finished, its front (the CLI's front.json) */
let single: FrontJson | null = null;
let selected = -1;
let workers: Worker[] = [];
/** what the running run does when Stop is pressed: keep every point found so far */
let stopRun: (() => void) | null = null;
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
    retries: String(s.retries),
    restarts: s.restarts === null ? '' : String(s.restarts),
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
  $('link-note').textContent = linkFragment().note;
}

/** The dropped files in the order the drop handling reads them (a problem or model, then architecture, ERT, ART). */
function droppedFiles(): LinkFile[] {
  const out: LinkFile[] = [];
  if (dropped.onnx) out.push({ name: dropped.onnx.file, bytes: dropped.onnx.bytes });
  for (const f of [dropped.problem, dropped.arch, dropped.ert, dropped.art]) if (f) out.push({ name: f.file, bytes: strToU8(f.text) });
  return out;
}

/** The URL fragment that carries the dropped files (and the ONNX input shapes), and what the page says about it. */
function linkFragment(): { hash: string; note: string } {
  const files = droppedFiles();
  if (files.length === 0) return { hash: '', note: '' };
  const encoded = encodeFiles(files);
  const names = files.map((f) => f.name).join(', ');
  if (encoded === null)
    return {
      hash: '',
      note: `the link to this setup does not include ${names}: too large for a URL (more than ${LINK_LIMIT / 1000} k characters compressed); send the files with it`,
    };
  const h = new URLSearchParams({ files: encoded });
  if (dropped.onnx && inputShapeSpecs().length) h.set('shapes', inputShapeSpecs().join(' '));
  return { hash: `#${h}`, note: `the link to this setup includes ${names} (${encoded.length.toLocaleString('en')} characters)` };
}

/** This setup as a URL (query: the settings; fragment: the dropped files when they fit). */
function setupUrl(s: Setup): string {
  const old = new URLSearchParams(location.search);
  const q = new URLSearchParams(setupQuery(s));
  for (const k of ['workers', 'backend']) if (old.get(k) !== null) q.set(k, old.get(k)!);
  return `?${q}${linkFragment().hash}`;
}

/** Files from a link's `#files=` fragment, read as if dropped. */
async function filesFromLink(): Promise<void> {
  const h = new URLSearchParams(location.hash.slice(1));
  const text = h.get('files');
  if (text === null) return;
  try {
    const files = decodeFiles(text);
    const shapes = h.get('shapes');
    if (shapes !== null) ($('input-shapes') as HTMLInputElement).value = shapes;
    await onFiles(files.map((f) => new File([f.bytes as BlobPart], f.name)));
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
  }
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
  history.replaceState(null, '', setupUrl(s));
  stopWorkers();
  results = [];
  single = null;
  selected = -1;
  render();
  $('bars').replaceChildren();
  const budgets = [...s.budgets].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
  const label = (b: number | null) => (b === null ? 'no power budget' : `power <= ${b} mW`);
  const bars = budgets.map((b) => bar(label(b)));
  const n = workerCount();
  $('cores').textContent = `${n} worker${n > 1 ? 's' : ''} on ${navigator.hardwareConcurrency || 1} cores`;
  $('status').textContent = 'running';
  ($('run') as HTMLButtonElement).disabled = true;
  ($('stop') as HTMLButtonElement).disabled = false;

  // every job of the run, and the points they found (best so far, then final)
  const jobs: (JobPlan & { id: number })[] = [];
  const found = new Map<string, Found>();
  const infeasible = new Map<number | null, string>();
  const failures: string[] = [];
  let warmStart: Mapping[][] | null = null;
  let singleFront: FrontJson | null = null;
  let retriesLeft = s.retries;
  let { jobs: plan, used } = firstRound(budgets, n, s.seed);
  const pool = Array.from({ length: Math.min(n, plan.length) }, () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }));
  workers = pool;

  const choose = () => {
    results = chooseBest([...found.values()], budgets, s.objective);
    if (selected >= results.length) selected = -1;
  };
  const finish = (status: 'done' | 'stopped' | 'failed') => {
    stopWorkers();
    stopRun = null;
    choose();
    single = status === 'done' && jobs.length === 1 ? singleFront : null;
    budgets.forEach((b, i) => {
      const r = results.find((x) => x.point.budget.power_mW === b);
      if (r)
        bars[i]!.set(
          1,
          `${r.point.latency_cycles.toLocaleString('en')} cycles, ${r.point.power_mW.toFixed(1)} mW, ${r.point.area_mm2.toFixed(3)} mm² (seed ${r.seed}${r.final ? '' : ', best so far when stopped'})`,
        );
      else bars[i]!.set(1, infeasible.get(b) ?? (status === 'stopped' ? 'stopped before a point was found' : 'no point'));
    });
    const missing = budgets.filter((b) => !results.some((x) => x.point.budget.power_mW === b));
    if (results.length === 0 && failures.length > 0) {
      showError(failures[0]!);
      status = 'failed';
    } else if (status !== 'stopped' && results.length === 0) {
      showError(`infeasible: no power budget could be met; the tightest: ${infeasible.get(budgets[0]!) ?? `${budgets[0]} mW`}`);
      status = 'failed';
    } else if (failures.length > 0) showError(failures[0]!);
    else if (status !== 'stopped' && missing.length > 0)
      showError(
        `infeasible: ${missing
          .map((b) => infeasible.get(b) ?? `${b} mW`)
          .filter((x, i, l) => l.indexOf(x) === i)
          .join('; ')}`,
      );
    $('status').textContent = status;
    // how many rounds the run took (1 = no budget needed a retry), for the bench
    $('status').dataset.rounds = String(rounds);
    render();
  };
  stopRun = () => finish('stopped');

  // a round: its jobs on the pool, one each; when all have answered, retry unmet budgets or finish
  let rounds = 0;
  const startRound = (round: JobPlan[]) => {
    rounds++;
    let pending = round.length;
    round.forEach((jp, k) => {
      const job = { ...jp, id: jobs.length };
      jobs.push(job);
      const w = pool[k]!;
      const answered = () => {
        if (--pending === 0) endRound();
      };
      w.onmessage = (e: MessageEvent<WorkerMessage>) => {
        const m = e.data;
        if (m.id !== job.id) return; // a message of this worker's previous job
        if (m.type === 'backend') {
          $('backend').textContent = m.backend;
          $('backend-detail').textContent = m.detail ? ` (${m.detail})` : '';
        } else if (m.type === 'progress') {
          const i = Math.min(job.budgets.length - 1, Math.floor(m.fraction * job.budgets.length));
          const b = budgets.indexOf(job.budgets[i]!);
          bars[b]!.set(Math.min(1, m.fraction * job.budgets.length - i), `${m.status.replace(/^[^:]*: /, '')} (seed ${job.seed})`);
        } else if (m.type === 'best') {
          found.set(`${job.id} ${m.point.budget.power_mW}`, { ...m, job: job.id, jobBudgets: job.budgets, seed: job.seed, final: false });
          choose();
          render();
        } else if (m.type === 'done') {
          if (job.id === 0) warmStart = m.warmStart;
          // (several datawidths give several points per budget: each is a candidate)
          singleFront = m.front;
          for (const key of [...found.keys()]) if (key.startsWith(`${job.id} `)) found.delete(key);
          for (const p of m.points)
            found.set(`${job.id} ${p.point.budget.power_mW}`, { ...p, job: job.id, jobBudgets: job.budgets, seed: job.seed, final: true });
          // the latest word on an unmet budget (a retry searched it longer)
          job.budgets.forEach((b, i) => m.infeasible[i] && infeasible.set(b, m.infeasible[i]!));
          answered();
        } else {
          failures.push(m.message);
          answered();
        }
      };
      w.onerror = (e) => {
        e.preventDefault();
        failures.push(`internal error in a worker: ${e.message || 'it could not start'}`);
        answered();
      };
      const msg: Job = {
        id: job.id,
        workload: workloadInput(s),
        hardware: hardwareInput(s),
        budgets: job.budgets,
        area: s.area,
        objective: s.objective,
        method: s.method,
        time: s.time * job.timeScale,
        seed: job.seed,
        restarts: s.restarts,
        backend: urlBackend(),
        warmStart: job.warm ? warmStart : null,
      };
      w.postMessage(msg);
    });
  };
  const endRound = () => {
    choose();
    const unmet = budgets.filter((b) => !results.some((x) => x.point.budget.power_mW === b));
    if (unmet.length === 0 || failures.length > 0 || retriesLeft === 0 || warmStart === null) return finish('done');
    retriesLeft--;
    ({ jobs: plan, used } = retryRound(unmet, pool.length, s.seed, used));
    for (const b of unmet)
      bars[budgets.indexOf(b)]!.set(
        0,
        `not met in ${s.time * (jobs.at(-1)?.timeScale ?? 1)} s: searching again for ${s.time * RETRY_TIME_SCALE} s with seeds ${plan
          .filter((j) => j.budgets[0] === b)
          .map((j) => j.seed)
          .join(', ')}`,
      );
    startRound(plan);
  };
  startRound(plan);
}

function stopWorkers(): void {
  for (const w of workers) w.terminate();
  workers = [];
  ($('run') as HTMLButtonElement).disabled = false;
  ($('stop') as HTMLButtonElement).disabled = true;
}

// ------------------------------------------------------------------ results

/**
 * front.json of the run, in the CLI's format: a run of one job is exactly that job's (the CLI's) front, else the
 * chosen points with their folders renumbered in budget order and the hypervolume over them.
 */
function mergedFront(): FrontJson {
  if (single) return single;
  const points = results.map((r, i) => ({
    ...r.point,
    mappings_dir: `points/${String(i).padStart(2, '0')}-${r.point.budget.power_mW ?? 'none'}mW`,
  }));
  const xy = points.map((p) => ({ x: p.latency_ms, y: p.power_mW }));
  const ref = { x: 1.1 * Math.max(...xy.map((p) => p.x), 0), y: 1.1 * Math.max(...xy.map((p) => p.y), 0) };
  return {
    method: ($('method') as HTMLSelectElement).value as FrontJson['method'],
    leakage: true,
    points,
    weighted_sum: null,
    hypervolume: { constrained: hypervolume(xy, ref), weighted_sum: null },
  };
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
  hw.textContent = `hardware: ${Object.entries(p.hardware)
    .map(([k, v]) => `${k} ${v}`)
    .join(
      ', ',
    )}\npower: dynamic ${p.power_breakdown_mW?.dynamic.toFixed(2) ?? '?'} mW + leakage ${p.power_breakdown_mW?.leakage.toFixed(2) ?? '0'} mW = ${p.power_mW.toFixed(2)} mW`;
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
  // power per component: where the budget goes
  const power = document.createElement('table');
  const ph = power.insertRow();
  for (const t of ['component', 'dynamic (mW)', 'leakage (mW)', 'share of power']) cell(ph, t, 'th');
  for (const c of r.power) {
    const tr = power.insertRow();
    tr.dataset.testid = 'power-row';
    cell(tr, c.component);
    cell(tr, c.dynamic_mW.toFixed(2));
    cell(tr, c.leakage_mW.toFixed(3));
    cell(tr, `${((100 * (c.dynamic_mW + c.leakage_mW)) / p.power_mW).toFixed(1)} %`);
  }
  const nests = document.createElement('details');
  nests.innerHTML = '<summary>loop nests</summary>';
  for (const [name, nest] of Object.entries(r.loopNests)) {
    const pre = document.createElement('pre');
    pre.textContent = `${name}\n${nest}`;
    nests.append(pre);
  }
  box.append(h, hw, zip, table, power, nests);
}

// ------------------------------------------------------------------ start

async function start(): Promise<void> {
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
  $('stop').onclick = () => stopRun?.();
  $('front-json').onclick = () => download('front.json', frontJsonText(mergedFront()), 'application/json');
  $('front-csv').onclick = () => download('front.csv', frontCsv(mergedFront()), 'text/csv');
  $('share').onclick = (e) => {
    e.preventDefault();
    try {
      // the copied link starts the run on opening; the address bar keeps the setup without starting it
      history.replaceState(null, '', setupUrl(formSetup()));
      const url = new URL(location.href);
      url.searchParams.set('run', '1');
      ($('share') as HTMLAnchorElement).dataset.url = url.href;
      void navigator.clipboard?.writeText(url.href).catch(() => {});
    } catch (err) {
      showError(err instanceof Error ? err.message : String(err));
    }
  };
  await filesFromLink();
  if (q.get('run') === '1') run();
}

window.addEventListener('error', (e) => showError(`internal error: ${e.message}`));
window.addEventListener('unhandledrejection', (e) => showError(`internal error: ${e.reason instanceof Error ? e.reason.message : String(e.reason)}`));
void start();
