/**
 * The hardware side of the relaxed joint optimization (DESIGN §3.4): template variables in log space, shared by the
 * starts of a group, turned into each start's accelerator tensors, with the group's network loss under its budgets.
 */
import { archTensorsFor, capacityOfT, fanoutOfT, toLogVector, type HardwareTemplate } from '../hardware/template.js';
import { leakagePowerT } from '../hardware/leakage.js';
import { tf } from '../model/backend.js';
import type { HardwareRows, HardwareTerms, HardwareTermsFactory } from '../mapper/relax.js';
import type { ArchTensors } from '../model/formulate.js';
import type { Objective } from '../mapper/task.js';
import type { Goal } from './goal.js';

/**
 * Co-optimization (DESIGN §3.4): hardware variables shared by groups of starts. Each group holds one start per layer
 * of the network on one hardware point; the group's objective is the network total (latency, or EDP), and its power
 * and area enter as penalties on the log overflow of their budgets (the epsilon-constraint method).
 */
export interface HardwareRelaxation {
  template: HardwareTemplate;
  /** hardware group of each start */
  group: number[];
  /** initial variable values of each group (template order) */
  init: Record<string, number>[];
  goal: Goal;
  /** how often each start's layer runs per inference */
  weight: number[];
  /** charge leakage power (src/hardware/leakage.ts) on top of the dynamic energy (default true) */
  leakage?: boolean;
}

export interface RelaxedHardware {
  /** continuous variable values of each group */
  values: Record<string, number>[];
}

/**
 * Hardware variables in log space, squashed into their [min, max] by a sigmoid, shared by the starts of a group.
 * `rows()` gives each start its accelerator's tensors (energies, areas, bandwidths), capacities and fanouts.
 */
export function hardwareTerms(hw: HardwareRelaxation): HardwareTermsFactory<RelaxedHardware> {
  return (B) => hardwareVariables(hw, B);
}

function hardwareVariables(hw: HardwareRelaxation, B: number): HardwareTerms<RelaxedHardware> {
  const t = hw.template;
  const V = t.variables.length;
  const H = hw.init.length;
  const lo = t.variables.map((v) => Math.log(v.min));
  const hi = t.variables.map((v) => Math.log(v.max));
  const initV = hw.init.flatMap((vals) =>
    toLogVector(t, vals).map((x, i) => {
      const f = Math.min(0.98, Math.max(0.02, (x - lo[i]!) / (hi[i]! - lo[i]!)));
      return Math.log(f / (1 - f));
    }),
  );
  const v = tf.tidy(() => tf.variable(tf.tensor2d(initV, [H, V])));
  const loT = tf.tensor2d(lo, [1, V]);
  const spanT = tf.tensor2d(
    hi.map((h, i) => h - lo[i]!),
    [1, V],
  );
  const groupOf = new Float32Array(B * H);
  hw.group.forEach((g, b) => (groupOf[b * H + g] = 1));
  const G = tf.tensor2d(groupOf, [B, H]);
  const W = tf.tensor2d(Float32Array.from(hw.weight), [B, 1]);
  const logValues = () => tf.add(loT, tf.mul(spanT, tf.sigmoid(v)));
  const meshCols = t.meshes.map((m) => t.variables.findIndex((x) => x.name === m.variable));
  return {
    v,
    rows(): HardwareRows {
      // the hardware functions run once per group ([H,V]); a one-hot matMul copies each group's row to its starts
      // (gather's gradient has no wasm kernel)
      const lv = logValues();
      const a = archTensorsFor(t, lv);
      const words = capacityOfT(t, lv).words;
      const fo = fanoutOfT(t, lv);
      const toRows = (x: tf.Tensor): tf.Tensor => (x.rank === 1 ? tf.matMul(G, x.reshape([H, 1])).reshape([B]) : tf.matMul(G, x));
      const arch = Object.fromEntries(Object.entries(a).map(([k, x]) => [k, toRows(x)])) as unknown as ArchTensors;
      return {
        arch,
        logCap: toRows(tf.log(tf.maximum(words, 1))),
        logFoX: toRows(tf.log(fo.x)),
        logFoY: toRows(tf.log(fo.y)),
        perGroup: { logValues: lv, arch: a, words },
      };
    },
    /** Sum over groups of log(network latency) (+ log energy for EDP) and budget and array-size penalties. */
    networkLoss(objective: Objective, o: { cycles: tf.Tensor; energy: tf.Tensor; area: tf.Tensor }, h: HardwareRows, mu: number) {
      const sumG = (x: tf.Tensor) => tf.matMul(G, tf.mul(W, x.reshape([B, 1])), true, false).reshape([H]);
      const T = sumG(o.cycles);
      const Edyn = sumG(o.energy);
      const meanG = (x: tf.Tensor) => tf.div(tf.matMul(G, x.reshape([B, 1]), true, false).reshape([H]), tf.sum(G, 0));
      const group = h.perGroup ?? { logValues: logValues(), arch: archTensorsFor(t, logValues()), words: capacityOfT(t, logValues()).words };
      const clock = h.perGroup ? group.arch.clockGHz : meanG(h.arch.clockGHz);
      const lv = group.logValues;
      // leakage of each group's hardware (mW), a function of its buffer capacities and instance counts; it adds
      // leak x time to the energy and leak to the power
      let leak: tf.Tensor = tf.zeros([H]);
      if (hw.leakage ?? true) {
        const a = group.arch;
        leak = leakagePowerT(t.base, group.words, a.instances, a.macInstances, a.eLeak);
      }
      const E = tf.add(Edyn, tf.div(tf.mul(leak, T), clock));
      const power = tf.add(tf.div(tf.mul(Edyn, clock), T), leak);
      const area = tf.div(meanG(o.area), 1e6);
      const g = hw.goal;
      const main =
        g.kind === 'weighted'
          ? tf.log(tf.add(tf.mul(g.weight / g.norm.cycles, T), tf.mul((1 - g.weight) / g.norm.power, power)))
          : objective === 'edp'
            ? tf.add(tf.log(T), tf.log(E))
            : objective === 'energy'
              ? tf.log(E)
              : tf.log(T);
      const budgets = g.kind === 'budget' ? g.budgets : { power_mW: null, area_mm2: g.area_mm2 };
      const over = (x: tf.Tensor, budget: number | null) =>
        budget === null ? tf.zeros([H]) : tf.square(tf.relu(tf.sub(tf.log(x), Math.log(budget))));
      // log of the product of the meshes (the PEs) against the template's limit
      const pes = meshCols.reduce((a, i) => tf.add(a, lv.slice([0, i], [H, 1]).reshape([H])), tf.zeros([H]));
      const arrayOver = tf.square(tf.relu(tf.sub(pes, Math.log(t.maxMeshProduct))));
      const penalty = tf.add(tf.add(over(power, budgets.power_mW), over(area, budgets.area_mm2)), arrayOver);
      return tf.sum(tf.add(main, tf.mul(4 * mu, penalty)));
    },
    async values(): Promise<RelaxedHardware> {
      const lv = tf.tidy(logValues); // tidy: its sigmoid and product would outlive the call
      const data = (await lv.data()) as Float32Array;
      lv.dispose();
      return { values: Array.from({ length: H }, (_, g) => Object.fromEntries(t.variables.map((x, i) => [x.name, Math.exp(data[g * V + i]!)]))) };
    },
    dispose() {
      tf.dispose([v, loT, spanT, G, W]);
    },
  };
}
