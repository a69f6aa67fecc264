/**
 * Model throughput: exact evaluations/s (the fast float64 path and the tensor formulation) and relaxed value+gradient
 * evaluations/s for ResNet-18 layers on eyeriss-like, at several batch sizes and on the wasm and cpu backends. Run with
 * `npm run bench` (never by the tests). The relaxed rate in --json is that of the path the relaxed stage takes (the
 * typed-array kernel on wasm/cpu). `npm run -s bench -- --json` prints, as its last line, one JSON object with the
 * fast path's rates, the relaxed rate at 4096 and the wall time of `optimize` and `pareto` on ResNet-18, measured here.
 *
 * The fast path is measured as the search uses it: candidates already in the flat layout (a `FlatBatch` in shared
 * memory, link transfers computed per candidate), evaluated by the exact pool (the calling thread plus
 * CODESIGN_WORKERS worker threads, default cores - 1); the single-thread rate and the Mapping-object path are
 * printed beside it.
 */
import { spawnSync } from 'node:child_process';
import { getPreset } from '../src/hardware/presets.js';
import { buildMapSpace, realize, type MapSpace, type Point } from '../src/mapping/mapspace.js';
import { pushPoint } from '../src/mapper/flat-score.js';
import { FlatBatch } from '../src/parallel/batch.js';
import { createExactPool, evaluateBatch } from '../src/parallel/pool.js';
import { randomValidPoint, rng } from '../src/mapping/random.js';
import { initBackend, tf } from '../src/model/backend.js';
import type { Candidate } from '../src/model/encode.js';
import { evaluateMetrics, evaluateMetricsTensor } from '../src/model/evaluate.js';
import { kernelAvailable, kernelMasks, kernelStatics, prepareRelaxed, relaxedOutputs, relaxedOutputsKernel } from '../src/model/relaxed.js';
import { layerToProblem } from '../src/workload/layer.js';
import { getNetwork } from '../src/workload/networks.js';

const JSON_MODE = process.argv.includes('--json');
const SIZES = (process.env.BENCH_SIZES ?? '1,256,4096,65536').split(',').map(Number);
const BACKENDS = (process.env.BENCH_BACKENDS ?? (JSON_MODE ? 'wasm' : 'wasm,cpu')).split(',') as ('wasm' | 'cpu')[];
const log = (line: string) => {
  if (!JSON_MODE) console.log(line);
};
const exactPerS: Record<string, number> = {};
const relaxedPerS: Record<string, number> = {};

const points: { space: MapSpace; point: Point }[] = [];
{
  const preset = getPreset('eyeriss-like');
  const r = rng(1);
  for (const layer of getNetwork('resnet18').layers) {
    const space = buildMapSpace(layerToProblem(layer).problem, preset.arch, preset.constraints);
    for (let i = 0; i < 64; i++) {
      const point = randomValidPoint(space, r);
      if (point) points.push({ space, point });
    }
  }
}

function candidates(n: number): Candidate[] {
  return Array.from({ length: n }, (_, i) => {
    const { space, point } = points[i % points.length]!;
    return { problem: space.problem, arch: space.arch, mapping: realize(space, point) };
  });
}

function flatBatch(n: number): FlatBatch {
  const batch = new FlatBatch(n);
  for (let i = 0; i < n; i++) pushPoint(batch, points[i % points.length]!.space, points[i % points.length]!.point);
  return batch;
}

// batches of 256 already pay for a round trip to a worker (~0.1 ms against ~1 ms of work)
const exactPool = await createExactPool(undefined, 128);
await exactPool?.whenReady();

async function timeIt(fn: () => Promise<void>, minMs = 1500): Promise<number> {
  await fn(); // warm-up (kernel compilation, memory growth)
  let reps = 0;
  const t0 = performance.now();
  do {
    await fn();
    reps++;
  } while (performance.now() - t0 < minMs);
  return (performance.now() - t0) / reps;
}

const rows: string[] = [];
for (const backend of BACKENDS) {
  await initBackend(backend);
  for (const B of SIZES) {
    const cands = candidates(B);
    // the fast path does not depend on the tensor backend: measured once
    if (exactPerS[B] === undefined) {
      const batch = flatBatch(B);
      const reps = Math.max(1, Math.floor(256 / B));
      const poolMs = await timeIt(async () => {
        for (let k = 0; k < reps; k++) await (exactPool ? exactPool.evaluate(batch) : evaluateBatch(batch));
      });
      exactPerS[B] = Math.round(((B * reps) / poolMs) * 1000);
      const oneMs = await timeIt(async () => {
        for (let k = 0; k < reps; k++) evaluateBatch(batch);
      });
      const objMs = await timeIt(async () => {
        for (let k = 0; k < reps; k++) await evaluateMetrics(cands);
      });
      log(
        `fast path batch ${String(B).padStart(6)}: flat, ${1 + (exactPool?.size ?? 0)} threads ${String(exactPerS[B]).padStart(8)} eval/s   flat, 1 thread ${((B * reps * 1000) / oneMs).toFixed(0).padStart(8)} eval/s   Mapping objects ${((B * reps * 1000) / objMs).toFixed(0).padStart(8)} eval/s`,
      );
    }
    const exactMs = await timeIt(async () => {
      await evaluateMetricsTensor(cands, { chunk: 8192 });
    });
    // the relaxed graph keeps every intermediate for the backward pass: batches above 16384 run in chunks
    const chunk = Math.min(B, 16384);
    const rb = prepareRelaxed(cands.slice(0, chunk));
    const logT = tf.log(tf.tensor3d(rb.batch.nT, [chunk, rb.batch.S, 7]));
    const logS = tf.log(tf.tensor3d(rb.batch.nS, [chunk, rb.batch.S, 7]));
    const f = tf.valueAndGrads((lt: tf.Tensor, ls: tf.Tensor) => {
      const o = relaxedOutputs(lt, ls, rb.statics, rb.masks);
      return tf.sum(tf.add(tf.log(o.energy), tf.log(o.cycles)));
    });
    const gradMs = await timeIt(async () => {
      for (let done = 0; done < B; done += chunk) {
        const { value, grads } = f([logT, logS]);
        await grads[0]!.data();
        tf.dispose([value, ...grads]);
      }
    });
    // the same value+gradient through the hand-derived typed-array kernel (src/model/relaxed-kernel.ts), the path the
    // relaxed stage takes on CPU-side backends
    let typedMs = NaN;
    if (kernelAvailable()) {
      const ks = kernelStatics(rb.batch);
      const km = kernelMasks(rb.masks);
      const g = tf.valueAndGrads((lt: tf.Tensor, ls: tf.Tensor) => {
        const o = relaxedOutputsKernel(lt, ls, rb.statics, ks, km);
        return tf.sum(tf.add(tf.log(o.energy), tf.log(o.cycles)));
      });
      typedMs = await timeIt(async () => {
        for (let done = 0; done < B; done += chunk) {
          const { value, grads } = g([logT, logS]);
          await grads[0]!.data();
          tf.dispose([value, ...grads]);
        }
      });
    }
    rb.dispose();
    tf.dispose([logT, logS]);
    if (backend === 'wasm') relaxedPerS[B] = Math.round((B / (Number.isFinite(typedMs) ? typedMs : gradMs)) * 1000);
    const typedText = Number.isFinite(typedMs) ? `   (typed kernel ${((B / typedMs) * 1000).toFixed(0).padStart(8)} eval/s)` : '';
    const line = `${backend.padEnd(5)} batch ${String(B).padStart(6)}: exact fast ${String(exactPerS[B]).padStart(8)} eval/s   exact tensor ${((B / exactMs) * 1000).toFixed(0).padStart(8)} eval/s   relaxed value+grad ${((B / gradMs) * 1000).toFixed(0).padStart(8)} eval/s${typedText}${chunk < B ? ` (in chunks of ${chunk})` : ''}`;
    log(line);
    rows.push(line);
  }
}
log(
  `\nResNet-18 layers (random valid mappings) on eyeriss-like; ${(await import('node:os')).cpus().length} cores; load ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
await exactPool?.close();

/** Wall time of one whole CLI run, as a user starts it. */
function wallSeconds(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--json'], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`codesign ${args.join(' ')} exited ${r.status}: ${r.stderr.toString().trim()}`);
  return Math.round((performance.now() - t0) / 10) / 100;
}

if (JSON_MODE) {
  const optimize = wallSeconds([
    'optimize',
    '--network',
    'resnet18',
    '--arch',
    'eyeriss-like',
    '--objective',
    'edp',
    '--seed',
    '1',
    '--time-limit',
    '5',
    '--out',
    'out/bench-optimize',
  ]);
  const pareto = wallSeconds(['pareto', '--network', 'resnet18', '--template', 'eyeriss-like', '--seed', '1', '--out', 'out/bench-pareto']);
  console.log(
    JSON.stringify({
      exact_per_s: exactPerS,
      relaxed_value_grad_per_s: { 4096: relaxedPerS[4096] ?? null },
      optimize_resnet18_s: optimize,
      pareto_resnet18_s: pareto,
    }),
  );
}
