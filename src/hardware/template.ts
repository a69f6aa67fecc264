/**
 * Hardware templates: the reference architectures (presets) with variables for the PE array (meshX x meshY fanout of
 * the level above the PEs), the depth of each on-chip buffer and, optionally, the global buffer's bandwidth.
 *
 * - `instantiate(template, values)` builds a full Accelerator: instances and meshes of every level below the PE array
 *   scale with the array (each PE's inner structure, e.g. simba's 4 weight buffers and 16 registers per PE, is kept),
 *   capacities follow the depths, energies and areas come from the calibrated cost model (costmodel.ts), so the
 *   original values reproduce the preset exactly; `hardwareKeep` and the YAML tree (`source`) are kept, and the
 *   attributes (memory_depth, meshX, bandwidths) are updated so that `writeHardwareYaml` round-trips through the
 *   Timeloop readers.
 * - `archTensorsFor(template, logValues)` gives the model's ArchTensors ([B,S] per level, [B] for the MACs) as smooth
 *   functions of the log variables, so the relaxed model can take gradients through the hardware.
 * - `fanoutOf` / `capacityOf` (and their tensor versions) give the per-level fanout and capacity for constraints.
 *
 * Bandwidth variables (opt-in: `getTemplate(name, {bandwidth: true})`) model a buffer with r = bandwidth / original
 * bandwidth times the banks: r banks of 1/r the capacity each, so an access costs what one bank's access costs and the
 * area is r times one bank's area (the per-bank overhead comes from the fitted area curve's constant).
 */
import { InputError } from '../errors.js';
import type { ArchTensors } from '../model/formulate.js';
import { tf } from '../model/backend.js';
import { timeloopLayout, writeArchitectureYaml, writeArtYaml, writeErtYaml } from '../timeloop/arch.js';
import type { Accelerator, ArithmeticLevel, StorageLevel } from './accelerator.js';
import { fanoutBelow } from './accelerator.js';
import {
  calibrateMac,
  calibrateStorage,
  capacityBitsOf,
  macCost,
  storageCost,
  storageCostT,
  type MacCalibration,
  type StorageCalibration,
  type StorageCostClass,
} from './costmodel.js';
import { getPreset } from './presets.js';

type T = tf.Tensor;

export type VariableKind = 'meshX' | 'meshY' | 'depth' | 'bandwidth';

export interface HardwareVariable {
  /** e.g. `PE.meshX`, `shared_glb.depth`, `shared_glb.bandwidth` */
  name: string;
  /** depth/bandwidth: the storage level; meshX/meshY: the storage level whose spatial fanout this is (above the PEs) */
  level?: string;
  kind: VariableKind;
  min: number;
  max: number;
  /** the preset's value */
  original: number;
  /** integer (depths of register files, meshes) or power of two (SRAM depths, bandwidths), within [min, max] */
  allowed(value: number): boolean;
  /** the nearest allowed value (powers of two: nearest in log scale) */
  legalize(x: number): number;
  /** what `allowed` checks besides the range */
  step: 'integer' | 'power of two';
}

/** How one component below the PE array scales with it. */
interface ArrayMember {
  /** instances per PE and meshX per PE column (from the preset) */
  perPE: number;
  meshXPerPE: number;
}

export interface HardwareTemplate {
  name: string;
  description: string;
  /** the preset's Accelerator (do not modify) */
  base: Accelerator;
  variables: HardwareVariable[];
  /** index (innermost first) of the storage level right above the PE array */
  arrayParent: number;
  /** limit on meshX * meshY (number of PEs) */
  maxPEs: number;
  /** the original PE array */
  mesh0: { x: number; y: number };
  /** per storage level (innermost first): null above the PE array */
  members: (ArrayMember | null)[];
  macMember: ArrayMember;
  calibration: { levels: StorageCalibration[]; mac: MacCalibration };
}

interface TemplateSpec {
  preset: string;
  description: string;
  arrayParent: string;
  maxPEs: number;
  meshMax: number;
  /** storage levels with a depth variable, and their range */
  depths: Record<string, { min: number; max: number }>;
  /** levels that get a bandwidth variable when asked for (range: original / 4 .. original * 4) */
  bandwidth: string[];
}

const SPECS: TemplateSpec[] = [
  {
    preset: 'eyeriss-like',
    description: 'eyeriss-like: 14 x 12 PEs under shared_glb (128 KiB); per PE ifmap_spad (12), weights_spad (192), psum_spad (16), 16-bit',
    arrayParent: 'shared_glb',
    maxPEs: 1024,
    meshMax: 64,
    depths: {
      shared_glb: { min: 1024, max: 262144 },
      ifmap_spad: { min: 1, max: 192 },
      weights_spad: { min: 12, max: 3072 },
      psum_spad: { min: 1, max: 256 },
    },
    bandwidth: ['shared_glb'],
  },
  {
    preset: 'simba-like',
    description:
      'simba-like: 16 PEs (16 x 1) under GlobalBuffer (64 KiB); per PE PEInputBuffer, 4 PEWeightBuffer, 4 PEAccuBuffer, 16 PEWeightRegs (fixed), 16 MACs',
    arrayParent: 'GlobalBuffer',
    maxPEs: 256,
    meshMax: 64,
    depths: {
      GlobalBuffer: { min: 128, max: 32768 },
      PEInputBuffer: { min: 64, max: 16384 },
      PEWeightBuffer: { min: 32, max: 8192 },
      PEAccuBuffer: { min: 8, max: 2048 },
    },
    bandwidth: ['GlobalBuffer'],
  },
  {
    preset: 'simple-ws',
    description: 'simple-ws: 16 x 16 PEs under shared_glb (128 KiB); per PE pe_spad (192, weights)',
    arrayParent: 'shared_glb',
    maxPEs: 1024,
    meshMax: 64,
    depths: { shared_glb: { min: 1024, max: 262144 }, pe_spad: { min: 12, max: 3072 } },
    bandwidth: ['shared_glb'],
  },
  {
    preset: 'simple-os',
    description: 'simple-os: 16 x 16 PEs under shared_glb (128 KiB); per PE pe_spad (64, outputs)',
    arrayParent: 'shared_glb',
    maxPEs: 1024,
    meshMax: 64,
    depths: { shared_glb: { min: 1024, max: 262144 }, pe_spad: { min: 4, max: 1024 } },
    bandwidth: ['shared_glb'],
  },
];

export function templateNames(): string[] {
  return SPECS.map((s) => s.preset);
}

const isPow2 = (v: number): boolean => Number.isInteger(v) && v > 0 && (v & (v - 1)) === 0 && v <= 2 ** 30;

function makeVariable(
  name: string,
  kind: VariableKind,
  level: string | undefined,
  min: number,
  max: number,
  original: number,
  pow2: boolean,
): HardwareVariable {
  const lo = pow2 ? 2 ** Math.ceil(Math.log2(min)) : Math.ceil(min);
  const hi = pow2 ? 2 ** Math.floor(Math.log2(max)) : Math.floor(max);
  const v: HardwareVariable = {
    name,
    kind,
    min: lo,
    max: hi,
    original,
    allowed: (x: number): boolean => Number.isFinite(x) && x >= lo && x <= hi && (pow2 ? isPow2(x) : Number.isInteger(x)),
    legalize: (x: number): number => {
      if (!Number.isFinite(x) || x <= 0) return lo;
      const r = pow2 ? 2 ** Math.round(Math.log2(x)) : Math.round(x);
      return Math.min(hi, Math.max(lo, r));
    },
    step: pow2 ? 'power of two' : 'integer',
  };
  if (level !== undefined) v.level = level;
  return v;
}

const cache = new Map<string, HardwareTemplate>();

/**
 * The template over a preset (eyeriss-like, simba-like, simple-ws, simple-os; also eyeriss_like). `bandwidth: true`
 * adds a bandwidth variable for the global buffer. Unknown names are an InputError.
 */
export function getTemplate(name: string, options: { bandwidth?: boolean } = {}): HardwareTemplate {
  const norm = name.trim().toLowerCase().replace(/_/g, '-');
  const spec = SPECS.find((s) => s.preset === norm);
  if (!spec) throw new InputError(name, 'template', `one of the templates ${templateNames().join(', ')}`, 'unknown template');
  const key = `${spec.preset}|${options.bandwidth ? 1 : 0}`;
  if (!cache.has(key)) cache.set(key, buildTemplate(spec, options.bandwidth === true));
  return cache.get(key)!;
}

function buildTemplate(spec: TemplateSpec, bandwidth: boolean): HardwareTemplate {
  const base = getPreset(spec.preset).arch;
  const parent = base.levels.findIndex((l) => l.name === spec.arrayParent);
  if (parent < 1) throw new Error(`template ${spec.preset}: no level ${spec.arrayParent} above the PEs`);
  const fo = fanoutBelow(base, parent);
  const P0 = fo.total;
  const mesh0 = { x: fo.x, y: fo.y };
  const member = (c: { instances: number; meshX: number; name: string }): ArrayMember => {
    const perPE = c.instances / P0;
    const meshXPerPE = c.meshX / mesh0.x;
    if (!Number.isInteger(perPE) || !Number.isInteger(meshXPerPE))
      throw new Error(`template ${spec.preset}: ${c.name} does not scale with the ${mesh0.x} x ${mesh0.y} array`);
    return { perPE, meshXPerPE };
  };
  const members = base.levels.map((l, s) => (s < parent ? member(l) : null));
  const variables: HardwareVariable[] = [
    makeVariable('PE.meshX', 'meshX', spec.arrayParent, 1, spec.meshMax, mesh0.x, false),
    makeVariable('PE.meshY', 'meshY', spec.arrayParent, 1, spec.meshMax, mesh0.y, false),
  ];
  // depths, outermost level first
  for (let s = base.levels.length - 1; s >= 0; s--) {
    const l = base.levels[s]!;
    const range = spec.depths[l.name];
    if (!range || l.depth === null) continue;
    const pow2 = calibrateStorage(l).costClass === 'sram';
    variables.push(makeVariable(`${l.name}.depth`, 'depth', l.name, range.min, range.max, l.depth, pow2));
  }
  if (bandwidth) {
    for (const n of spec.bandwidth) {
      const l = base.levels.find((x) => x.name === n)!;
      const bw = l.readBandwidth ?? l.writeBandwidth;
      if (bw === null) continue;
      variables.push(makeVariable(`${n}.bandwidth`, 'bandwidth', n, bw / 4, bw * 4, bw, true));
    }
  }
  for (const v of variables)
    if (!v.allowed(v.original)) throw new Error(`template ${spec.preset}: original ${v.name} = ${v.original} is not allowed`);
  return {
    name: spec.preset,
    description: spec.description,
    base,
    variables,
    arrayParent: parent,
    maxPEs: spec.maxPEs,
    mesh0,
    members,
    macMember: member(base.mac),
    calibration: { levels: base.levels.map((l) => calibrateStorage(l)), mac: calibrateMac(base.mac) },
  };
}

// ---------------------------------------------------------------- values

/** The preset's values, by variable name. */
export function originalValues(t: HardwareTemplate): Record<string, number> {
  return Object.fromEntries(t.variables.map((v) => [v.name, v.original]));
}

function fullValues(t: HardwareTemplate, values: Record<string, number>): Record<string, number> {
  for (const k of Object.keys(values)) {
    if (!t.variables.some((v) => v.name === k))
      throw new InputError(`template ${t.name}`, k, `one of the variables ${t.variables.map((v) => v.name).join(', ')}`, 'unknown variable');
  }
  return { ...originalValues(t), ...values };
}

/** Problems with a point (each variable allowed, meshX * meshY <= maxPEs); empty when it is legal. */
export function checkValues(t: HardwareTemplate, values: Record<string, number>): { variable: string; expected: string; got: number }[] {
  const all = fullValues(t, values);
  const errs: { variable: string; expected: string; got: number }[] = [];
  for (const v of t.variables) {
    const x = all[v.name]!;
    if (!v.allowed(x))
      errs.push({ variable: v.name, expected: `${v.step === 'integer' ? 'an integer' : 'a power of two'} in [${v.min}, ${v.max}]`, got: x });
  }
  const pes = all['PE.meshX']! * all['PE.meshY']!;
  if (pes > t.maxPEs) errs.push({ variable: 'PE.meshX * PE.meshY', expected: `at most ${t.maxPEs} PEs`, got: pes });
  return errs;
}

/** The nearest legal point: each variable legalized, then the larger mesh side reduced until the array fits maxPEs. */
export function legalizeValues(t: HardwareTemplate, values: Record<string, number>): Record<string, number> {
  const all = fullValues(t, values);
  const out: Record<string, number> = {};
  for (const v of t.variables) out[v.name] = v.legalize(all[v.name]!);
  while (out['PE.meshX']! * out['PE.meshY']! > t.maxPEs) {
    if (out['PE.meshX']! >= out['PE.meshY']!) out['PE.meshX']!--;
    else out['PE.meshY']!--;
  }
  return out;
}

/** Values -> log values in the template's variable order (the layout of `archTensorsFor`'s input rows). */
export function toLogVector(t: HardwareTemplate, values: Record<string, number>): number[] {
  const all = fullValues(t, values);
  return t.variables.map((v) => Math.log(all[v.name]!));
}

// ---------------------------------------------------------------- shared per-point quantities (numbers)

interface LevelPoint {
  instances: number;
  meshX: number;
  depth: number | null;
  /** banks relative to the original (bandwidth / original bandwidth) */
  bankRatio: number;
  bandwidth: number | null;
}

function pointOf(t: HardwareTemplate, all: Record<string, number>): { levels: LevelPoint[]; mac: { instances: number; meshX: number } } {
  const mx = all['PE.meshX']!;
  const my = all['PE.meshY']!;
  const levels = t.base.levels.map((l, s): LevelPoint => {
    const m = t.members[s];
    const d = all[`${l.name}.depth`];
    const bw = all[`${l.name}.bandwidth`];
    const bw0 = l.readBandwidth ?? l.writeBandwidth;
    return {
      instances: m ? m.perPE * mx * my : l.instances,
      meshX: m ? m.meshXPerPE * mx : l.meshX,
      depth: d ?? l.depth,
      bankRatio: bw !== undefined && bw0 ? bw / bw0 : 1,
      bandwidth: bw ?? null,
    };
  });
  return { levels, mac: { instances: t.macMember.perPE * mx * my, meshX: t.macMember.meshXPerPE * mx } };
}

/** Spatial fanout below each storage level (innermost first) at a point; continuous values are allowed. */
export function fanoutOf(t: HardwareTemplate, values: Record<string, number>): { x: number; y: number; total: number }[] {
  const p = pointOf(t, fullValues(t, values));
  const chain = [p.mac, ...p.levels];
  return p.levels.map((parent, s) => {
    const child = chain[s]!;
    const x = child.meshX / parent.meshX;
    const total = child.instances / parent.instances;
    return { x, y: total / x, total };
  });
}

/** Capacity in words of one instance of each storage level (innermost first; null = unbounded DRAM). */
export function capacityOf(t: HardwareTemplate, values: Record<string, number>): (number | null)[] {
  const p = pointOf(t, fullValues(t, values));
  return t.base.levels.map((l, s) =>
    l.capacityWords === null || p.levels[s]!.depth === null ? null : (p.levels[s]!.depth! * l.widthBits) / l.wordBits,
  );
}

// ---------------------------------------------------------------- instantiate

function setKey(a: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  const k = keys.find((x) => a[x] !== undefined);
  if (k !== undefined) a[k] = value;
}

/**
 * The Accelerator at a legal point (missing variables keep their original values). At the original values it equals
 * the preset's Accelerator. Throws an InputError naming the first illegal variable.
 */
export function instantiate(t: HardwareTemplate, values: Record<string, number>): Accelerator {
  const all = fullValues(t, values);
  const errs = checkValues(t, all);
  if (errs.length > 0) throw new InputError(`template ${t.name}`, errs[0]!.variable, errs[0]!.expected, String(errs[0]!.got));
  const p = pointOf(t, all);
  const arch = structuredClone(t.base);
  arch.levels = arch.levels.map((l0, s): StorageLevel => {
    const l = { ...l0, attributes: { ...l0.attributes }, energy: { ...l0.energy } };
    const pt = p.levels[s]!;
    const cal = t.calibration.levels[s]!;
    if (t.members[s]) {
      l.instances = pt.instances;
      l.meshX = pt.meshX;
      l.meshY = pt.instances / pt.meshX;
      if (l.attributes.meshX !== undefined || l.meshX !== l.instances) l.attributes.meshX = l.meshX;
      if (l.attributes.meshY !== undefined) l.attributes.meshY = l.meshY;
    }
    if (all[`${l.name}.depth`] !== undefined) {
      l.depth = pt.depth;
      l.capacityWords = Math.floor((pt.depth! * l.widthBits) / l.wordBits);
      setKey(l.attributes, ['memory_depth', 'depth'], l.depth);
      if (l.attributes.memory_depth === undefined && l.attributes.depth === undefined && l.attributes.size !== undefined)
        l.attributes.size = l.capacityWords;
    }
    if (pt.bandwidth !== null) {
      const r = pt.bankRatio;
      if (l.readBandwidth !== null) l.readBandwidth = l0.readBandwidth! * r;
      if (l.writeBandwidth !== null) l.writeBandwidth = l0.writeBandwidth! * r;
      if (l.sharedBandwidth !== null) l.sharedBandwidth = l0.sharedBandwidth! * r;
      for (const [k, v] of [
        ['read_bandwidth', l.readBandwidth],
        ['write_bandwidth', l.writeBandwidth],
        ['shared_bandwidth', l.sharedBandwidth],
      ] as const) {
        if (l.attributes[k] !== undefined) l.attributes[k] = v;
      }
      if (typeof l.attributes.n_banks === 'number') l.attributes.n_banks = Math.max(1, Math.round(l.attributes.n_banks * r));
    }
    const cost = levelCost(cal, pt, l);
    l.energy = { read: cost.read, write: cost.write, leak: cost.leak };
    l.areaUm2 = cost.area;
    return l;
  });
  const mac: ArithmeticLevel = { ...arch.mac, attributes: { ...arch.mac.attributes } };
  mac.instances = p.mac.instances;
  mac.meshX = p.mac.meshX;
  mac.meshY = p.mac.instances / p.mac.meshX;
  if (mac.attributes.meshX !== undefined || mac.meshX !== mac.instances) mac.attributes.meshX = mac.meshX;
  if (mac.attributes.meshY !== undefined) mac.attributes.meshY = mac.meshY;
  const mc = macCost(t.calibration.mac, mac.datawidth);
  mac.energyPerMAC = mc.energy;
  mac.areaUm2 = mc.area;
  arch.mac = mac;
  // Timeloop names with the new instance ranges (PE[0..N-1]), as the writer and the reader produce them
  const layout = timeloopLayout(arch);
  arch.levels.forEach((l, s) => (l.hierarchicalName = layout.levelNames[s]!));
  arch.mac.hierarchicalName = layout.macName;
  return arch;
}

/** Calibrated cost of a level at a point (bank model for bandwidth variables). */
function levelCost(cal: StorageCalibration, pt: LevelPoint, l: StorageLevel): { read: number; write: number; leak: number; area: number } {
  const r = pt.bankRatio;
  const bits = l.depth === null || cal.costClass === 'dram' ? 0 : (pt.depth! * l.widthBits) / r;
  const c = storageCost(cal, bits);
  return r === 1 ? c : { read: c.read, write: c.write, leak: c.leak * r, area: c.area * r };
}

/** Timeloop v0.3 architecture, ERT and ART YAML for an (instantiated) accelerator; the Timeloop readers parse them back to it. */
export function writeHardwareYaml(arch: Accelerator): { arch: string; ert: string; art: string } {
  return { arch: writeArchitectureYaml(arch), ert: writeErtYaml(arch), art: writeArtYaml(arch) };
}

/** Total area (um^2) at a point, from `instantiate`'s numbers without building the YAML names. */
export function areaOf(t: HardwareTemplate, values: Record<string, number>): number {
  const all = fullValues(t, values);
  const p = pointOf(t, all);
  let a = 0;
  t.base.levels.forEach((l, s) => {
    const pt = p.levels[s]!;
    a += pt.instances * levelCost(t.calibration.levels[s]!, pt, { ...l, depth: pt.depth }).area;
  });
  return a + p.mac.instances * macCost(t.calibration.mac).area;
}

// ---------------------------------------------------------------- tensors

/** Columns of exp(logValues) by variable name ([B] each), or constants. */
function columns(t: HardwareTemplate, logValues: T): { B: number; col: (name: string) => T | null } {
  if (logValues.rank !== 2 || logValues.shape[1] !== t.variables.length) {
    throw new Error(
      `archTensorsFor(${t.name}): expected log values [B, ${t.variables.length}] (${t.variables.map((v) => v.name).join(', ')}), got [${logValues.shape.join(', ')}]`,
    );
  }
  const B = logValues.shape[0]!;
  const vals = tf.exp(logValues);
  const cols = tf.unstack(vals, 1);
  return {
    B,
    col: (name: string): T | null => {
      const i = t.variables.findIndex((v) => v.name === name);
      return i < 0 ? null : cols[i]!;
    },
  };
}

interface LevelTensors {
  instances: T[];
  meshX: T[];
  macInstances: T;
  macMeshX: T;
}

function arrayTensors(t: HardwareTemplate, B: number, col: (n: string) => T | null): LevelTensors {
  const mx = col('PE.meshX')!;
  const my = col('PE.meshY')!;
  const pes = tf.mul(mx, my);
  const constant = (v: number): T => tf.fill([B], v);
  return {
    instances: t.base.levels.map((l, s) => (t.members[s] ? tf.mul(pes, t.members[s]!.perPE) : constant(l.instances))),
    meshX: t.base.levels.map((l, s) => (t.members[s] ? tf.mul(mx, t.members[s]!.meshXPerPE) : constant(l.meshX))),
    macInstances: tf.mul(pes, t.macMember.perPE),
    macMeshX: tf.mul(mx, t.macMember.meshXPerPE),
  };
}

/**
 * The model's ArchTensors for B hardware points given as natural-log variable values [B, nVars] (order of
 * `t.variables`; see `toLogVector`). Storage tensors are [B,S] with S = the template's levels, innermost first (as the
 * encoder lays out an architecture with no padding); MAC tensors are [B]. Differentiable in `logValues`.
 */
export function archTensorsFor(t: HardwareTemplate, logValues: T): ArchTensors {
  return tf.tidy(() => {
    const { B, col } = columns(t, logValues);
    const arr = arrayTensors(t, B, col);
    const constant = (v: number): T => tf.fill([B], v);
    const per = t.base.levels.map((l, s) => {
      const cal = t.calibration.levels[s]!;
      const depth = col(`${l.name}.depth`);
      const bw = col(`${l.name}.bandwidth`);
      const bw0 = l.readBandwidth ?? l.writeBandwidth;
      const r = bw && bw0 ? tf.div(bw, bw0) : null;
      let bits: T;
      if (cal.costClass === 'dram' || l.depth === null) bits = constant(1);
      else {
        const full = depth ? tf.mul(depth, l.widthBits) : constant(capacityBitsOf(l));
        bits = r ? tf.div(full, r) : full;
      }
      const c = storageCostT(cal, bits);
      const area = r ? tf.mul(c.area, r) : c.area;
      const leak = r ? tf.mul(c.leak, r) : c.leak;
      const inv = (b: number | null): T => {
        if (b === null) return constant(0);
        if (bw) return tf.div(bw0! / b, bw); // the bandwidth scales with the variable: 1 / (b * bw / bw0)
        return constant(1 / b);
      };
      return {
        eRead: c.read,
        eWrite: c.write,
        eLeak: leak,
        block: constant(l.blockSize),
        invRead: inv(l.readBandwidth),
        invWrite: inv(l.writeBandwidth),
        invShared: inv(l.sharedBandwidth),
        instances: arr.instances[s]!,
        area,
      };
    });
    const stack = (k: keyof (typeof per)[number]): T =>
      tf.stack(
        per.map((p) => p[k]),
        1,
      );
    return {
      eRead: stack('eRead'),
      eWrite: stack('eWrite'),
      eLeak: stack('eLeak'),
      block: stack('block'),
      invRead: stack('invRead'),
      invWrite: stack('invWrite'),
      invShared: stack('invShared'),
      instances: stack('instances'),
      area: stack('area'),
      macEnergy: constant(t.calibration.mac.energy0),
      macArea: constant(t.calibration.mac.area0),
      macInstances: arr.macInstances,
      clockGHz: constant(t.base.clockGHz),
    };
  });
}

/** Tensor version of `fanoutOf`: [B,S] x, y and total fanout below each storage level. */
export function fanoutOfT(t: HardwareTemplate, logValues: T): { x: T; y: T; total: T } {
  return tf.tidy(() => {
    const { B, col } = columns(t, logValues);
    const arr = arrayTensors(t, B, col);
    const inst = [arr.macInstances, ...arr.instances];
    const mesh = [arr.macMeshX, ...arr.meshX];
    const xs = t.base.levels.map((_, s) => tf.div(mesh[s]!, mesh[s + 1]!));
    const totals = t.base.levels.map((_, s) => tf.div(inst[s]!, inst[s + 1]!));
    const x = tf.stack(xs, 1);
    const total = tf.stack(totals, 1);
    return { x, y: tf.div(total, x), total };
  });
}

/** Tensor version of `capacityOf`: [B,S] words per instance; `bounded[s]` false (and 0 in `words`) for DRAM. */
export function capacityOfT(t: HardwareTemplate, logValues: T): { words: T; bounded: boolean[] } {
  const bounded = t.base.levels.map((l) => l.capacityWords !== null && l.depth !== null);
  const words = tf.tidy(() => {
    const { B, col } = columns(t, logValues);
    return tf.stack(
      t.base.levels.map((l, s) => {
        if (!bounded[s]) return tf.zeros([B]);
        const d = col(`${l.name}.depth`);
        return d ? tf.mul(d, l.widthBits / l.wordBits) : tf.fill([B], (l.depth! * l.widthBits) / l.wordBits);
      }),
      1,
    );
  });
  return { words, bounded };
}

/** The cost class of each storage level (innermost first). */
export function levelClasses(t: HardwareTemplate): StorageCostClass[] {
  return t.calibration.levels.map((c) => c.costClass);
}
