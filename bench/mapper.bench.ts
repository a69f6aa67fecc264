/**
 * `npm run bench:mapper`: our mapping search against timeloop-mapper's best mappings (the reference cases tagged
 * `mapper`: random-pruned, EDP, 2 threads, with the architecture and mapspace constraints). For each architecture,
 * every layer that has a mapper case is optimized under the same constraints; both mappings are evaluated by our exact
 * model (which reproduces Timeloop's numbers). Prints per-layer EDP ratios ours / mapper, their geomean, and wall time
 * against the mapper's; then the same without constraints (--no-constraints), apart.
 *
 * Env: BENCH_SECONDS (60, our time limit per architecture), BENCH_SEED (1), BENCH_ARCHS, BENCH_LAYERS (a name filter),
 * BENCH_UNCONSTRAINED=0 (skip the unconstrained runs).
 */
import { getPreset } from '../src/hardware/presets.js';
import { evaluate } from '../src/model/evaluate.js';
import { codesignSearch } from '../src/mapper/codesign-search.js';
import { buildTask } from '../src/mapper/task.js';
import { problemAsLayer } from '../src/workload/layer.js';
import { caseIds, loadRefCase } from '../test/helpers/cases.js';

const env = process.env;
const seconds = Number(env.BENCH_SECONDS ?? 60);
const seed = Number(env.BENCH_SEED ?? 1);
const archs = (env.BENCH_ARCHS ?? 'eyeriss_like,simba_like,simple_ws,simple_os').split(',');
const filter = new RegExp(env.BENCH_LAYERS ?? '.');

for (const arch of archs) {
  const cases = caseIds()
    .filter((id) => id.startsWith(`${arch}__`) && id.endsWith('__mapper') && filter.test(id))
    .map(loadRefCase);
  if (cases.length === 0) continue;
  const preset = getPreset(arch);
  const layers = cases.map((c) => problemAsLayer(c.cand.problem, c.expected.layer));
  const mapper = await evaluate(cases.map((c) => c.cand));
  const mapperWall = cases.reduce((a, c) => a + (c.expected.mapper_run?.wall_time_s ?? 0), 0);
  for (const constrained of env.BENCH_UNCONSTRAINED === '0' ? [true] : [true, false]) {
    const task = buildTask(layers, preset.arch, (p) => (!constrained ? null : p.depthwise ? preset.depthwiseConstraints : preset.constraints), 'edp');
    const res = await codesignSearch(task, { seed, timeLimit: seconds });
    console.log(`\n${arch}, ${constrained ? 'same constraints as timeloop-mapper' : 'no constraints (--no-constraints)'}: ${cases.length} layers`);
    console.log('layer                           ours EDP    mapper EDP   ours/mapper');
    let logSum = 0;
    let worse = 0;
    cases.forEach((c, i) => {
      const ours = res.best[i]!.scored.score;
      const theirs = mapper[i]!.energy_pJ * 1e-12 * mapper[i]!.cycles;
      const ratio = ours / theirs;
      logSum += Math.log(ratio);
      if (ratio > 1 + 1e-9) worse++;
      console.log(
        `${c.expected.layer.padEnd(30)} ${ours.toExponential(4).padStart(11)}  ${theirs.toExponential(4).padStart(11)}   ${ratio.toFixed(4)}`,
      );
    });
    console.log(
      `geomean ours/mapper ${Math.exp(logSum / cases.length).toFixed(4)}; worse on ${worse}/${cases.length} layers; ` +
        `our search ${res.seconds.toFixed(1)} s for all layers together vs timeloop-mapper ${mapperWall.toFixed(1)} s (sum of its per-layer runs)`,
    );
  }
}
