/**
 * Hardware templates: an architecture (a preset or any Timeloop v0.3/v0.4 file) with variables for its spatial meshes,
 * the depth of its buffers and their bandwidth, bound from `--vary` specs (vary.ts).
 *
 * - A mesh variable `NAME.meshX` / `NAME.meshY` sits at one fanout of the hierarchy: the one created by NAME (a
 *   container, e.g. `PE` of `PE[0..167]` or a v0.4 `!Container` with `spatial`, or a component with its own
 *   instances). Changing it from the file's x0 to x multiplies the instances (and the meshX, for meshX) of every level
 *   below that fanout and of the MACs by x / x0, so each PE's inner structure (e.g. simba's 4 weight buffers and 16
 *   registers per PE) is kept and levels below a varied mesh scale with it.
 * - A depth variable sets a level's rows (capacity = depth x width / word bits); a bandwidth variable models r =
 *   bandwidth / the file's bandwidth times the banks: r banks of 1/r the capacity each, so an access costs one bank's
 *   access and the area is r banks' (the per-bank overhead comes from the fitted area curve's constant).
 * - Energies and areas at other sizes come from the calibrated cost model (costmodel.ts), anchored so that the file's
 *   values come back at the file's sizes.
 *
 * - `instantiate(template, values)` builds a full Accelerator; `hardwareKeep` and the YAML tree (`source`) are kept, and
 *   the attributes (memory_depth, meshX, bandwidths) are updated so that `writeHardwareYaml` round-trips through the
 *   Timeloop readers. The template's base is the architecture as our writer writes it and the readers read it back,
 *   so instantiate at the file's values equals it exactly.
 * - `archTensorsFor(template, logValues)` gives the model's ArchTensors ([B,S] per level, [B] for the MACs) as smooth
 *   functions of the log variables, so the relaxed model can take gradients through the hardware.
 * - `fanoutOf` / `capacityOf` (and their tensor versions) give the per-level fanout and capacity for constraints.
 *
 * The presets are templates like any other, from the data in template-presets.ts.
 */
import { InputError } from '../errors.js';
import type { ArchTensors } from '../model/formulate.js';
import { tf } from '../model/backend.js';
import {
  buildAccelerator,
  splitPath,
  stripRanges,
  timeloopLayout,
  writeArchitectureYaml,
  writeArtYaml,
  writeErtYaml,
  type TextInput,
} from '../timeloop/arch.js';
import type { Accelerator, ArithmeticLevel, StorageLevel } from './accelerator.js';
import {
  accessBitsOf,
  calibrateMac,
  calibrateStorage,
  capacityBitsOf,
  macArea,
  macCost,
  macEnergy,
  readEnergy,
  storageArea,
  storageCost,
  storageCostClass,
  storageCostT,
  writeEnergy,
  type MacCalibration,
  type StorageCalibration,
  type StorageCostClass,
} from './costmodel.js';
import { scaleDatawidth } from './datawidth.js';
import { getPreset, presetNames } from './presets.js';
import { PRESET_TEMPLATES } from './template-presets.js';
import { formatVary, parseVary, varyError, type RangeSpec, type VarySpec } from './vary.js';

type T = tf.Tensor;

export type VariableKind = 'meshX' | 'meshY' | 'depth' | 'bandwidth';

export interface HardwareVariable {
  /** e.g. `PE.meshX`, `shared_glb.depth`, `shared_glb.bandwidth` (the `--vary` spec's left-hand side) */
  name: string;
  /** depth/bandwidth: the storage level; meshX/meshY: the storage level right above the fanout */
  level?: string;
  kind: VariableKind;
  min: number;
  max: number;
  /** the start value: the file's value (legalized into the range when the range leaves it out) */
  original: number;
  /** integer (register-file depths, meshes) or `unit` times a power of two (SRAM depths: unit 1; bandwidths: the file's), within [min, max] */
  allowed(value: number): boolean;
  /** the nearest allowed value (powers of two: nearest in log scale) */
  legalize(x: number): number;
  /** what `allowed` checks besides the range */
  step: 'integer' | 'power of two';
  /** power-of-two steps: values are unit x 2^k */
  unit: number;
}

/** Where a mesh variable acts: the fanout below storage level `level` (innermost-first index), along `axis`. */
export interface MeshBinding {
  variable: string;
  level: number;
  axis: 'x' | 'y';
  /** the file's fanout along the axis */
  file: number;
}

export interface HardwareTemplate {
  name: string;
  description: string;
  /** the architecture at the file's values (do not modify) */
  base: Accelerator;
  variables: HardwareVariable[];
  /** the variables as a canonical `--vary` string (with the datawidths when they are swept) */
  vary: string;
  meshes: MeshBinding[];
  /** limit on the product of the mesh variables (PEs) */
  maxMeshProduct: number;
  /** the datapath widths (bits) to sweep, one front each (`templateAtWidth`); [the file's] when not varied */
  datawidths: number[];
  calibration: { levels: StorageCalibration[]; mac: MacCalibration };
  /** what the files did not say (e.g. energies taken from the fitted cost model) */
  warnings: string[];
}

export interface TemplateOptions {
  name?: string;
  description?: string;
  /** limit on the product of the mesh variables; default: the product of their maxima */
  maxMeshProduct?: number;
  warnings?: string[];
}

const isPow2 = (v: number): boolean => Number.isInteger(v) && v > 0 && (v & (v - 1)) === 0 && v <= 2 ** 30;

function makeVariable(
  name: string,
  kind: VariableKind,
  level: string | undefined,
  range: { min: number; max: number },
  fileValue: number,
  pow2: boolean,
  unit: number,
): HardwareVariable | null {
  const lo = pow2 ? unit * 2 ** Math.ceil(Math.log2(range.min / unit) - 1e-9) : Math.ceil(range.min);
  const hi = pow2 ? unit * 2 ** Math.floor(Math.log2(range.max / unit) + 1e-9) : Math.floor(range.max);
  if (lo > hi) return null;
  const onGrid = (x: number): boolean => (pow2 ? isPow2(x / unit) || isPow2(unit / x) : Number.isInteger(x));
  const legalize = (x: number): number => {
    if (!Number.isFinite(x) || x <= 0) return lo;
    const r = pow2 ? unit * 2 ** Math.round(Math.log2(x / unit)) : Math.round(x);
    return Math.min(hi, Math.max(lo, r));
  };
  const v: HardwareVariable = {
    name,
    kind,
    min: lo,
    max: hi,
    original: 0,
    allowed: (x: number): boolean => Number.isFinite(x) && x >= lo && x <= hi && onGrid(x),
    legalize,
    step: pow2 ? 'power of two' : 'integer',
    unit,
  };
  v.original = v.allowed(fileValue) ? fileValue : legalize(fileValue);
  if (level !== undefined) v.level = level;
  return v;
}

/** What a variable's values must be, for messages. */
export function describeStep(v: HardwareVariable): string {
  const grid = v.step === 'integer' ? 'an integer' : v.unit === 1 ? 'a power of two' : `${v.unit} x a power of two`;
  return `${grid} in [${v.min}, ${v.max}]`;
}

// ---------------------------------------------------------------- binding specs to an architecture

/** Container and component names that create the fanout below each storage level (innermost first). */
function fanoutNames(arch: Accelerator): string[][] {
  const segs = (h: string): string[] => splitPath(h).map(stripRanges);
  return arch.levels.map((parent, p) => {
    const child = p === 0 ? arch.mac : arch.levels[p - 1]!;
    const c = segs(child.hierarchicalName).slice(0, -1);
    const pc = segs(parent.hierarchicalName).slice(0, -1);
    let common = 0;
    while (common < c.length && common < pc.length && c[common] === pc[common]) common++;
    return [...c.slice(common), child.name];
  });
}

/** The fanout below storage level p as exact integers, or why it is not a mesh meshX x meshY. */
function meshAt(arch: Accelerator, p: number): { x: number; y: number } | string {
  const child = p === 0 ? arch.mac : arch.levels[p - 1]!;
  const parent = arch.levels[p]!;
  const x = child.meshX / parent.meshX;
  const y = child.meshY / parent.meshY;
  if (!Number.isInteger(x) || !Number.isInteger(y) || x * y * parent.instances !== child.instances)
    return `${child.name} (${child.meshX} x ${child.meshY}) is not a whole mesh under ${parent.name} (${parent.meshX} x ${parent.meshY})`;
  return { x, y };
}

function findLevel(arch: Accelerator, name: string): number {
  const i = arch.levels.findIndex((l) => l.name === name);
  return i >= 0 ? i : arch.levels.findIndex((l) => l.name.toLowerCase() === name.toLowerCase());
}

/** `--vary` specs -> variables and mesh bindings on an architecture; every problem is an InputError naming the spec. */
function bindSpecs(arch: Accelerator, specs: readonly RangeSpec[]): { variables: HardwareVariable[]; meshes: MeshBinding[] } {
  const variables: HardwareVariable[] = [];
  const meshes: MeshBinding[] = [];
  const names = fanoutNames(arch);
  const levelNames = arch.levels.map((l) => l.name);
  const taken = new Map<string, string>();
  for (const s of specs) {
    let v: HardwareVariable | null;
    let key: string;
    if (s.kind === 'meshX' || s.kind === 'meshY') {
      let p = names.findIndex((ns) => ns.includes(s.target));
      if (p < 0) p = names.findIndex((ns) => ns.some((n) => n.toLowerCase() === s.target.toLowerCase()));
      if (p < 0) {
        const known = [...new Set(names.flat())];
        throw varyError(s.text, `a level or container carrying instances (one of ${known.join(', ')})`, JSON.stringify(s.target));
      }
      const m = meshAt(arch, p);
      if (typeof m === 'string') throw varyError(s.text, 'a mesh that divides', m);
      const axis = s.kind === 'meshX' ? 'x' : 'y';
      const file = m[axis];
      // every level below must hold whole multiples of this mesh, or scaling it would split a PE
      const below = [arch.mac, ...arch.levels.slice(0, p)];
      const bad = below.find((l) => (axis === 'x' ? l.meshX : l.meshY) % file !== 0);
      if (bad) throw varyError(s.text, 'a mesh that divides the meshes below it', `${bad.name} has mesh ${bad.meshX} x ${bad.meshY}`);
      key = `mesh ${p} ${axis}`;
      v = makeVariable(`${s.target}.${s.kind}`, s.kind, arch.levels[p]!.name, s, file, false, 1);
      if (v) meshes.push({ variable: v.name, level: p, axis, file });
    } else {
      const i = findLevel(arch, s.target);
      if (i < 0) throw varyError(s.text, `a storage level (one of ${levelNames.join(', ')})`, JSON.stringify(s.target));
      const l = arch.levels[i]!;
      key = `${s.kind} ${i}`;
      if (s.kind === 'depth') {
        if (l.depth === null || l.capacityWords === null)
          throw varyError(s.text, 'a level with a depth (an on-chip buffer)', `${l.name} has none (unbounded)`);
        const pow2 = storageCostClass(l.className, l.depth) === 'sram';
        v = makeVariable(`${l.name}.depth`, 'depth', l.name, s, l.depth, pow2, 1);
      } else {
        const bw0 = l.readBandwidth ?? l.writeBandwidth ?? l.sharedBandwidth;
        if (bw0 === null) throw varyError(s.text, 'a level with a read, write or shared bandwidth', `${l.name} has none (unlimited)`);
        v = makeVariable(`${l.name}.bandwidth`, 'bandwidth', l.name, s, bw0, true, bw0);
      }
    }
    if (!v) throw varyError(s.text, `a range holding at least one allowed value`, `none in ${s.min}..${s.max}`);
    if (taken.has(key)) throw varyError(s.text, 'each quantity varied once', `also varied by ${taken.get(key)}`);
    taken.set(key, s.text);
    variables.push(v);
  }
  return { variables, meshes };
}

/** The accelerator as our writer writes it and the Timeloop readers read it back (names with instance ranges, attributes). */
function canonical(arch: Accelerator): Accelerator {
  const y = writeHardwareYaml(arch);
  const { arch: back } = buildAccelerator({
    arch: { text: y.arch, file: 'arch.yaml' },
    ert: { text: y.ert, file: 'ERT.yaml' },
    art: { text: y.art, file: 'ART.yaml' },
    name: arch.name,
  });
  back.levels.forEach((l, s) => (l.hardwareKeep = arch.levels[s]!.hardwareKeep));
  return back;
}

/**
 * A template over any accelerator: the variables of the `--vary` specs (a string or parsed specs), energies and areas
 * from the calibrated cost model. A datawidth spec sets the widths to sweep (`templateAtWidth`). Throws an InputError
 * naming the spec for unknown levels, ranges without an allowed value, depth on a level without one, meshes that do
 * not divide, and a quantity varied twice.
 */
export function templateFromAccelerator(arch: Accelerator, vary: string | readonly VarySpec[], opts: TemplateOptions = {}): HardwareTemplate {
  const specs = typeof vary === 'string' ? parseVary(vary) : vary;
  const base = canonical(arch);
  const ranges = specs.filter((s): s is RangeSpec => s.kind !== 'datawidth');
  const dw = specs.find((s) => s.kind === 'datawidth');
  const { variables, meshes } = bindSpecs(base, ranges);
  const meshMax = variables.filter((v) => v.kind === 'meshX' || v.kind === 'meshY').reduce((a, v) => a * v.max, 1);
  const name = opts.name ?? base.name;
  const t: HardwareTemplate = {
    name,
    description: opts.description ?? `${name}: varies ${formatVary(ranges) || 'nothing'}`,
    base,
    variables,
    vary: formatVary(specs),
    meshes,
    maxMeshProduct: opts.maxMeshProduct ?? meshMax,
    datawidths: dw ? dw.values : [base.mac.datawidth],
    calibration: { levels: base.levels.map((l) => calibrateStorage(l)), mac: calibrateMac(base.mac) },
    warnings: opts.warnings ?? [],
  };
  if (checkValues(t, originalValues(t)).length > 0) {
    // the file's mesh exceeds the PE limit: start from the nearest legal point
    const start = legalizeValues(t, originalValues(t));
    for (const v of variables) v.original = start[v.name]!;
  }
  return t;
}

/**
 * The same template with a `width`-bit datapath (datawidth.ts): word bits, MACs and their costs scaled, the same
 * variables. Its name gets `@Wb` unless W is the file's width.
 */
export function templateAtWidth(t: HardwareTemplate, width: number): HardwareTemplate {
  if (width === t.base.mac.datawidth) return { ...t, datawidths: [width] };
  const ranges = parseVary(t.vary).filter((s) => s.kind !== 'datawidth');
  const w = templateFromAccelerator(scaleDatawidth(t.base, width), ranges, {
    name: `${t.name}@${width}b`,
    description: `${t.description}; ${width}-bit datapath`,
    maxMeshProduct: t.maxMeshProduct,
    warnings: t.warnings,
  });
  // start where the file's template starts
  for (const v of w.variables) v.original = t.variables.find((x) => x.name === v.name)!.original;
  return w;
}

/**
 * What `--arch` alone varies: every on-chip buffer's depth from 1/16 to 16 times the file's (registers of one row
 * stay fixed), and the largest fanout (the PE array) along both axes from 1 to max(64, 4 x the file's).
 */
export function defaultVary(arch: Accelerator): string {
  const specs: string[] = [];
  const names = fanoutNames(arch);
  let best = -1;
  let bestTotal = 1;
  arch.levels.forEach((_, p) => {
    const m = meshAt(arch, p);
    if (typeof m !== 'string' && m.x * m.y > bestTotal) {
      best = p;
      bestTotal = m.x * m.y;
    }
  });
  if (best >= 0) {
    const m = meshAt(arch, best) as { x: number; y: number };
    const n = names[best]![0]!;
    specs.push(`${n}.meshX=1..${Math.max(64, 4 * m.x)}`, `${n}.meshY=1..${Math.max(64, 4 * m.y)}`);
  }
  for (const l of [...arch.levels].reverse()) {
    if (l.depth === null || l.capacityWords === null || /dram/i.test(l.className)) continue;
    if (storageCostClass(l.className, l.depth) === 'register' || l.depth <= 1) continue;
    specs.push(`${l.name}.depth=${Math.max(1, Math.floor(l.depth / 16))}..${l.depth * 16}`);
  }
  return specs.join(',');
}

/**
 * An architecture read without its ERT (ART): every energy (area) from the fitted cost model, as Timeloop would take
 * them from Accelergy, with one warning each instead of the reader's "all 0". Used by the templates and by the CLI's
 * evaluate and optimize on an --arch file.
 */
export function withMissingCostsFitted(
  built: { arch: Accelerator; warnings: string[] },
  given: { ert: boolean; art: boolean },
): { arch: Accelerator; warnings: string[] } {
  const warnings = built.warnings.filter((w) => !w.startsWith('no ERT given') && !w.startsWith('no ART given'));
  if (!given.ert) warnings.push(`no ERT given: energies from the fitted cost model (Accelergy v0.3, 45 nm)`);
  if (!given.art) warnings.push(`no ART given: areas from the fitted cost model (Accelergy v0.3, 45 nm)`);
  return { arch: withFittedCosts(built.arch, !given.ert, !given.art), warnings };
}

/** Energies (no ERT) and areas (no ART) from the fitted cost model's reference family (Accelergy v0.3, 45 nm). */
function withFittedCosts(arch: Accelerator, energy: boolean, area: boolean): Accelerator {
  const out = structuredClone(arch);
  for (const l of out.levels) {
    const cls = storageCostClass(l.className, l.depth);
    const C = capacityBitsOf(l);
    const w = accessBitsOf(l);
    if (energy) l.energy = { read: readEnergy(cls, C, w), write: writeEnergy(cls, C, w), leak: 0 };
    if (area) l.areaUm2 = storageArea(cls, C);
  }
  if (energy) out.mac.energyPerMAC = macEnergy(out.mac.datawidth);
  if (area) out.mac.areaUm2 = macArea(out.mac.datawidth);
  return out;
}

/**
 * A template from Timeloop files (browser-safe: texts in, no file access): the architecture (v0.3 or v0.4) with its
 * ERT and ART, and the `--vary` specs (default: `defaultVary`). Without an ERT (ART) every energy (area) comes from
 * the fitted cost model, with a warning in `warnings`. Bad files and bad specs are InputErrors.
 */
export function templateFromTimeloop(
  files: { arch: TextInput; ert?: TextInput; art?: TextInput },
  vary?: string,
  opts: Omit<TemplateOptions, 'warnings'> = {},
): HardwareTemplate {
  const inputs: Parameters<typeof buildAccelerator>[0] = { arch: files.arch };
  if (files.ert) inputs.ert = files.ert;
  if (files.art) inputs.art = files.art;
  if (opts.name !== undefined) inputs.name = opts.name;
  const { arch, warnings } = withMissingCostsFitted(buildAccelerator(inputs), { ert: files.ert !== undefined, art: files.art !== undefined });
  return templateFromAccelerator(arch, vary ?? defaultVary(arch), { ...opts, warnings });
}

export function templateNames(): string[] {
  return PRESET_TEMPLATES.map((s) => s.preset);
}

const cache = new Map<string, HardwareTemplate>();

/**
 * The template over a preset (eyeriss-like, simba-like, simple-ws, simple-os; also eyeriss_like). `bandwidth: true`
 * adds the preset's bandwidth variable; `vary` replaces the preset's variables by the given specs. Unknown names are
 * an InputError.
 */
export function getTemplate(name: string, options: { bandwidth?: boolean; vary?: string } = {}): HardwareTemplate {
  const norm = name.trim().toLowerCase().replace(/_/g, '-');
  const spec = PRESET_TEMPLATES.find((s) => s.preset === norm);
  if (!spec || !presetNames().includes(spec.preset))
    throw new InputError(name, 'template', `one of the templates ${templateNames().join(', ')}`, 'unknown template');
  const vary = options.vary ?? (options.bandwidth ? `${spec.vary},${spec.bandwidth}` : spec.vary);
  const key = `${spec.preset}|${vary}`;
  if (!cache.has(key)) {
    const opts: TemplateOptions = { name: spec.preset };
    if (options.vary === undefined) Object.assign(opts, { description: spec.description, maxMeshProduct: spec.maxMeshProduct });
    cache.set(key, templateFromAccelerator(getPreset(spec.preset).arch, vary, opts));
  }
  return cache.get(key)!;
}

// ---------------------------------------------------------------- values

/** The start values, by variable name. */
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

const meshVariables = (t: HardwareTemplate): string[] => t.meshes.map((m) => m.variable);

/** Problems with a point (each variable allowed, product of the meshes <= maxMeshProduct); empty when it is legal. */
export function checkValues(t: HardwareTemplate, values: Record<string, number>): { variable: string; expected: string; got: number }[] {
  const all = fullValues(t, values);
  const errs: { variable: string; expected: string; got: number }[] = [];
  for (const v of t.variables) {
    const x = all[v.name]!;
    if (!v.allowed(x)) errs.push({ variable: v.name, expected: describeStep(v), got: x });
  }
  const ms = meshVariables(t);
  const pes = ms.reduce((a, m) => a * all[m]!, 1);
  if (pes > t.maxMeshProduct) errs.push({ variable: ms.join(' * '), expected: `at most ${t.maxMeshProduct} PEs`, got: pes });
  return errs;
}

/** The nearest legal point: each variable legalized, then the largest mesh variable reduced until the meshes fit the limit. */
export function legalizeValues(t: HardwareTemplate, values: Record<string, number>): Record<string, number> {
  const all = fullValues(t, values);
  const out: Record<string, number> = {};
  for (const v of t.variables) out[v.name] = v.legalize(all[v.name]!);
  const ms = meshVariables(t);
  const lows = ms.map((m) => t.variables.find((v) => v.name === m)!.min);
  while (ms.reduce((a, m) => a * out[m]!, 1) > t.maxMeshProduct) {
    let i = -1;
    ms.forEach((m, j) => {
      if (out[m]! > lows[j]! && (i < 0 || out[m]! > out[ms[i]!]!)) i = j;
    });
    if (i < 0) break;
    out[ms[i]!]!--;
  }
  return out;
}

/** About f times as many PEs: every mesh variable scaled by f^(1/n) (n mesh variables), legalized. */
export function scaleMeshes(t: HardwareTemplate, values: Record<string, number>, f: number): Record<string, number> {
  const ms = meshVariables(t);
  if (ms.length === 0) return values;
  const g = Math.pow(f, 1 / ms.length);
  const out = { ...values };
  for (const m of ms) if (out[m] !== undefined) out[m] = Math.max(1, Math.round(out[m]! * g));
  return out;
}

/** The same number of PEs (about) in another shape: one mesh variable one up and another one down. */
export function reshapeMeshes(t: HardwareTemplate, values: Record<string, number>): Record<string, number>[] {
  const ms = meshVariables(t).filter((m) => values[m] !== undefined);
  const out: Record<string, number>[] = [];
  for (const a of ms) for (const b of ms) if (a !== b) out.push({ ...values, [a]: Math.max(1, values[a]! + 1), [b]: Math.max(1, values[b]! - 1) });
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
  /** banks relative to the file (bandwidth / the file's bandwidth) */
  bankRatio: number;
  bandwidth: number | null;
}

/** The meshes acting on storage level s (s = -1: the MACs): those of fanouts above it. */
function meshesOver(t: HardwareTemplate, s: number): MeshBinding[] {
  return t.meshes.filter((m) => s < m.level);
}

/** instances and meshX of a component under the meshes, exact for integer values. */
function scaled(t: HardwareTemplate, all: Record<string, number>, s: number, inst0: number, meshX0: number): { instances: number; meshX: number } {
  let num = inst0;
  let den = 1;
  let numX = meshX0;
  let denX = 1;
  for (const m of meshesOver(t, s)) {
    num *= all[m.variable]!;
    den *= m.file;
    if (m.axis === 'x') {
      numX *= all[m.variable]!;
      denX *= m.file;
    }
  }
  return { instances: num / den, meshX: numX / denX };
}

function pointOf(t: HardwareTemplate, all: Record<string, number>): { levels: LevelPoint[]; mac: { instances: number; meshX: number } } {
  const levels = t.base.levels.map((l, s): LevelPoint => {
    const d = all[`${l.name}.depth`];
    const bw = all[`${l.name}.bandwidth`];
    const bw0 = l.readBandwidth ?? l.writeBandwidth ?? l.sharedBandwidth;
    return {
      ...scaled(t, all, s, l.instances, l.meshX),
      depth: d ?? l.depth,
      bankRatio: bw !== undefined && bw0 ? bw / bw0 : 1,
      bandwidth: bw ?? null,
    };
  });
  return { levels, mac: scaled(t, all, -1, t.base.mac.instances, t.base.mac.meshX) };
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

/** Set a component's instances and mesh, with the attributes the writer would write (only when they changed). */
function placeMesh(c: StorageLevel | ArithmeticLevel, instances: number, meshX: number): void {
  if (c.instances === instances && c.meshX === meshX) return;
  c.instances = instances;
  c.meshX = meshX;
  c.meshY = instances / meshX;
  if (c.attributes.meshX !== undefined || c.meshX !== c.instances) c.attributes.meshX = c.meshX;
  if (c.attributes.meshY !== undefined) c.attributes.meshY = c.meshY;
}

/**
 * The Accelerator at a legal point (missing variables keep their start values). At the file's values it equals the
 * template's base. Throws an InputError naming the first illegal variable.
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
    placeMesh(l, pt.instances, pt.meshX);
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
    const cost = levelCost(t.calibration.levels[s]!, pt, l);
    l.energy = { read: cost.read, write: cost.write, leak: cost.leak };
    l.areaUm2 = cost.area;
    return l;
  });
  const mac: ArithmeticLevel = { ...arch.mac, attributes: { ...arch.mac.attributes } };
  placeMesh(mac, p.mac.instances, p.mac.meshX);
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
  const one = (s: number, inst0: number, meshX0: number): { instances: T; meshX: T } => {
    let inst: T = tf.fill([B], inst0);
    let mx: T = tf.fill([B], meshX0);
    for (const m of meshesOver(t, s)) {
      const r = tf.div(col(m.variable)!, m.file);
      inst = tf.mul(inst, r);
      if (m.axis === 'x') mx = tf.mul(mx, r);
    }
    return { instances: inst, meshX: mx };
  };
  const levels = t.base.levels.map((l, s) => one(s, l.instances, l.meshX));
  const mac = one(-1, t.base.mac.instances, t.base.mac.meshX);
  return {
    instances: levels.map((x) => x.instances),
    meshX: levels.map((x) => x.meshX),
    macInstances: mac.instances,
    macMeshX: mac.meshX,
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
      const bw0 = l.readBandwidth ?? l.writeBandwidth ?? l.sharedBandwidth;
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
