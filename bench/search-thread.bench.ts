/**
 * `npm run bench:thread`: the co-optimizer's batched hardware-point search on one thread and with the search thread
 * (half of the points walk there), on the same points: 16 compass neighbours of simba-like's original hardware for
 * MobileNetV2, with the local search's half rounds as in the hardware search. Alternating runs, fresh evaluators; the
 * two give the same evaluations (the walks end by their rounds), so the times compare the same work.
 *
 *   npm run bench:thread                   # CODESIGN_THREAD_REPS (default 4) runs of each
 */
import { compass } from '../src/coopt/hardware-moves.js';
import { HardwareEvaluator } from '../src/coopt/hardware-eval.js';
import { evaluatorOptions } from '../src/coopt/sweep.js';
import { getPreset } from '../src/hardware/presets.js';
import { getTemplate, originalValues } from '../src/hardware/template.js';
import { sharedSearchThread } from '../src/parallel/search-thread.js';
import { getNetwork } from '../src/workload/networks.js';

const REPS = Number(process.env.CODESIGN_THREAD_REPS ?? 4);
const t = getTemplate('simba-like');
const preset = getPreset('simba-like');
const net = getNetwork('mobilenetv2');
const constraintsFor = (p: { depthwise?: boolean }) => (p.depthwise ? preset.depthwiseConstraints : preset.constraints);
const thread = await sharedSearchThread();
if (!thread) throw new Error('no search thread: this bench needs worker threads and CODESIGN_WORKERS unset or > 0');
await thread.whenReady();
const points = compass(t, originalValues(t), 1).slice(0, 16);
const times: Record<'one thread' | 'search thread', number[]> = { 'one thread': [], 'search thread': [] };
const evals = new Set<number>();
// (the first pair warms the JIT up and is not counted)
for (let rep = 0; rep <= REPS; rep++)
  for (const mode of ['one thread', 'search thread'] as const) {
    const ev = new HardwareEvaluator(t, net.layers, constraintsFor, { ...evaluatorOptions({ leakage: true }), pool: null });
    ev.thread = mode === 'search thread' ? thread : null;
    const t0 = performance.now();
    await ev.evaluate(points, () => 600, null, Math.ceil(ev.opts.rounds / 2));
    if (rep > 0) times[mode].push((performance.now() - t0) / 1000);
    evals.add(ev.evaluations);
  }
const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
const a = mean(times['one thread']);
const b = mean(times['search thread']);
console.log(
  `${points.length} hardware points x ${net.layers.length} layers, ${[...evals].join(' / ')} model evaluations per run (${evals.size === 1 ? 'the same' : 'DIFFERENT'} in both modes)`,
);
console.log(`one thread:    ${a.toFixed(3)} s (${times['one thread'].map((x) => x.toFixed(2)).join(', ')})`);
console.log(`search thread: ${b.toFixed(3)} s (${times['search thread'].map((x) => x.toFixed(2)).join(', ')})`);
console.log(`speed-up: ${(a / b).toFixed(2)}x`);
process.exit(evals.size === 1 ? 0 : 1);
