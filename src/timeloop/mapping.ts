/**
 * Timeloop mapping files <-> Mapping.
 *
 * Defaults follow Timeloop v3.0.3's mapping parser (src/mapping/parser.cpp):
 * - dims missing from `factors` are 1; a factor of 0 means the whole problem dimension;
 * - dims missing from a `permutation` are appended (outermost) in the shape's dimension order (R S P Q C K N);
 * - a spatial directive without `split` puts every dim on X (split = number of dims);
 * - a dataspace neither kept nor bypassed at a level is KEPT (Timeloop turns its 'X' default into "keep"), and the
 *   outermost level always keeps everything unless told otherwise.
 */
import { fanoutBelow, type Accelerator } from '../hardware/accelerator.js';
import type { Violation } from '../mapping/check.js';
import { keepAll, noFanoutSpatial, problemDims, unitFactors, type LevelMapping, type Mapping } from '../mapping/mapping.js';
import { DATASPACES, DIMS, type DataSpace, type Dim, type DimMap, type Problem } from '../workload/layer.js';
import { Ctx, join, parseYaml, toYaml } from './yaml.js';

const ENTRY_FIELDS = ['target', 'type', 'factors', 'permutation', 'split', 'keep', 'bypass'] as const;

export { problemDims };

/**
 * Parse a factors string: "R=1 S=3 P=7" or the mapper's "R1 S3 P7" (a YAML list of such tokens also works).
 * Returns the factors as written (0 kept as 0). `what` is used in messages.
 */
export function parseFactorString(
  ctx: Ctx,
  v: unknown,
  path: string,
  dims: readonly Dim[],
  opts: { allowZero: boolean },
): Partial<Record<Dim, number>> {
  const expected = `factors like "R=3 S=3 P=7" over the dims ${dims.join(' ')} (${opts.allowZero ? 'non-negative' : 'positive'} integers)`;
  let s: string;
  if (typeof v === 'string') s = v;
  else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) s = v.join(' ');
  else return ctx.failRaw(path, expected, v === undefined ? 'nothing' : JSON.stringify(v));
  s = s.split('#')[0]!;
  const tokens = s
    .replace(/\s*=\s*/g, '=')
    .split(/[\s,]+/)
    .filter((t) => t.length > 0);
  const out: Partial<Record<Dim, number>> = {};
  for (const t of tokens) {
    const m = /^([A-Za-z]+)=?(-?[0-9.eE+-]+)$/.exec(t);
    if (!m) ctx.failRaw(path, expected, JSON.stringify(t));
    const d = m[1]!;
    if (!(dims as readonly string[]).includes(d))
      ctx.failRaw(path, `dims of the layer (${dims.join(' ')})`, `${JSON.stringify(d)} in ${JSON.stringify(t)}`);
    const n = Number(m[2]);
    if (!Number.isInteger(n) || n < 0 || (!opts.allowZero && n === 0)) ctx.failRaw(path, expected, JSON.stringify(t));
    if (out[d as Dim] !== undefined) ctx.failRaw(path, 'each dim at most once', `${d} twice`);
    out[d as Dim] = n;
  }
  return out;
}

/** Parse a permutation string ("KRSPQCN", innermost first) or list; returns the dims as written. */
export function parsePermutationString(ctx: Ctx, v: unknown, path: string, dims: readonly Dim[]): Dim[] {
  const expected = `a permutation like "${dims.join('')}" (innermost first) over the dims ${dims.join(' ')}`;
  let letters: string[];
  if (typeof v === 'string') letters = v.replace(/[\s,]+/g, '').split('');
  else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) letters = v.map((x) => (x as string).trim());
  else return ctx.failRaw(path, expected, v === undefined ? 'nothing' : JSON.stringify(v));
  const out: Dim[] = [];
  for (const l of letters) {
    if (!(dims as readonly string[]).includes(l)) ctx.failRaw(path, expected, `${JSON.stringify(l)} in ${JSON.stringify(v)}`);
    if (out.includes(l as Dim)) ctx.failRaw(path, `${expected}, each dim once`, `${l} twice`);
    out.push(l as Dim);
  }
  return out;
}

export function parseDataspaceList(ctx: Ctx, v: unknown, path: string): DataSpace[] {
  const list = ctx.list(v, path, `a list of dataspaces (${DATASPACES.join(', ')})`);
  return list.map((x, i) => {
    if (typeof x !== 'string' || !(DATASPACES as readonly string[]).includes(x)) {
      ctx.failRaw(`${path}[${i}]`, `a dataspace (${DATASPACES.join(', ')})`, JSON.stringify(x));
    }
    return x as DataSpace;
  });
}

/**
 * Complete a permutation: append the missing dims of the problem (outermost) in Timeloop's dimension order, then the
 * dims the problem lacks (K of a depthwise layer), so that split positions over the problem's dims stay valid.
 */
export function completePermutation(p: readonly Dim[], dims: readonly Dim[] = DIMS): Dim[] {
  const out = [...p, ...dims.filter((d) => !p.includes(d))];
  return [...out, ...DIMS.filter((d) => !out.includes(d))];
}

function findLevel(ctx: Ctx, arch: Accelerator, v: unknown, path: string): number {
  const names = arch.levels.map((l) => l.name);
  const expected = `a storage level of ${arch.name} (${names.join(', ')})`;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < names.length) return v;
  if (typeof v !== 'string') ctx.failRaw(path, expected, v === undefined ? 'nothing' : JSON.stringify(v));
  const i = names.indexOf(v);
  if (i < 0) ctx.failRaw(path, expected, JSON.stringify(v));
  return i;
}

/** Parse `mapping: [...]` against an architecture and a problem. Result is aligned with arch.levels (innermost first). */
export function parseMapping(text: string, file: string, arch: Accelerator, problem: Problem): Mapping {
  return parseMappingFile(text, file, arch, problem).mapping;
}

/**
 * `parseMapping`, with what timeloop-model v3.0.3 would refuse in a file we can read: a spatial directive on a level
 * whose child has as many instances as the level (it exits with "cannot find spatial tiling level").
 */
export function parseMappingFile(text: string, file: string, arch: Accelerator, problem: Problem): { mapping: Mapping; refusals: Violation[] } {
  const refusals: Violation[] = [];
  const ctx = new Ctx(file);
  const root = ctx.obj(parseYaml(text, file), '(top level)', 'a YAML mapping with a mapping: key');
  if (root.mapping === undefined) ctx.fail('mapping', 'a mapping: list', undefined);
  const entries = ctx.list(root.mapping, 'mapping', 'a list of mapping directives');
  const dims = problemDims(problem);
  const nLevels = arch.levels.length;

  const temporal: (Partial<Record<Dim, number>> | null)[] = Array(nLevels).fill(null);
  const tperm: (Dim[] | null)[] = Array(nLevels).fill(null);
  const spatial: (Partial<Record<Dim, number>> | null)[] = Array(nLevels).fill(null);
  const sperm: (Dim[] | null)[] = Array(nLevels).fill(null);
  const split: (number | null)[] = Array(nLevels).fill(null);
  const keep: Partial<Record<DataSpace, boolean>>[] = Array.from({ length: nLevels }, () => ({}));
  const seen = new Set<string>();

  entries.forEach((e, i) => {
    const p = `mapping[${i}]`;
    const o = ctx.obj(e, p, 'a mapping directive {target, type, ...}');
    ctx.fields(o, p, ENTRY_FIELDS, ['target', 'type']);
    const type = o.type;
    const types = ['temporal', 'spatial', 'datatype', 'bypass'];
    if (typeof type !== 'string' || !types.includes(type)) ctx.failRaw(join(p, 'type'), `one of ${types.join(', ')}`, JSON.stringify(type));
    const lvl = findLevel(ctx, arch, o.target, join(p, 'target'));
    if (type === 'temporal' || type === 'spatial') {
      for (const k of ['keep', 'bypass'])
        if (o[k] !== undefined) ctx.failRaw(join(p, k), `no ${k} in a ${type} directive (use type: datatype)`, 'a value');
      if (type === 'temporal' && o.split !== undefined) ctx.failRaw(join(p, 'split'), 'no split in a temporal directive', 'a value');
      const key = `${type}:${lvl}`;
      if (seen.has(key)) ctx.failRaw(p, `one ${type} directive per level`, `a second one for ${arch.levels[lvl]!.name}`);
      seen.add(key);
      const f = o.factors === undefined ? {} : parseFactorString(ctx, o.factors, join(p, 'factors'), dims, { allowZero: true });
      for (const d of dims) if (f[d] === 0) f[d] = problem.dims[d];
      const perm = o.permutation === undefined ? [] : parsePermutationString(ctx, o.permutation, join(p, 'permutation'), dims);
      if (type === 'temporal') {
        temporal[lvl] = f;
        tperm[lvl] = perm;
      } else {
        if (fanoutBelow(arch, lvl).total === 1) {
          const name = arch.levels[lvl]!.name;
          const inner = lvl === 0 ? arch.mac.name : arch.levels[lvl - 1]!.name;
          refusals.push({
            rule: 'timeloop-spatial-no-fanout',
            level: name,
            message: `${p}: a spatial directive on ${name}, which has no fanout to ${inner}; timeloop-model refuses it (omit the directive)`,
          });
        }
        spatial[lvl] = f;
        sperm[lvl] = perm;
        if (o.split !== undefined) {
          const sp = ctx.nonNegInt(o.split, join(p, 'split'), `a split between 0 and ${dims.length}`);
          if (sp > dims.length) ctx.failRaw(join(p, 'split'), `a split between 0 and ${dims.length}`, String(sp));
          split[lvl] = sp;
        }
      }
    } else {
      for (const k of ['factors', 'permutation', 'split'])
        if (o[k] !== undefined) ctx.failRaw(join(p, k), `no ${k} in a ${type} directive`, 'a value');
      const k = o.keep === undefined ? [] : parseDataspaceList(ctx, o.keep, join(p, 'keep'));
      const b = o.bypass === undefined ? [] : parseDataspaceList(ctx, o.bypass, join(p, 'bypass'));
      for (const ds of k) if (b.includes(ds)) ctx.failRaw(join(p, 'bypass'), `${ds} either kept or bypassed`, 'both');
      for (const ds of k) keep[lvl]![ds] = true;
      for (const ds of b) keep[lvl]![ds] = false;
    }
  });

  const levels: LevelMapping[] = arch.levels.map((_, s) => {
    const t = unitFactors();
    Object.assign(t, temporal[s] ?? {});
    const sp = unitFactors();
    Object.assign(sp, spatial[s] ?? {});
    const k = keepAll(true);
    for (const ds of DATASPACES) if (keep[s]![ds] !== undefined) k[ds] = keep[s]![ds]!;
    const spatialOrder =
      fanoutBelow(arch, s).total === 1
        ? noFanoutSpatial(problem)
        : { spatialPermutation: completePermutation(sperm[s] ?? [], dims), split: split[s] ?? dims.length };
    return { temporal: t, permutation: completePermutation(tperm[s] ?? [], dims), spatial: sp, ...spatialOrder, keep: k };
  });
  return { mapping: { levels }, refusals };
}

function factorString(f: DimMap, dims: readonly Dim[]): string {
  return dims.map((d) => `${d}=${f[d]}`).join(' ');
}

/** Permutation without the dims the problem lacks, and the split re-counted over the remaining dims. */
function projectPermutation(perm: readonly Dim[], dims: readonly Dim[], split?: number): { perm: string; split: number } {
  const kept = perm.filter((d) => dims.includes(d));
  const s = split === undefined ? 0 : perm.slice(0, split).filter((d) => dims.includes(d)).length;
  return { perm: kept.join(''), split: s };
}

/**
 * Write a mapping that timeloop-model accepts: a datatype directive per level (innermost first, keep and bypass lists),
 * then per level its spatial directive (only levels with a fanout below: timeloop-model refuses one elsewhere) and its
 * temporal directive. Depthwise problems get no K.
 */
export function writeMappingYaml(mapping: Mapping, arch: Accelerator, problem: Problem): string {
  if (mapping.levels.length !== arch.levels.length) {
    throw new Error(`mapping has ${mapping.levels.length} levels but ${arch.name} has ${arch.levels.length}`);
  }
  const dims = problemDims(problem);
  mapping.levels.forEach((lm, s) => {
    if (fanoutBelow(arch, s).total === 1 && DIMS.some((d) => lm.spatial[d] !== 1))
      throw new Error(`${arch.levels[s]!.name} has no fanout but the mapping has spatial factors; check the mapping before writing it`);
  });
  const out: Record<string, unknown>[] = [];
  mapping.levels.forEach((lm, s) => {
    out.push({
      target: arch.levels[s]!.name,
      type: 'datatype',
      keep: DATASPACES.filter((ds) => lm.keep[ds]),
      bypass: DATASPACES.filter((ds) => !lm.keep[ds]),
    });
  });
  mapping.levels.forEach((lm, s) => {
    const target = arch.levels[s]!.name;
    if (fanoutBelow(arch, s).total > 1) {
      const pp = projectPermutation(lm.spatialPermutation, dims, lm.split);
      out.push({ target, type: 'spatial', factors: factorString(lm.spatial, dims), permutation: pp.perm, split: pp.split });
    }
    out.push({ target, type: 'temporal', factors: factorString(lm.temporal, dims), permutation: projectPermutation(lm.permutation, dims).perm });
  });
  return toYaml({ mapping: out });
}
