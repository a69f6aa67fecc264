/**
 * A worker thread of the search thread (`search-thread.ts`): it runs mapping searches (some layers of one hardware
 * point, or the walks of some points of a batch) on its own core and sends back each layer's archive of (cycles,
 * energy, power) mappings with the best mappings or the walkers' ends.
 */
import { parentPort } from 'node:worker_threads';
import { PowerParetoArchive } from '../coopt/power-archive.js';
import { buildMapSpace } from '../mapping/mapspace.js';
import { codesignSearch } from '../mapper/codesign-search.js';
import { walkFromStarts } from '../coopt/hardware-walk.js';
import type { Accelerator } from '../hardware/accelerator.js';
import type { LayerTask } from '../mapper/task.js';
import type { JobLayer, SearchJob, SearchReply } from './search-thread.js';

const reply = (m: SearchReply) => parentPort!.postMessage(m);
const taskOn = (x: JobLayer, arch: Accelerator): LayerTask => ({
  layer: x.layer,
  problem: x.problem,
  groups: x.groups,
  space: buildMapSpace(x.problem, arch, x.constraints),
});

reply({ id: -1, ok: true, ready: true });
parentPort!.on('message', (m: SearchJob) => {
  void (async () => {
    try {
      const timeLimit = Math.max(0.01, (m.until - Date.now()) / 1000);
      if (m.kind === 'search') {
        const layers = m.layers.map((x) => taskOn(x, m.arch));
        const archives = layers.map(() => new PowerParetoArchive(48));
        const res = await codesignSearch(
          { arch: m.arch, objective: m.objective, layers },
          { seed: m.seed, timeLimit, patience: 1, archives, pool: null, startsPerLayer: m.startsPerLayer, walkersPerLayer: m.walkersPerLayer },
        );
        reply({ id: m.id, ok: true, options: archives.map((a) => a.options), best: res.best, ends: [], evaluations: res.evaluations });
        return;
      }
      const layerTasks = m.archs.flatMap((arch) => m.layers.map((x) => taskOn(x, arch)));
      const archives = layerTasks.map((_, i) => {
        const a = new PowerParetoArchive(48);
        for (const o of m.known[i] ?? []) a.offer(o);
        return a;
      });
      const res = await walkFromStarts({
        arch: m.archs[0]!,
        layerTasks,
        archives,
        starts: m.starts,
        objective: m.objective,
        walkers: m.walkers,
        rounds: m.rounds,
        timeLimit,
        pool: null,
      });
      reply({ id: m.id, ok: true, options: archives.map((a) => a.options), best: [], ends: res.ends, evaluations: res.evaluations });
    } catch (e) {
      reply({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  })();
});
