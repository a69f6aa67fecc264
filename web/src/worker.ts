/**
 * A worker runs the same `paretoSweep` + `buildFront` as `codesign pareto`, so with the same seed and settings (and
 * searches that end before their time limit) its front.json equals the CLI's. The fast exact
 * path is plain JavaScript on this worker's core; the relaxed stage runs on the best tfjs backend the browser has.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
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
import { paretoSweep } from '../../src/coopt/sweep.js';
import { isCoOptMethod } from '../../src/coopt/methods.js';
import { buildFront } from '../../src/visualization/front-files.js';
import type { Job, WorkerMessage } from './job.js';

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

/** webgpu where a backend for it is registered, then webgl on a real GPU (OffscreenCanvas), then wasm, then cpu. */
async function startBackend(first: string | null): Promise<string> {
  const order = (webglGpu() ? ['webgpu', 'webgl', 'wasm'] : ['webgpu', 'wasm']) as BackendName[];
  for (const name of first ? [first as BackendName, ...order.filter((b) => b !== first)] : order) {
    if (!tf.findBackendFactory(name)) continue;
    try {
      if ((await initBackend(name)) === name) return name;
    } catch {
      // next backend
    }
  }
  return initBackend('cpu');
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

self.onmessage = async (e: MessageEvent<Job>) => {
  const job = e.data;
  try {
    post({ type: 'backend', id: job.id, backend: await startBackend(job.backend) });
    if (!isCoOptMethod(job.method)) throw new InputError('page', 'method', 'a co-optimization method', job.method);
    const { name, layers } = workload(job);
    const { template, constraintsFor } = hardware(job);
    const t0 = performance.now();
    const sweep = await paretoSweep({
      template,
      layers,
      constraintsFor,
      powerBudgets: job.budgets,
      areaBudget: job.area,
      objective: job.objective,
      seed: job.seed,
      timePerPoint: job.time,
      compareWeightedSum: false,
      method: job.method,
      onProgress: (fraction, status) => post({ type: 'progress', id: job.id, fraction, status }),
    });
    if (sweep.constrained.every((sp) => !sp.result))
      throw new InfeasibleError(`no power budget could be met; the tightest: ${sweep.constrained[0]?.infeasible ?? 'none'}`);
    const { front, files } = await buildFront(sweep, { problems: sweep.problems, template }, constraintsFor, { network: name });
    const loopNests: Record<string, Record<string, string>> = {};
    const withResult = sweep.constrained.filter((sp) => sp.result && sp.mappings);
    front.points.forEach((fp, i) => {
      const sp = withResult[i]!;
      const nests: Record<string, string> = {};
      sweep.problems.forEach((p, l) => (nests[p.layer.name] = formatLoopNest(p.problem, sp.result!.hw.arch, sp.mappings![l]!)));
      loopNests[fp.mappings_dir] = nests;
    });
    const infeasible = sweep.constrained.map((sp) => (sp.result ? null : sp.infeasible));
    post({ type: 'done', id: job.id, front, files, loopNests, infeasible, seconds: (performance.now() - t0) / 1000 });
  } catch (err) {
    if (err instanceof InfeasibleError) post({ type: 'infeasible', id: job.id, message: err.message });
    else if (err instanceof InputError) post({ type: 'error', id: job.id, message: err.message });
    else post({ type: 'error', id: job.id, message: `internal error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` });
  }
};
