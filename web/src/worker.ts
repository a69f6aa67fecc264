/**
 * A worker runs the same `paretoSweep` + `buildFront` as `codesign pareto`, so with the same seed and settings (and
 * searches that end before their time limit) its front.json equals the CLI's. The fast exact
 * path is plain JavaScript on this worker's core; the relaxed stage runs on the best tfjs backend the browser has.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
// registers the `webgpu` backend where the browser has navigator.gpu (it starts only if an adapter is granted)
import '@tensorflow/tfjs-backend-webgpu';
import { InfeasibleError, InputError } from '../../src/errors.js';
import { initBackend, tf, type BackendName } from '../../src/model/backend.js';
import { getTemplate, templateFromTimeloop, type HardwareTemplate } from '../../src/hardware/template.js';
import { getPreset, isPreset } from '../../src/hardware/presets.js';
import { getNetwork } from '../../src/workload/networks.js';
import { problemAsLayer, type ConvLayer, type Problem } from '../../src/workload/layer.js';
import { parseProblem } from '../../src/timeloop/problem.js';
import { importOnnx } from '../../src/workload/onnx/import.js';
import { parseInputShapes } from '../../src/workload/onnx/load.js';
import { formatLoopNest } from '../../src/timeloop/loop-nest.js';
import type { Constraints } from '../../src/mapping/constraints.js';
import type { SweepPoint } from '../../src/coopt/sweep.js';
import { paretoSweepByWidth } from '../../src/coopt/sweep-widths.js';
import { isCoOptMethod } from '../../src/coopt/methods.js';
import { buildFronts, exactPoint } from '../../src/visualization/front-files.js';
import { optimizeOutputFiles } from '../../src/visualization/optimize-files.js';
import type { Job, PointFiles, WorkerMessage } from './job.js';
import { powerBreakdown } from './power.js';

setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded });

const post = (m: WorkerMessage) => (self as unknown as Worker).postMessage(m);

/**
 * The GPU behind WebGL, or null when WebGL is absent or only a software rasterizer (SwiftShader, llvmpipe: e.g.
 * Chromium with --disable-gpu), where the relaxed stage runs slower than on wasm and finds less in its time.
 */
export function webglGpu(): string | null {
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2') ?? new OffscreenCanvas(1, 1).getContext('webgl');
    if (!gl) return null;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    return /swiftshader|llvmpipe|software|basic render/i.test(renderer) ? null : renderer;
  } catch {
    return null;
  }
}

/**
 * The GPU behind WebGPU, or null when there is no adapter or only a fallback (software) one, e.g. headless Chromium
 * with --disable-gpu.
 */
export async function webgpuGpu(): Promise<string | null> {
  try {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    const adapter = (await gpu?.requestAdapter()) as
      | { isFallbackAdapter?: boolean; info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean } }
      | null
      | undefined;
    if (!adapter || adapter.isFallbackAdapter || adapter.info?.isFallbackAdapter) return null;
    const i = adapter.info;
    return [i?.vendor, i?.architecture, i?.description].filter(Boolean).join(' ') || 'a GPU';
  } catch {
    return null;
  }
}

/**
 * The relaxed stage's backend: webgpu on a real GPU, then webgl on a real GPU (OffscreenCanvas), then wasm, then cpu;
 * `first` (the page's ?backend=) is tried before them. Returns the backend and why the GPU ones were passed over.
 */
async function startBackend(first: string | null): Promise<{ backend: string; detail: string }> {
  const gpus: Record<string, string | null> = { webgpu: await webgpuGpu(), webgl: webglGpu() };
  const order: BackendName[] = [];
  if (first) order.push(first as BackendName);
  for (const b of ['webgpu', 'webgl', 'wasm'] as const) if (!order.includes(b) && (b === 'wasm' || gpus[b])) order.push(b);
  for (const name of order) {
    if (!tf.findBackendFactory(name)) continue;
    try {
      if ((await initBackend(name)) === name) return { backend: name, detail: gpus[name] ?? (name === 'wasm' ? 'CPU' : '') };
    } catch {
      // next backend
    }
  }
  return { backend: await initBackend('cpu'), detail: 'CPU' };
}

export function workload(job: Job): { name: string; layers: ConvLayer[] } {
  if (job.workload.kind === 'network') {
    const net = getNetwork(job.workload.name);
    return { name: net.name, layers: [...net.layers] };
  }
  if (job.workload.kind === 'onnx') {
    const r = importOnnx(job.workload.file, parseInputShapes(job.workload.inputShapes), job.workload.bytes);
    return { name: r.name, layers: r.layers };
  }
  const p: Problem = parseProblem(job.workload.text, job.workload.file);
  return { name: job.workload.file, layers: [problemAsLayer(p, job.workload.file.replace(/\.ya?ml$/i, ''))] };
}

function hardware(job: Job): { template: HardwareTemplate; constraintsFor: (p: Problem) => Constraints | null } {
  const h = job.hardware;
  if (h.kind === 'template') {
    const template = getTemplate(h.name);
    // as the CLI: a preset template searches under its preset's constraints
    if (!isPreset(template.name)) return { template, constraintsFor: () => null };
    const preset = getPreset(template.name);
    return { template, constraintsFor: (p) => (p.depthwise ? preset.depthwiseConstraints : preset.constraints) };
  }
  const files: Parameters<typeof templateFromTimeloop>[0] = { arch: h.arch };
  if (h.ert) files.ert = h.ert;
  if (h.art) files.art = h.art;
  return { template: templateFromTimeloop(files, h.vary || undefined, { name: h.arch.file.replace(/\.ya?ml$/i, '') }), constraintsFor: () => null };
}

/** A sweep point's front point, Timeloop files and loop nests (checked and evaluated exactly, as the CLI writes it). */
async function pointFiles(
  sp: SweepPoint,
  template: HardwareTemplate,
  leakage: boolean,
  constraintsFor: (p: Problem) => Constraints | null,
  dir: string,
): Promise<PointFiles | null> {
  const problems = sp.result?.hw.tasks ?? [];
  const x = await exactPoint({ problems, template, leakage }, sp, constraintsFor, dir);
  if (!x) return null;
  const files = optimizeOutputFiles(x.output, constraintsFor).map(([name, text]): [string, string] => [`${dir}/${name}`, text]);
  return { point: x.point, files, loopNests: loopNests(sp), power: powerBreakdown(x.output, leakage) };
}

function loopNests(sp: SweepPoint): Record<string, string> {
  const nests: Record<string, string> = {};
  sp.result!.hw.tasks.forEach((t, l) => (nests[t.layer.name] = formatLoopNest(t.problem, sp.result!.hw.arch, sp.mappings![l]!)));
  return nests;
}

/** How often at most a running job sends its best point so far (it costs an exact evaluation and the files). */
const BEST_EVERY_MS = 1500;

self.onmessage = async (e: MessageEvent<Job>) => {
  const job = e.data;
  try {
    post({ type: 'backend', id: job.id, ...(await startBackend(job.backend)) });
    if (!isCoOptMethod(job.method)) throw new InputError('page', 'method', 'a co-optimization method', job.method);
    const { name, layers } = workload(job);
    const { template, constraintsFor } = hardware(job);
    const t0 = performance.now();
    let lastBest = 0;
    let sentKey = '';
    let sending = false;
    let ended = false;
    let inflight: Promise<void> = Promise.resolve();
    const sendBest = (best: () => SweepPoint | null) => {
      if (ended || sending || performance.now() - lastBest < BEST_EVERY_MS) return;
      sending = true;
      lastBest = performance.now();
      inflight = report(best).finally(() => (sending = false));
    };
    const report = async (best: () => SweepPoint | null) => {
      const sp = best();
      const key = sp?.result ? `${sp.result.hw.key} ${sp.result.latency_cycles} ${sp.result.power_mW}` : '';
      if (!sp || key === sentKey) return;
      const label = sp.goal.kind === 'budget' ? `${sp.goal.budgets.power_mW ?? 'none'}mW` : 'point';
      // the page has no --no-leakage: leakage is charged, as paretoSweep's default
      const pf = await pointFiles(sp, template, true, constraintsFor, `points/best-${label}`);
      if (pf && pf.point.feasible !== false) {
        sentKey = key;
        post({ type: 'best', id: job.id, ...pf });
      }
    };
    // one sweep per datawidth of the template (a dropped architecture's `datawidth=4,8,16`), as `codesign pareto`
    const parts = await paretoSweepByWidth({
      template,
      layers,
      constraintsFor,
      powerBudgets: job.budgets,
      areaBudget: job.area,
      objective: job.objective,
      seed: job.seed,
      timePerPoint: job.time,
      ...(job.restarts !== null ? { restarts: job.restarts } : {}),
      compareWeightedSum: false,
      method: job.method,
      ...(job.warmStart ? { warmStart: job.warmStart } : {}),
      onProgress: (fraction, status, best) => {
        post({ type: 'progress', id: job.id, fraction, status });
        if (best) sendBest(best);
      },
    });
    // no best-so-far report after the final one
    ended = true;
    await inflight;
    const { front } = await buildFronts(parts, constraintsFor, { network: name, template: template.name });
    // each point's files again from the same exact re-check, with its power per component
    const withResult = parts.flatMap((part) => part.sweep.constrained.filter((sp) => sp.result && sp.mappings));
    const points: PointFiles[] = [];
    for (const [i, point] of front.points.entries()) {
      const pf = await pointFiles(withResult[i]!, template, parts[0]!.sweep.leakage, constraintsFor, point.mappings_dir);
      points.push({ ...pf!, point });
    }
    // a budget is unmet when no width met it
    const infeasible = job.budgets.map((_, i) => {
      const sps = parts.map((part) => part.sweep.constrained[i]!);
      return sps.some((sp) => sp.result) ? null : (sps[0]?.infeasible ?? null);
    });
    // a warm start serves other jobs only on a template of one width
    const warmStart = parts.length === 1 ? parts[0]!.sweep.warmStart : null;
    post({ type: 'done', id: job.id, front, points, infeasible, warmStart, seconds: (performance.now() - t0) / 1000 });
  } catch (err) {
    if (err instanceof InfeasibleError) post({ type: 'infeasible', id: job.id, message: err.message });
    else if (err instanceof InputError) post({ type: 'error', id: job.id, message: err.message });
    else post({ type: 'error', id: job.id, message: `internal error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` });
  }
};
