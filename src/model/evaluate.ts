import { DATASPACES, type DataSpace } from '../workload/layer.js';
import { initBackend, tf } from './backend.js';
import { encodeBatch, NDS, type Candidate } from './encode.js';
import { formulate, makeStatics, type ModelOutputs } from './formulate.js';
import { linkAdjustments } from './links.js';
import { detailFast, metricsFast } from './fast/evaluate-fast.js';

export interface DataSpaceCounts {
  /** totals over utilized instances (Timeloop's per-instance scalar counts x utilized instances) */
  reads: number;
  fills: number;
  updates: number;
  /** per instance, as Timeloop prints them */
  readsPerInstance: number;
  fillsPerInstance: number;
  updatesPerInstance: number;
  /** words of this dataspace one instance holds (utilized capacity) */
  tileWords: number;
  /** distinct destinations of one parent read below this level (multicast groups; reduction groups for Outputs) */
  multicastGroups: number;
}

export interface LevelResult {
  name: string;
  energy_pJ: number;
  cycles: number;
  utilizedInstances: number;
  dataspaces: Partial<Record<DataSpace, DataSpaceCounts>>;
}

export interface Evaluation {
  cycles: number;
  energy_pJ: number;
  power_mW: number;
  area_um2: number;
  macs: number;
  computeCycles: number;
  utilizedMacs: number;
  utilization: number;
  mac_energy_pJ: number;
  levels: LevelResult[];
  /** inter-PE link transfers were modelled for this candidate (§8, evaluated outside the batched path) */
  linkTransfers: boolean;
}

/** Compact results for search: one entry per candidate. */
export interface Metrics {
  cycles: Float64Array | Float32Array;
  energy: Float64Array | Float32Array;
  power: Float64Array | Float32Array;
  area: Float64Array | Float32Array;
}

const DEFAULT_CHUNK = 2048;

async function runChunks<R>(
  cands: readonly Candidate[],
  chunk: number,
  pick: (out: ModelOutputs) => tf.Tensor[],
  collect: (vals: Float32Array[], from: number, n: number) => R[],
): Promise<R[]> {
  await initBackend();
  const results: R[] = [];
  for (let i = 0; i < cands.length; i += chunk) {
    const part = cands.slice(i, i + chunk);
    const { batch, arch } = encodeBatch(part);
    const link = linkAdjustments(part, batch);
    const tensors = tf.tidy(() => {
      const st = makeStatics(batch, arch);
      const { out } = formulate(
        tf.tensor3d(batch.nT, [batch.B, batch.S, 7]),
        tf.tensor3d(batch.nS, [batch.B, batch.S, 7]),
        st,
        { mode: 'exact' },
        undefined,
        link ? link.tensors() : undefined,
      );
      return pick(out);
    });
    const vals = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose(tensors);
    results.push(...collect(vals, i, part.length));
  }
  return results;
}

/**
 * Exact evaluation of every candidate with per-level detail: the fast float64 path (`src/model/fast/`), which is
 * pinned to the tensor formulation by the differential tests. Counts are exact integers up to 2^53.
 */
export async function evaluate(cands: readonly Candidate[]): Promise<Evaluation[]> {
  return cands.map((c) => {
    const { metrics: m, detail: d } = detailFast(c);
    const macs = Object.values(c.problem.dims).reduce((x, y) => x * y, 1);
    const levels: LevelResult[] = c.arch.levels.map((lv, s) => {
      const dataspaces: LevelResult['dataspaces'] = {};
      const n = d.instances[s]!;
      DATASPACES.forEach((ds, i) => {
        if (!c.mapping.levels[s]!.keep[ds]) return;
        const k = s * NDS + i;
        dataspaces[ds] = {
          reads: d.reads[k]! * n,
          fills: d.fills[k]! * n,
          updates: d.updates[k]! * n,
          readsPerInstance: d.reads[k]!,
          fillsPerInstance: d.fills[k]!,
          updatesPerInstance: d.updates[k]!,
          tileWords: d.tile[k]!,
          multicastGroups: d.multicast[k]!,
        };
      });
      return { name: lv.name, energy_pJ: d.levelEnergy[s]!, cycles: d.levelCycles[s]!, utilizedInstances: n, dataspaces };
    });
    return {
      cycles: m.cycles[0]!,
      energy_pJ: m.energy[0]!,
      power_mW: m.power[0]!,
      area_um2: m.area[0]!,
      macs,
      computeCycles: d.computeCycles,
      utilizedMacs: d.utilizedMacs,
      utilization: macs / (c.arch.mac.instances * m.cycles[0]!),
      mac_energy_pJ: macs * c.arch.mac.energyPerMAC,
      levels,
      linkTransfers: false,
    };
  });
}

/** Exact cycles, energy, power and area only (the fast path): the search's inner loop. */
export async function evaluateMetrics(cands: readonly Candidate[]): Promise<Metrics> {
  return metricsFast(cands);
}

/** The same as `evaluate`, through the tensor formulation (float32): the reference the fast path is tested against. */
export async function evaluateTensor(cands: readonly Candidate[], opts: { chunk?: number } = {}): Promise<Evaluation[]> {
  return runChunks(
    cands,
    opts.chunk ?? DEFAULT_CHUNK,
    (o) => [
      o.cycles,
      o.energy,
      o.power,
      o.area,
      o.computeCycles,
      o.utilizedMacs,
      o.levelEnergy,
      o.levelCycles,
      o.reads,
      o.fills,
      o.updates,
      o.instances,
      o.tile,
      o.multicast,
    ],
    (v, from, n) => {
      const [cycles, energy, power, area, cc, umacs, lE, lC, rd, fl, up, inst, tile, mc] = v as Float32Array[];
      const S = lE.length / n;
      const res: Evaluation[] = [];
      for (let b = 0; b < n; b++) {
        const c = cands[from + b]!;
        const L = c.arch.levels.length;
        const pad = S - L;
        const macs = Object.values(c.problem.dims).reduce((m, x) => m * x, 1);
        const levels: LevelResult[] = c.arch.levels.map((lv, l) => {
          const s = l + pad;
          const k = b * S + s;
          const dataspaces: LevelResult['dataspaces'] = {};
          DATASPACES.forEach((ds, d) => {
            if (!c.mapping.levels[l]!.keep[ds]) return;
            const i = k * NDS + d;
            dataspaces[ds] = {
              reads: rd[i]! * inst[k]!,
              fills: fl[i]! * inst[k]!,
              updates: up[i]! * inst[k]!,
              readsPerInstance: rd[i]!,
              fillsPerInstance: fl[i]!,
              updatesPerInstance: up[i]!,
              tileWords: tile[i]!,
              multicastGroups: mc[i]!,
            };
          });
          return { name: lv.name, energy_pJ: lE[k]!, cycles: lC[k]!, utilizedInstances: inst[k]!, dataspaces };
        });
        res.push({
          cycles: cycles[b]!,
          energy_pJ: energy[b]!,
          power_mW: power[b]!,
          area_um2: area[b]!,
          macs,
          computeCycles: cc[b]!,
          utilizedMacs: umacs[b]!,
          utilization: macs / (c.arch.mac.instances * cycles[b]!),
          mac_energy_pJ: macs * c.arch.mac.energyPerMAC,
          levels,
          linkTransfers: false,
        });
      }
      return res;
    },
  );
}

/** `evaluateMetrics` through the tensor formulation (float32). */
export async function evaluateMetricsTensor(cands: readonly Candidate[], opts: { chunk?: number } = {}): Promise<Metrics> {
  const rows = await runChunks(
    cands,
    opts.chunk ?? DEFAULT_CHUNK,
    (o) => [o.cycles, o.energy, o.power, o.area],
    (v, _from, n) => [v.map((a) => a.slice(0, n))],
  );
  const B = cands.length;
  const m: Metrics = { cycles: new Float32Array(B), energy: new Float32Array(B), power: new Float32Array(B), area: new Float32Array(B) };
  let off = 0;
  for (const [c, e, p, a] of rows as unknown as Float32Array[][]) {
    m.cycles.set(c!, off);
    m.energy.set(e!, off);
    m.power.set(p!, off);
    m.area.set(a!, off);
    off += c!.length;
  }
  return m;
}
