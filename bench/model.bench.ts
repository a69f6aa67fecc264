/**
 * Model throughput: exact evaluations/s and relaxed value+gradient evaluations/s for ResNet-18 layers on eyeriss-like,
 * at several batch sizes and on the wasm and cpu backends. Run with `npm run bench` (never by the tests).
 */
import { getPreset } from '../src/hardware/presets.js';
import { buildMapSpace, realize } from '../src/mapping/mapspace.js';
import { randomValidPoint, rng } from '../src/mapping/random.js';
import { initBackend, tf } from '../src/model/backend.js';
import type { Candidate } from '../src/model/encode.js';
import { evaluateMetricsTensor } from '../src/model/evaluate.js';
import { prepareRelaxed, relaxedOutputs } from '../src/model/relaxed.js';
import { layerToProblem } from '../src/workload/layer.js';
import { getNetwork } from '../src/workload/networks.js';

const SIZES = (process.env.BENCH_SIZES ?? '1,256,4096,65536').split(',').map(Number);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'wasm,cpu').split(',') as ('wasm' | 'cpu')[];

function candidates(n: number): Candidate[] {
  const preset = getPreset('eyeriss-like');
  const r = rng(1);
  const pool: Candidate[] = [];
  for (const layer of getNetwork('resnet18').layers) {
    const { problem } = layerToProblem(layer);
    const space = buildMapSpace(problem, preset.arch, preset.constraints);
    for (let i = 0; i < 64; i++) {
      const p = randomValidPoint(space, r);
      if (p) pool.push({ problem, arch: preset.arch, mapping: realize(space, p) });
    }
  }
  return Array.from({ length: n }, (_, i) => pool[i % pool.length]!);
}

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
    rb.dispose();
    tf.dispose([logT, logS]);
    const line = `${backend.padEnd(5)} batch ${String(B).padStart(6)}: exact ${((B / exactMs) * 1000).toFixed(0).padStart(8)} eval/s   relaxed value+grad ${((B / gradMs) * 1000).toFixed(0).padStart(8)} eval/s${chunk < B ? ` (in chunks of ${chunk})` : ''}`;
    console.log(line);
    rows.push(line);
  }
}
console.log(`\nResNet-18 layers (random valid mappings) on eyeriss-like; ${(await import('node:os')).cpus().length} cores`);
