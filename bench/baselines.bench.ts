/**
 * Search baselines on a whole network at an equal wall-clock budget: random search, the genetic algorithm and
 * simulated annealing, each once, and (BENCH_EXHAUSTIVE=1, small map spaces only, e.g. eyeriss-like) the true optimum
 * by enumeration. Run with `npx tsx bench/baselines.bench.ts` (never by the tests).
 *
 * BENCH_PRESET (eyeriss-like), BENCH_NETWORK (resnet18), BENCH_SECONDS (20), BENCH_SEED (1), BENCH_OBJECTIVE (edp),
 * BENCH_METHODS (random,genetic,annealing).
 */
import { getPreset } from '../src/hardware/presets.js';
import { simulatedAnnealing } from '../src/search/annealing.js';
import { exhaustiveSearch } from '../src/search/exhaustive.js';
import { geneticSearch } from '../src/search/genetic.js';
import { randomSearch } from '../src/search/random-search.js';
import { buildTask, totalScore, type Objective, type SearchResult } from '../src/search/task.js';
import { getNetwork } from '../src/workload/networks.js';

const env = process.env;
const presetName = env.BENCH_PRESET ?? 'eyeriss-like';
const networkName = env.BENCH_NETWORK ?? 'resnet18';
const seconds = Number(env.BENCH_SECONDS ?? 20);
const seed = Number(env.BENCH_SEED ?? 1);
const objective = (env.BENCH_OBJECTIVE ?? 'edp') as Objective;
const methods = (env.BENCH_METHODS ?? 'random,genetic,annealing').split(',');

const preset = getPreset(presetName);
const task = buildTask(getNetwork(networkName).layers, preset.arch, (p) => (p.depthwise ? preset.depthwiseConstraints : preset.constraints), objective);
const runners: Record<string, () => Promise<SearchResult>> = {
  random: () => randomSearch(task, { seed, timeLimit: seconds }),
  genetic: () => geneticSearch(task, { seed, timeLimit: seconds }),
  annealing: () => simulatedAnnealing(task, { seed, timeLimit: seconds }),
};

const totalAt = (res: SearchResult, t: number): number => res.trace.filter((x) => x.t <= t).at(-1)?.total ?? Infinity;

console.log(`${networkName} on ${presetName}, ${objective}, ${seconds} s per method, seed ${seed}`);
const results: SearchResult[] = [];
for (const m of methods) {
  const run = runners[m];
  if (!run) throw new Error(`unknown method ${m} (one of ${Object.keys(runners).join(', ')})`);
  const res = await run();
  results.push(res);
  const q = [0.25, 0.5].map((f) => totalAt(res, f * seconds).toExponential(4)).join(' / ');
  console.log(`${m.padEnd(10)} total ${totalScore(task, res.best).toExponential(4)}  ${res.evaluations} evaluations in ${res.seconds.toFixed(1)} s (${(res.evaluations / res.seconds).toFixed(0)}/s)  total at 25%/50% of the budget: ${q}`);
}
if (env.BENCH_EXHAUSTIVE === '1') {
  const t0 = performance.now();
  const ex = await exhaustiveSearch(task, { seed, timeLimit: Infinity });
  const opt = totalScore(task, ex.best);
  const valid = ex.counts.reduce((a, c) => a + c.valid, 0);
  console.log(`exhaustive total ${opt.toExponential(4)}  (${valid} valid points of ${ex.sizes.reduce((a, b) => a + b, 0)}, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  for (const res of results) {
    const gaps = res.best.map((b, l) => (b ? b.scored.score / ex.best[l]!.scored.score - 1 : Infinity));
    const optimal = gaps.filter((g) => g <= 1e-6).length;
    console.log(`${res.method.padEnd(10)} ${((totalScore(task, res.best) / opt - 1) * 100).toFixed(2)}% above the optimum; optimal on ${optimal}/${gaps.length} layers, worst layer +${(Math.max(...gaps) * 100).toFixed(2)}%`);
  }
}
