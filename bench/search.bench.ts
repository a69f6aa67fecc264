/**
 * `npm run bench:search`: our mapping search against random search, a GAMMA-style genetic algorithm and simulated
 * annealing, on ResNet-18 for eyeriss-like and simba-like, with the same model, validity rules, seed and wall-clock
 * budget per method. Prints the total EDP per method (sum over layers of EDP x repeats, J x cycles), the network EDP
 * (total energy x total cycles) and the time each method takes to come within 1% of its own final total; then the
 * optimality gap against exhaustive enumeration on eyeriss-like, whose ResNet-18 map spaces are small enough.
 *
 * Env: BENCH_SECONDS (30), BENCH_SEED (1), BENCH_PRESETS (eyeriss-like,simba-like), BENCH_METHODS, BENCH_EXHAUSTIVE (1).
 */
import { getPreset } from '../src/hardware/presets.js';
import { simulatedAnnealing } from '../src/baselines/annealing.js';
import { codesignSearch } from '../src/mapper/codesign-search.js';
import { exhaustiveSearch } from '../src/baselines/exhaustive.js';
import { geneticSearch } from '../src/baselines/genetic.js';
import { randomSearch } from '../src/baselines/random-search.js';
import { buildTask, totalScore, type SearchResult, type SearchTask } from '../src/mapper/task.js';
import { getNetwork } from '../src/workload/networks.js';

const env = process.env;
const seconds = Number(env.BENCH_SECONDS ?? 30);
const seed = Number(env.BENCH_SEED ?? 1);
const presets = (env.BENCH_PRESETS ?? 'eyeriss-like,simba-like').split(',');
const methods = (env.BENCH_METHODS ?? 'codesign,random,genetic,annealing').split(',');

const runners: Record<string, (task: SearchTask) => Promise<SearchResult>> = {
  codesign: (task) => codesignSearch(task, { seed, timeLimit: seconds }),
  random: (task) => randomSearch(task, { seed, timeLimit: seconds }),
  genetic: (task) => geneticSearch(task, { seed, timeLimit: seconds }),
  annealing: (task) => simulatedAnnealing(task, { seed, timeLimit: seconds }),
};

/** Seconds until the trace first comes within 1% of the method's final total. */
function timeToOnePercent(res: SearchResult): number {
  const final = res.trace.at(-1)?.total ?? Infinity;
  return res.trace.find((x) => x.total <= final * 1.01)?.t ?? NaN;
}

function networkEdp(task: SearchTask, res: SearchResult): number {
  let e = 0;
  let c = 0;
  res.best.forEach((b, l) => {
    const n = task.layers[l]!.layer.repeat * task.layers[l]!.groups;
    e += n * (b?.scored.energy ?? Infinity);
    c += n * (b?.scored.cycles ?? Infinity);
  });
  return e * 1e-12 * c;
}

for (const presetName of presets) {
  const preset = getPreset(presetName);
  const task = buildTask(getNetwork('resnet18').layers, preset.arch, (p) => (p.depthwise ? preset.depthwiseConstraints : preset.constraints), 'edp');
  console.log(`\nResNet-18 on ${presetName}, EDP, budget ${seconds} s per method, seed ${seed}`);
  console.log('method      sum of layer EDP   network EDP    within 1% at   ran       evaluations');
  const results: SearchResult[] = [];
  for (const m of methods) {
    const res = await runners[m]!(task);
    results.push(res);
    console.log(
      `${m.padEnd(10)}  ${totalScore(task, res.best).toExponential(4).padStart(12)}   ${networkEdp(task, res).toExponential(4).padStart(11)}   ${timeToOnePercent(res).toFixed(1).padStart(8)} s   ${res.seconds.toFixed(1).padStart(5)} s   ${res.evaluations.toLocaleString('en-US').padStart(11)}`,
    );
  }
  if (presetName === 'eyeriss-like' && env.BENCH_EXHAUSTIVE !== '0') {
    const t0 = performance.now();
    const ex = await exhaustiveSearch(task, { seed, timeLimit: Infinity });
    const opt = totalScore(task, ex.best);
    const valid = ex.counts.reduce((a, c) => a + c.valid, 0);
    console.log(
      `exhaustive  ${opt.toExponential(4).padStart(12)}   (the optimum under the model: ${valid.toLocaleString('en-US')} valid mappings enumerated in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    for (const res of results) {
      const gaps = res.best.map((b, l) => (b ? b.scored.score / ex.best[l]!.scored.score - 1 : Infinity));
      const optimal = gaps.filter((g) => g <= 1e-6).length;
      console.log(
        `  gap of ${res.method.padEnd(10)} ${((totalScore(task, res.best) / opt - 1) * 100).toFixed(3)}% in total; optimal on ${optimal}/${gaps.length} layers, worst layer +${(Math.max(...gaps) * 100).toFixed(3)}%`,
      );
    }
  }
}
