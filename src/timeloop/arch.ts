/**
 * Timeloop architecture, ERT and ART files <-> Accelerator.
 *
 * Reads the v0.3 tree form (`architecture: {version: 0.3, subtree/local}`) used by the reference cases and the v0.4
 * `nodes` form (`!Container`, `!Component`, `spatial: {meshX, meshY}`); writes the v0.3 form.
 */
import type { Accelerator, ArithmeticLevel, LevelPlacement, StorageLevel } from '../hardware/accelerator.js';
import { Ctx, join, parseYaml, tagOf, toYaml } from './yaml.js';

export interface TextInput {
  text: string;
  /** file name used in error messages */
  file: string;
}

/** What an Accelerator read from Timeloop YAML keeps in `source` so that it can be written back with the same tree. */
export interface TimeloopArchSource {
  kind: 'timeloop-arch';
  /** attributes of each container (v0.3 subtree), keyed by its dotted path without instance ranges, e.g. "system.eyeriss" */
  containers: Record<string, Record<string, unknown>>;
  /** names (or YAML paths) of v0.4 nodes that carry `constraints:` (not read: the map space comes from --constraints) */
  inlineConstraints?: string[];
}

/** One ERT table: energies (pJ) per action of the component with that hierarchical name. */
export interface ErtTable {
  name: string;
  actions: { name: string; arguments: unknown; energy: number }[];
}

/** One ART table: area (um^2) per instance. */
export interface ArtTable {
  name: string;
  area: number;
}

const ARITH_CLASS = /(^|[_-])(int|fp)?mac($|[_-])|^mac|compute|multiplier|adder/i;
const STORAGE_CLASS = /dram|sram|regfile|reg_storage|register|buffer|storage|spad|cache|memory|fifo/i;

const SUBTREE_FIELDS = ['name', 'attributes', 'local', 'subtree'] as const;
const COMPONENT_FIELDS = ['name', 'class', 'subclass', 'attributes', 'required_actions'] as const;
const V04_CONTAINER_FIELDS = ['name', 'attributes', 'spatial', 'constraints', 'description'] as const;
const V04_COMPONENT_FIELDS = [
  'name',
  'class',
  'subclass',
  'attributes',
  'spatial',
  'constraints',
  'required_actions',
  'actions',
  'description',
  'enabled',
] as const;

interface RawComponent {
  /** name without instance range */
  name: string;
  hierarchicalName: string;
  /** dotted path of the containers, ranges stripped */
  containerPath: string;
  className: string;
  attributes: Record<string, unknown>;
  instances: number;
  /** meshX from the enclosing structure when the attributes do not give one (v0.4 spatial); null = default */
  meshX: number | null;
  yamlPath: string;
}

/** `PE[0..167]` -> {base: 'PE', count: 168}. */
export function splitRange(name: string): { base: string; count: number } | null {
  const m = /^(.*)\[(\d+)\.\.(\d+)\]$/.exec(name);
  if (!m) return { base: name, count: 1 };
  const lo = Number(m[2]);
  const hi = Number(m[3]);
  if (hi < lo) return null;
  return { base: m[1]!, count: hi - lo + 1 };
}

function isArithmeticClass(cls: string): boolean {
  return ARITH_CLASS.test(cls) && !STORAGE_CLASS.test(cls);
}

/**
 * Container names are user text: "__proto__" or "constructor" must become own keys (a plain assignment of
 * "__proto__" would replace the object's prototype instead), and are read back with Object.hasOwn.
 */
function setOwn<T>(o: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Collect components outermost first from the v0.3 tree. */
function walkV03(ctx: Ctx, arch: Record<string, unknown>, containers: Record<string, Record<string, unknown>>): RawComponent[] {
  const out: RawComponent[] = [];
  const visit = (node: Record<string, unknown>, path: string, names: string[], bases: string[], mult: number, isRoot: boolean): void => {
    let myNames = names;
    let myBases = bases;
    let myMult = mult;
    if (!isRoot) {
      ctx.fields(node, path, SUBTREE_FIELDS, ['name']);
      const name = ctx.str(node.name, join(path, 'name'));
      const r = splitRange(name);
      if (!r) ctx.fail(join(path, 'name'), 'a name like PE[0..15] (low..high)', name);
      myNames = [...names, name];
      myBases = [...bases, r.base];
      myMult = mult * r.count;
      const attrs = node.attributes === undefined ? {} : ctx.obj(node.attributes, join(path, 'attributes'));
      setOwn(containers, myBases.join('.'), { ...attrs });
    }
    if (node.local !== undefined) {
      const local = ctx.list(node.local, join(path, 'local'));
      local.forEach((c, i) => {
        const cp = join(join(path, 'local'), i);
        const comp = ctx.obj(c, cp);
        ctx.fields(comp, cp, COMPONENT_FIELDS, ['name', 'class']);
        const name = ctx.str(comp.name, join(cp, 'name'));
        const r = splitRange(name);
        if (!r) ctx.fail(join(cp, 'name'), 'a name like buffer[0..3] (low..high)', name);
        const cls = ctx.str(comp.class, join(cp, 'class'));
        const attributes = comp.attributes === undefined ? {} : { ...ctx.obj(comp.attributes, join(cp, 'attributes')) };
        out.push({
          name: r.base,
          hierarchicalName: [...myNames, name].join('.'),
          containerPath: myBases.join('.'),
          className: cls,
          attributes,
          instances: myMult * r.count,
          meshX: null,
          yamlPath: cp,
        });
      });
    }
    if (node.subtree !== undefined) {
      const sub = ctx.list(node.subtree, join(path, 'subtree'));
      if (sub.length > 1)
        ctx.fail(join(path, 'subtree'), 'at most one subtree per level (Timeloop models a linear hierarchy)', `${sub.length} subtrees`);
      sub.forEach((s, i) => visit(ctx.obj(s, join(join(path, 'subtree'), i)), join(join(path, 'subtree'), i), myNames, myBases, myMult, false));
    }
  };
  visit(arch, 'architecture', [], [], 1, true);
  return out;
}

/** Collect components outermost first from the v0.4 `nodes` list. */
function walkV04(
  ctx: Ctx,
  nodes: unknown[],
  path: string,
  containers: Record<string, Record<string, unknown>>,
  constrained: string[],
): RawComponent[] {
  const out: RawComponent[] = [];
  let names: string[] = [];
  let mult = 1;
  let meshX = 1;
  const spatialOf = (node: Record<string, unknown>, p: string): { x: number; y: number } => {
    if (node.spatial === undefined) return { x: 1, y: 1 };
    const sp = ctx.obj(node.spatial, join(p, 'spatial'));
    ctx.fields(sp, join(p, 'spatial'), ['meshX', 'meshY']);
    return {
      x: sp.meshX === undefined ? 1 : ctx.posInt(sp.meshX, join(join(p, 'spatial'), 'meshX')),
      y: sp.meshY === undefined ? 1 : ctx.posInt(sp.meshY, join(join(p, 'spatial'), 'meshY')),
    };
  };
  const visit = (list: unknown[], lp: string): void => {
    list.forEach((n, i) => {
      const p = join(lp, i);
      const tag = tagOf(n);
      if (tag === '!Nothing') return;
      const node = ctx.obj(n, p);
      // !Parallel siblings (Eyeriss's ifmap / weights / psum scratchpads) become consecutive levels in their order, as
      // Timeloop's front end flattens them for the linear hierarchy the model evaluates
      if (tag === '!Hierarchical' || tag === '!Parallel' || (tag === undefined && node.nodes !== undefined)) {
        ctx.fields(node, p, ['nodes']);
        visit(ctx.list(node.nodes, join(p, 'nodes')), join(p, 'nodes'));
        return;
      }
      const isComponent = tag === '!Component' || (tag === undefined && node.class !== undefined);
      if (node.constraints !== undefined) constrained.push(typeof node.name === 'string' ? node.name : p);
      if (!isComponent) {
        ctx.fields(node, p, V04_CONTAINER_FIELDS, ['name']);
        const name = ctx.str(node.name, join(p, 'name'));
        const { x, y } = spatialOf(node, p);
        mult *= x * y;
        meshX *= x;
        names = [...names, name];
        const attrs = node.attributes === undefined ? {} : ctx.obj(node.attributes, join(p, 'attributes'));
        setOwn(containers, names.join('.'), { ...attrs });
        return;
      }
      ctx.fields(node, p, V04_COMPONENT_FIELDS, ['name', 'class']);
      const name = ctx.str(node.name, join(p, 'name'));
      const cls = ctx.str(node.class, join(p, 'class'));
      const { x, y } = spatialOf(node, p);
      // a component's own fanout replicates it and everything inside it
      mult *= x * y;
      meshX *= x;
      const attributes = node.attributes === undefined ? {} : { ...ctx.obj(node.attributes, join(p, 'attributes')) };
      out.push({
        name,
        hierarchicalName: [...names, name].join('.'),
        containerPath: names.join('.'),
        className: cls,
        attributes,
        instances: mult,
        meshX,
        yamlPath: p,
      });
    });
  };
  visit(nodes, path);
  return out;
}

function attr(a: Record<string, unknown>, keys: readonly string[]): { key: string; value: unknown } | undefined {
  for (const k of keys) if (a[k] !== undefined) return { key: k, value: a[k] };
  return undefined;
}

const DEPTH_KEYS = ['memory_depth', 'depth'] as const;
const WIDTH_KEYS = ['memory_width', 'width'] as const;
const WORD_BITS_KEYS = ['word-bits', 'word_bits', 'datawidth'] as const;
const BLOCK_KEYS = ['block-size', 'block_size'] as const;

/** Parse a Timeloop architecture (energies and areas 0; see `buildAccelerator` to add ERT/ART). */
export function parseArchitecture(text: string, file: string, opts: { name?: string } = {}): Accelerator {
  const ctx = new Ctx(file);
  const root = ctx.obj(parseYaml(text, file), '(top level)', 'a YAML mapping with an architecture: key');
  if (root.architecture === undefined) ctx.fail('architecture', 'an architecture: section', undefined);
  const arch = ctx.obj(root.architecture, 'architecture');
  ctx.fields(arch, 'architecture', ['version', 'subtree', 'local', 'nodes']);
  if (arch.version !== undefined && ![0.2, 0.3, 0.4, '0.2', '0.3', '0.4'].includes(arch.version as number | string)) {
    ctx.fail('architecture.version', 'version 0.3 (subtree/local) or 0.4 (nodes)', arch.version);
  }
  const containers: Record<string, Record<string, unknown>> = {};
  const constrained: string[] = [];
  let comps: RawComponent[];
  if (arch.nodes !== undefined) {
    if (arch.subtree !== undefined || arch.local !== undefined)
      ctx.fail('architecture', 'either nodes (v0.4) or subtree/local (v0.3), not both', 'both');
    comps = walkV04(ctx, ctx.list(arch.nodes, 'architecture.nodes'), 'architecture.nodes', containers, constrained);
  } else {
    if (arch.subtree === undefined && arch.local === undefined)
      ctx.fail('architecture.subtree', 'a subtree: list (v0.3) or nodes: list (v0.4)', undefined);
    comps = walkV03(ctx, arch, containers);
  }
  if (comps.length === 0) ctx.fail('architecture', 'at least one storage level and one arithmetic unit', 'no components');

  // Classify: exactly one arithmetic unit, innermost.
  const arithIdx = comps.map((c, i) => (isArithmeticClass(c.className) ? i : -1)).filter((i) => i >= 0);
  for (const c of comps) {
    if (!isArithmeticClass(c.className) && !STORAGE_CLASS.test(c.className)) {
      ctx.fail(
        join(c.yamlPath, 'class'),
        'a storage class (DRAM, SRAM, smartbuffer_SRAM, smartbuffer_RF, regfile, reg_storage, ...) or an arithmetic class (intmac, mac, fpmac, compute)',
        c.className,
      );
    }
  }
  if (arithIdx.length !== 1) ctx.fail('architecture', 'exactly one arithmetic unit (class intmac, mac, ...)', `${arithIdx.length}`);
  if (arithIdx[0] !== comps.length - 1)
    ctx.fail(comps[arithIdx[0]!]!.yamlPath, 'the arithmetic unit to be the innermost component (listed last)', comps[arithIdx[0]!]!.name);
  if (comps.length < 2) ctx.fail('architecture', 'at least one storage level', 'none');

  const storage = comps
    .slice(0, -1)
    .reverse()
    .map((c) => storageLevel(ctx, c));
  const seen = new Set<string>();
  for (const l of storage) {
    if (seen.has(l.name)) ctx.fail('architecture', `unique storage level names`, `${l.name} twice`);
    seen.add(l.name);
  }
  const mac = arithmeticLevel(ctx, comps[comps.length - 1]!);
  // children must not be fewer than their parents
  const chain: { name: string; instances: number; meshX: number }[] = [mac, ...storage];
  for (let i = 1; i < chain.length; i++) {
    const child = chain[i - 1]!;
    const parent = chain[i]!;
    if (child.instances % parent.instances !== 0) {
      ctx.fail(
        'architecture',
        `instances of ${child.name} (${child.instances}) to be a multiple of those of ${parent.name} (${parent.instances})`,
        `${child.instances}`,
      );
    }
    if (child.meshX % parent.meshX !== 0) {
      ctx.fail(
        'architecture',
        `meshX of ${child.name} (${child.meshX}) to be a multiple of the meshX of ${parent.name} (${parent.meshX})`,
        `${child.meshX}`,
      );
    }
    // the fanout's X side (child columns per parent column) must divide the fanout (children per parent)
    const perParent = child.instances / parent.instances;
    const columns = child.meshX / parent.meshX;
    if (perParent % columns !== 0) {
      ctx.fail(
        'architecture',
        `meshX of ${child.name} (${child.meshX}) to be the meshX of ${parent.name} (${parent.meshX}) times a divisor of the ${perParent} ${child.name} per ${parent.name}`,
        `${columns} columns per ${parent.name}`,
      );
    }
  }

  const top = Object.keys(containers)[0];
  const topAttrs = top !== undefined ? containers[top]! : {};
  const allAttrs = [topAttrs, ...Object.values(containers), ...comps.map((c) => c.attributes)];
  const technology = allAttrs.map((a) => a.technology).find((t) => t !== undefined);
  const clockGHz = clockOf(ctx, allAttrs);
  const name = opts.name ?? defaultName(comps, containers);
  const source: TimeloopArchSource = { kind: 'timeloop-arch', containers };
  if (constrained.length > 0) source.inlineConstraints = constrained;
  const acc: Accelerator = { name, levels: storage, mac, clockGHz, source };
  if (technology !== undefined) {
    if (typeof technology !== 'string' && typeof technology !== 'number') ctx.fail('technology', 'a technology name such as 45nm', technology);
    acc.technology = String(technology);
  }
  return acc;
}

/** A clock far above any chip's, so that power (energy x clock) stays finite. */
const MAX_CLOCK_GHZ = 1000;
const CLOCK_RANGE = `a positive clock in GHz, at most ${MAX_CLOCK_GHZ}`;

function clockOf(ctx: Ctx, attrs: Record<string, unknown>[]): number {
  for (const a of attrs) {
    if (a.clock_GHz !== undefined) {
      const c = ctx.posNum(a.clock_GHz, 'clock_GHz', CLOCK_RANGE);
      if (c > MAX_CLOCK_GHZ) ctx.fail('clock_GHz', CLOCK_RANGE, c);
      return c;
    }
    if (a.frequency !== undefined) {
      const f = ctx.posNum(a.frequency, 'frequency', 'a positive frequency (Hz, or MHz below 1e6)');
      const c = f >= 1e6 ? f / 1e9 : f / 1e3;
      if (c > MAX_CLOCK_GHZ) ctx.fail('frequency', `a frequency of at most ${MAX_CLOCK_GHZ} GHz`, f);
      return c;
    }
  }
  return 1;
}

/** The container holding the outermost on-chip level (e.g. `eyeriss` in system.eyeriss.shared_glb), else the top one. */
function defaultName(comps: RawComponent[], containers: Record<string, Record<string, unknown>>): string {
  const onChip = comps.find((c) => !/dram/i.test(c.className));
  const path = onChip?.containerPath ?? Object.keys(containers)[0] ?? '';
  const last = path.split('.').pop();
  return last && last.length > 0 ? last : 'accelerator';
}

function storageLevel(ctx: Ctx, c: RawComponent): StorageLevel {
  const a = c.attributes;
  const ap = join(c.yamlPath, 'attributes');
  const isDram = /dram/i.test(c.className);
  const wb = attr(a, WORD_BITS_KEYS);
  if (!wb) ctx.fail(join(ap, 'word-bits'), `the word width in bits of ${c.name} (word-bits, word_bits or datawidth)`, undefined);
  const wordBits = ctx.posInt(wb.value, join(ap, wb.key));
  const bs = attr(a, BLOCK_KEYS);
  const w = attr(a, WIDTH_KEYS);
  let widthBits: number;
  let blockSize: number;
  if (w) {
    widthBits = ctx.posInt(w.value, join(ap, w.key));
    blockSize = bs ? ctx.posInt(bs.value, join(ap, bs.key)) : Math.max(1, Math.floor(widthBits / wordBits));
  } else {
    blockSize = bs ? ctx.posInt(bs.value, join(ap, bs.key)) : 1;
    widthBits = blockSize * wordBits;
  }
  const d = attr(a, DEPTH_KEYS);
  let depth: number | null = d ? ctx.posInt(d.value, join(ap, d.key)) : null;
  let capacityWords: number | null = null;
  if (depth === null && a.size !== undefined) {
    capacityWords = ctx.posInt(a.size, join(ap, 'size'), 'a positive size in words');
    depth = Math.ceil((capacityWords * wordBits) / widthBits);
  } else if (depth !== null) {
    capacityWords = Math.floor((depth * widthBits) / wordBits);
  }
  if (isDram) capacityWords = null;
  const bw = (k: string): number | null => (a[k] === undefined ? null : ctx.posNum(a[k], join(ap, k), 'a positive bandwidth in words/cycle'));
  return {
    ...placement(ctx, c),
    depth: isDram ? (d ? depth : null) : depth,
    widthBits,
    wordBits,
    blockSize,
    capacityWords,
    readBandwidth: bw('read_bandwidth'),
    writeBandwidth: bw('write_bandwidth'),
    sharedBandwidth: bw('shared_bandwidth'),
    energy: { read: 0, write: 0, leak: 0 },
    areaUm2: 0,
    hardwareKeep: null,
    attributes: a,
  };
}

function placement(ctx: Ctx, c: RawComponent): LevelPlacement {
  const { name, hierarchicalName, className, instances } = c;
  return { name, hierarchicalName, className, instances, ...mesh(ctx, c) };
}

function mesh(ctx: Ctx, c: RawComponent): { meshX: number; meshY: number } {
  const ap = join(c.yamlPath, 'attributes');
  let meshX: number;
  if (c.attributes.meshX !== undefined) meshX = ctx.posInt(c.attributes.meshX, join(ap, 'meshX'));
  else if (c.attributes.meshY !== undefined) meshX = c.instances / ctx.posInt(c.attributes.meshY, join(ap, 'meshY'));
  else meshX = c.meshX ?? c.instances;
  if (!Number.isInteger(meshX) || c.instances % meshX !== 0) {
    ctx.fail(join(ap, 'meshX'), `a meshX that divides the ${c.instances} instances of ${c.name}`, meshX);
  }
  const meshY = c.instances / meshX;
  if (c.attributes.meshY !== undefined && c.attributes.meshY !== meshY) {
    ctx.fail(join(ap, 'meshY'), `meshY = instances / meshX = ${meshY}`, c.attributes.meshY);
  }
  return { meshX, meshY };
}

function arithmeticLevel(ctx: Ctx, c: RawComponent): ArithmeticLevel {
  const a = c.attributes;
  const ap = join(c.yamlPath, 'attributes');
  // Accelergy's intmac may give its operand width only as multiplier_width (Timeloop's eyeriss_like v0.4 example)
  const wb = attr(a, ['datawidth', 'word-bits', 'word_bits', 'multiplier_width']);
  if (!wb) ctx.fail(join(ap, 'datawidth'), `the datawidth of ${c.name} (datawidth, word-bits or multiplier_width)`, undefined);
  return {
    ...placement(ctx, c),
    datawidth: ctx.posInt(wb.value, join(ap, wb.key)),
    energyPerMAC: 0,
    areaUm2: 0,
    attributes: a,
  };
}

// ---------------------------------------------------------------- ERT / ART

/** The `tables` list of a Timeloop ERT/ART file (`<key>: {version, tables: [...]}`), each table a checked mapping. */
function tablesOf(
  text: string,
  file: string,
  key: 'ERT' | 'ART',
  fields: string[],
): { ctx: Ctx; tables: { o: Record<string, unknown>; p: string }[] } {
  const ctx = new Ctx(file);
  const root = ctx.obj(parseYaml(text, file), '(top level)', `a YAML mapping with an ${key}: key`);
  if (root[key] === undefined) ctx.fail(key, `an ${key}: section`, undefined);
  const section = ctx.obj(root[key], key);
  ctx.fields(section, key, ['version', 'tables'], ['tables']);
  const tables = ctx.list(section.tables, `${key}.tables`).map((t, i) => {
    const p = `${key}.tables[${i}]`;
    const o = ctx.obj(t, p);
    ctx.fields(o, p, ['name', ...fields], ['name', ...fields]);
    return { o, p };
  });
  return { ctx, tables };
}

/**
 * The range of an ERT energy and an ART area. Real tables hold 0.01-2,000 pJ per action and up to ~1e7 um^2 per
 * component; the bounds are far above that yet keep every total (energy x counts, area x instances) a finite double,
 * so a typo such as 1e308 is refused instead of printing `null`.
 */
export const TABLE_LIMITS = { energy_pJ: 1e9, area_um2: 1e12 } as const;
const ENERGY_RANGE = `an energy in pJ between 0 and ${TABLE_LIMITS.energy_pJ.toExponential().replace('+', '')}`;
const AREA_RANGE = `an area in um^2 between 0 and ${TABLE_LIMITS.area_um2.toExponential().replace('+', '')}`;

/** Parse `ERT: {tables: [{name, actions: [{name, arguments, energy}]}]}`. */
export function parseERT(text: string, file: string): ErtTable[] {
  const { ctx, tables } = tablesOf(text, file, 'ERT', ['actions']);
  return tables.map(({ o, p }) => ({
    name: ctx.str(o.name, `${p}.name`),
    actions: ctx.list(o.actions, `${p}.actions`).map((x, j) => {
      const ap = `${p}.actions[${j}]`;
      const act = ctx.obj(x, ap);
      ctx.fields(act, ap, ['name', 'arguments', 'energy'], ['name', 'energy']);
      const energy = ctx.num(act.energy, `${ap}.energy`, ENERGY_RANGE);
      if (energy < 0 || energy > TABLE_LIMITS.energy_pJ) ctx.fail(`${ap}.energy`, ENERGY_RANGE, energy);
      return { name: ctx.str(act.name, `${ap}.name`), arguments: act.arguments ?? null, energy };
    }),
  }));
}

/** Parse `ART: {tables: [{name, area}]}`. */
export function parseART(text: string, file: string): ArtTable[] {
  const { ctx, tables } = tablesOf(text, file, 'ART', ['area']);
  return tables.map(({ o, p }) => {
    const area = ctx.num(o.area, `${p}.area`, AREA_RANGE);
    if (area < 0 || area > TABLE_LIMITS.area_um2) ctx.fail(`${p}.area`, AREA_RANGE, area);
    return { name: ctx.str(o.name, `${p}.name`), area };
  });
}

export const stripRanges = (s: string): string => s.replace(/\[\d+\.\.\d+\]/g, '');

/** Split a hierarchical name on the dots that are not inside an instance range. */
export function splitPath(h: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of h) {
    if (ch === '[') depth++;
    if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === '.' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Find the table for a component: exact hierarchical name, then ignoring ranges, then by its own (unique) name. */
function findTable<T extends { name: string }>(tables: T[], hierarchicalName: string, name: string): T | undefined {
  return (
    tables.find((t) => t.name === hierarchicalName) ??
    tables.find((t) => stripRanges(t.name) === stripRanges(hierarchicalName)) ??
    (() => {
      const m = tables.filter((t) => splitPath(stripRanges(t.name)).pop() === name);
      return m.length === 1 ? m[0] : undefined;
    })()
  );
}

function maxEnergy(t: ErtTable, names: string[]): number | undefined {
  for (const n of names) {
    const es = t.actions.filter((a) => a.name === n).map((a) => a.energy);
    if (es.length > 0) return Math.max(...es);
  }
  return undefined;
}

/**
 * Fill in energies (from the ERT) and areas (from the ART). Storage: `read` -> energy.read, `write` -> energy.write
 * (Timeloop uses it for fills and updates), `leak` -> energy.leak (else 0); several argument variants -> the max.
 * Arithmetic: `mac_random`, else `compute`. Missing tables give 0 and a warning.
 */
export function applyEnergyArea(
  arch: Accelerator,
  ert: ErtTable[] | null,
  art: ArtTable[] | null,
  files: { ert?: string; art?: string } = {},
): { arch: Accelerator; warnings: string[] } {
  const warnings: string[] = [];
  const ertFile = files.ert ?? 'ERT';
  const artFile = files.art ?? 'ART';
  if (!ert) warnings.push('no ERT given: all access and MAC energies are 0');
  if (!art) warnings.push('no ART given: all areas are 0');
  const levels = arch.levels.map((l) => {
    const energy = { read: 0, write: 0, leak: 0 };
    let areaUm2 = 0;
    if (ert) {
      const t = findTable(ert, l.hierarchicalName, l.name);
      if (!t) warnings.push(`${ertFile}: no table for ${l.hierarchicalName}; its energies are 0`);
      else {
        const r = maxEnergy(t, ['read']);
        const w = maxEnergy(t, ['write']);
        if (r === undefined) warnings.push(`${ertFile}: table ${t.name} has no read action; read energy is 0`);
        if (w === undefined) warnings.push(`${ertFile}: table ${t.name} has no write action; write energy is 0`);
        energy.read = r ?? 0;
        energy.write = w ?? 0;
        energy.leak = maxEnergy(t, ['leak']) ?? 0;
      }
    }
    if (art) {
      const t = findTable(art, l.hierarchicalName, l.name);
      if (!t) warnings.push(`${artFile}: no table for ${l.hierarchicalName}; its area is 0`);
      else areaUm2 = t.area;
    }
    return { ...l, energy, areaUm2 };
  });
  const mac = { ...arch.mac, energyPerMAC: 0, areaUm2: 0 };
  if (ert) {
    const t = findTable(ert, mac.hierarchicalName, mac.name);
    const e = t ? maxEnergy(t, ['mac_random', 'compute']) : undefined;
    if (!t) warnings.push(`${ertFile}: no table for ${mac.hierarchicalName}; MAC energy is 0`);
    else if (e === undefined) warnings.push(`${ertFile}: table ${t.name} has no mac_random or compute action; MAC energy is 0`);
    mac.energyPerMAC = e ?? 0;
  }
  if (art) {
    const t = findTable(art, mac.hierarchicalName, mac.name);
    if (!t) warnings.push(`${artFile}: no table for ${mac.hierarchicalName}; MAC area is 0`);
    else mac.areaUm2 = t.area;
  }
  return { arch: { ...arch, levels, mac }, warnings };
}

/** Architecture + optional ERT + optional ART -> Accelerator (and warnings about missing tables). */
export function buildAccelerator(inputs: { arch: TextInput; ert?: TextInput; art?: TextInput; name?: string }): {
  arch: Accelerator;
  warnings: string[];
} {
  const a = parseArchitecture(inputs.arch.text, inputs.arch.file, inputs.name !== undefined ? { name: inputs.name } : {});
  const ert = inputs.ert ? parseERT(inputs.ert.text, inputs.ert.file) : null;
  const art = inputs.art ? parseART(inputs.art.text, inputs.art.file) : null;
  const files: { ert?: string; art?: string } = {};
  if (inputs.ert) files.ert = inputs.ert.file;
  if (inputs.art) files.art = inputs.art.file;
  const r = applyEnergyArea(a, ert, art, files);
  const inline = (a.source as TimeloopArchSource).inlineConstraints ?? [];
  if (inline.length > 0)
    r.warnings.push(
      `${inputs.arch.file}: constraints inside nodes are not read (${inline.slice(0, 3).join(', ')}${inline.length > 3 ? `, ${inline.length - 3} more` : ''}); ` +
        'the map space is the whole one the hardware allows unless --constraints is given',
    );
  return r;
}

// ---------------------------------------------------------------- writers

interface Placed {
  /** container path segments without ranges */
  containers: string[];
  /** own name without range */
  name: string;
  instances: number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * How the architecture writer lays the components out: container multiplicities and each component's own range, chosen
 * so that every component gets exactly its `instances` (containers take the gcd of everything inside them).
 * Returns the hierarchical names (storage levels innermost first, then the MAC) and the container ranges.
 */
export function timeloopLayout(arch: Accelerator): {
  levelNames: string[];
  macName: string;
  containerCounts: Map<string, number>;
  ownCounts: number[];
  placed: Placed[];
} {
  // outermost first: DRAM ... innermost storage, MAC
  const comps = [...arch.levels].reverse().map((l) => ({ h: l.hierarchicalName, name: l.name, instances: l.instances }));
  comps.push({ h: arch.mac.hierarchicalName, name: arch.mac.name, instances: arch.mac.instances });
  const placed: Placed[] = comps.map((c) => {
    const segs = splitPath(c.h).map(stripRanges);
    const own = segs.pop();
    return { containers: segs, name: own && own === c.name ? own : c.name, instances: c.instances };
  });
  const containerCounts = new Map<string, number>();
  const productAbove = (segs: string[], upto: number): number => {
    let p = 1;
    for (let i = 0; i < upto; i++) p *= containerCounts.get(segs.slice(0, i + 1).join('.')) ?? 1;
    return p;
  };
  // visit containers in order of depth so that parents are known
  const maxDepth = Math.max(0, ...placed.map((p) => p.containers.length));
  for (let depth = 1; depth <= maxDepth; depth++) {
    const byPath = new Map<string, number[]>();
    for (const p of placed) {
      if (p.containers.length < depth) continue;
      const key = p.containers.slice(0, depth).join('.');
      byPath.set(key, [...(byPath.get(key) ?? []), p.instances]);
    }
    for (const [key, inst] of byPath) {
      const g = inst.reduce(gcd);
      const above = productAbove(key.split('.'), depth - 1);
      containerCounts.set(key, Math.max(1, Math.round(g / above)));
    }
  }
  const ownCounts = placed.map((p) => Math.max(1, Math.round(p.instances / productAbove(p.containers, p.containers.length))));
  const rangeName = (base: string, n: number): string => (n > 1 ? `${base}[0..${n - 1}]` : base);
  const names = placed.map((p, i) => {
    const segs = p.containers.map((s, d) => rangeName(s, containerCounts.get(p.containers.slice(0, d + 1).join('.')) ?? 1));
    return [...segs, rangeName(p.name, ownCounts[i]!)].join('.');
  });
  const macName = names.pop()!;
  return { levelNames: names.reverse(), macName, containerCounts, ownCounts, placed };
}

function setAttr(a: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  const k = keys.find((x) => a[x] !== undefined) ?? keys[0]!;
  a[k] = value;
}

function storageAttributes(l: StorageLevel): Record<string, unknown> {
  const a: Record<string, unknown> = { ...l.attributes };
  const isDram = /dram/i.test(l.className);
  // capacity: depth (or size) from capacityWords when they disagree
  if (a.size !== undefined && attr(a, DEPTH_KEYS) === undefined) {
    if (l.capacityWords !== null) a.size = l.capacityWords;
  } else if (!isDram || attr(a, DEPTH_KEYS)) {
    let depth = l.depth;
    if (l.capacityWords !== null && (depth === null || Math.floor((depth * l.widthBits) / l.wordBits) !== l.capacityWords)) {
      depth = Math.ceil((l.capacityWords * l.wordBits) / l.widthBits);
    }
    if (depth !== null) setAttr(a, DEPTH_KEYS, depth);
  }
  setAttr(a, WORD_BITS_KEYS, l.wordBits);
  // write width/block-size when present, or when leaving them out would read back differently
  let writeWidth = attr(a, WIDTH_KEYS) !== undefined;
  let writeBlock = attr(a, BLOCK_KEYS) !== undefined;
  if (!writeWidth && !writeBlock) writeWidth = writeBlock = !(l.widthBits === l.wordBits && l.blockSize === 1);
  else if (!writeWidth) writeWidth = l.widthBits !== l.blockSize * l.wordBits;
  else if (!writeBlock) writeBlock = l.blockSize !== Math.max(1, Math.floor(l.widthBits / l.wordBits));
  if (writeWidth) setAttr(a, WIDTH_KEYS, l.widthBits);
  if (writeBlock) setAttr(a, BLOCK_KEYS, l.blockSize);
  for (const [k, v] of [
    ['read_bandwidth', l.readBandwidth],
    ['write_bandwidth', l.writeBandwidth],
    ['shared_bandwidth', l.sharedBandwidth],
  ] as const) {
    if (v === null) delete a[k];
    else a[k] = v;
  }
  if (a.meshX !== undefined || l.meshX !== l.instances) a.meshX = l.meshX;
  if (a.meshY !== undefined) a.meshY = l.meshY;
  return timeloopKeys(a, STORAGE_KEY_NAMES);
}

/**
 * Attribute names timeloop-model reads in a v0.3 file: our readers also take the v0.4 spellings (`block_size`,
 * `word_bits`), Timeloop's v0.3 parser only `block-size` and `word-bits`/`datawidth`, so they are written that way.
 */
const STORAGE_KEY_NAMES: Record<string, string> = { block_size: 'block-size', word_bits: 'word-bits' };
const ARITH_KEY_NAMES: Record<string, string> = { word_bits: 'datawidth' };

function timeloopKeys(a: Record<string, unknown>, names: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [names[k] !== undefined && a[names[k]!] === undefined ? names[k]! : k, v]));
}

/** Write the architecture as Timeloop v0.3 YAML (the nesting and names of the original tree are kept). */
export function writeArchitectureYaml(arch: Accelerator): string {
  const layout = timeloopLayout(arch);
  const src = (arch.source as TimeloopArchSource | undefined)?.kind === 'timeloop-arch' ? (arch.source as TimeloopArchSource) : undefined;
  interface Node {
    name: string;
    attributes?: Record<string, unknown>;
    local?: unknown[];
    subtree?: Node[];
  }
  const root: { subtree?: Node[]; local?: unknown[] } = {};
  const comps = [...[...arch.levels].reverse().map((l) => ({ l, arith: false })), { l: arch.mac, arith: true }];
  comps.forEach((c, i) => {
    const p = layout.placed[i]!;
    let parent: { subtree?: Node[]; local?: unknown[] } = root;
    p.containers.forEach((seg, d) => {
      const path = p.containers.slice(0, d + 1).join('.');
      const n = layout.containerCounts.get(path) ?? 1;
      const name = n > 1 ? `${seg}[0..${n - 1}]` : seg;
      parent.subtree ??= [];
      let node = parent.subtree.find((s) => s.name === name);
      if (!node) {
        if (parent.subtree.length > 0)
          throw new Error(`architecture ${arch.name}: two subtrees under one level (${parent.subtree[0]!.name}, ${name})`);
        node = { name };
        const attrs = src && Object.hasOwn(src.containers, path) ? src.containers[path] : undefined;
        if (attrs && Object.keys(attrs).length > 0) node.attributes = { ...attrs };
        else if (d === 0 && arch.technology !== undefined) node.attributes = { technology: arch.technology };
        parent.subtree.push(node);
      }
      parent = node;
    });
    const own = layout.ownCounts[i]!;
    const name = own > 1 ? `${p.name}[0..${own - 1}]` : p.name;
    let attributes: Record<string, unknown>;
    if (c.arith) {
      const m = c.l as ArithmeticLevel;
      attributes = { ...m.attributes };
      setAttr(attributes, ['datawidth', 'word-bits', 'word_bits'], m.datawidth);
      if (attributes.meshX !== undefined || m.meshX !== m.instances) attributes.meshX = m.meshX;
      if (attributes.meshY !== undefined) attributes.meshY = m.meshY;
      attributes = timeloopKeys(attributes, ARITH_KEY_NAMES);
    } else {
      attributes = storageAttributes(c.l as StorageLevel);
    }
    parent.local ??= [];
    parent.local.push({ name, class: c.l.className, attributes });
  });
  // put keys in the conventional order: name, attributes, local, subtree
  const order = (n: Node): Node => {
    const o: Node = { name: n.name };
    if (n.attributes) o.attributes = n.attributes;
    if (n.local) o.local = n.local;
    if (n.subtree) o.subtree = n.subtree.map(order);
    return o;
  };
  const architecture: Record<string, unknown> = { version: 0.3 };
  if (root.local) architecture.local = root.local;
  if (root.subtree) architecture.subtree = root.subtree.map(order);
  return toYaml({ architecture });
}

/** ERT with one table per component, keyed by the names `writeArchitectureYaml` gives them. */
export function writeErtYaml(arch: Accelerator): string {
  const layout = timeloopLayout(arch);
  const tables: unknown[] = [];
  [...arch.levels].reverse().forEach((l, i) => {
    const actions: unknown[] = [
      { name: 'read', arguments: null, energy: l.energy.read },
      { name: 'write', arguments: null, energy: l.energy.write },
    ];
    if (l.energy.leak !== 0) actions.push({ name: 'leak', arguments: null, energy: l.energy.leak });
    tables.push({ name: layout.levelNames[arch.levels.length - 1 - i], actions });
  });
  tables.push({ name: layout.macName, actions: [{ name: 'mac_random', arguments: null, energy: arch.mac.energyPerMAC }] });
  return toYaml({ ERT: { version: 0.3, tables } });
}

/** ART with the area per instance of every component. */
export function writeArtYaml(arch: Accelerator): string {
  const layout = timeloopLayout(arch);
  const tables: unknown[] = [...arch.levels].reverse().map((l, i) => ({ name: layout.levelNames[arch.levels.length - 1 - i], area: l.areaUm2 }));
  tables.push({ name: layout.macName, area: arch.mac.areaUm2 });
  return toYaml({ ART: { version: 0.3, tables } });
}
