/**
 * Timeloop constraints files <-> Constraints.
 *
 * Reads `architecture_constraints: {targets: [...]}` and `mapspace_constraints: {targets: [...]}` (v0.3), and the
 * top-level `constraints: {targets: [...]}` / `constraints: [...]` form (v0.4; its targets count as mapspace
 * constraints). Types: bypass (also datatype, bypassing, dataspace), temporal, spatial.
 * Factors keep Timeloop's `0` ("the whole dimension"); permutations are the innermost loops, innermost first.
 */
import type { ConstraintTarget, Constraints } from '../mapping/constraints.js';
import { DIMS, type Dim } from '../workload/layer.js';
import { parseDataspaceList, parseFactorString, parsePermutationString } from './mapping.js';
import { Ctx, join, parseYaml, toYaml } from './yaml.js';

const TARGET_FIELDS = ['target', 'type', 'factors', 'permutation', 'split', 'keep', 'bypass'] as const;
const BYPASS_TYPES = ['bypass', 'datatype', 'bypassing', 'dataspace'];

function parseTargets(ctx: Ctx, v: unknown, path: string, source: ConstraintTarget['source']): ConstraintTarget[] {
  let list: unknown[];
  let listPath = path;
  if (Array.isArray(v)) list = v;
  else {
    const o = ctx.obj(v, path, 'a {targets: [...]} section or a list of constraints');
    ctx.fields(o, path, ['version', 'targets']);
    if (o.targets === undefined) return [];
    listPath = join(path, 'targets');
    list = ctx.list(o.targets, listPath);
  }
  return list.map((t, i) => {
    const p = join(listPath, i);
    const o = ctx.obj(t, p, 'a constraint {target, type, ...}');
    ctx.fields(o, p, TARGET_FIELDS, ['target', 'type']);
    const target = ctx.str(o.target, join(p, 'target'), 'a storage level name');
    const rawType = o.type;
    if (typeof rawType !== 'string' || ![...BYPASS_TYPES, 'temporal', 'spatial'].includes(rawType)) {
      ctx.failRaw(join(p, 'type'), 'one of bypass (or datatype), temporal, spatial', JSON.stringify(rawType));
    }
    const type: ConstraintTarget['type'] = BYPASS_TYPES.includes(rawType) ? 'bypass' : (rawType as 'temporal' | 'spatial');
    const c: ConstraintTarget = { target, type, source };
    if (type === 'bypass') {
      for (const k of ['factors', 'permutation', 'split'])
        if (o[k] !== undefined) ctx.failRaw(join(p, k), `no ${k} in a ${rawType} constraint`, 'a value');
      if (o.keep !== undefined) c.keep = parseDataspaceList(ctx, o.keep, join(p, 'keep'));
      if (o.bypass !== undefined) c.bypass = parseDataspaceList(ctx, o.bypass, join(p, 'bypass'));
      for (const ds of c.keep ?? []) if (c.bypass?.includes(ds)) ctx.failRaw(join(p, 'bypass'), `${ds} either kept or bypassed`, 'both');
    } else {
      for (const k of ['keep', 'bypass'])
        if (o[k] !== undefined) ctx.failRaw(join(p, k), `no ${k} in a ${type} constraint (use type: bypass)`, 'a value');
      if (o.factors !== undefined) {
        if (typeof o.factors === 'string' && o.factors.includes('<')) {
          ctx.failRaw(join(p, 'factors'), 'exact factors like "R=3" (max factors like "R<=3" are not supported)', JSON.stringify(o.factors));
        }
        c.factors = parseFactorString(ctx, o.factors, join(p, 'factors'), DIMS, { allowZero: true });
      }
      if (o.permutation !== undefined) c.permutation = parsePermutationString(ctx, o.permutation, join(p, 'permutation'), DIMS);
      if (o.split !== undefined) {
        if (type !== 'spatial') ctx.failRaw(join(p, 'split'), 'no split in a temporal constraint', 'a value');
        const s = ctx.nonNegInt(o.split, join(p, 'split'), `a split between 0 and ${DIMS.length}`);
        if (s > DIMS.length) ctx.failRaw(join(p, 'split'), `a split between 0 and ${DIMS.length}`, String(s));
        c.split = s;
      }
    }
    return c;
  });
}

/** Parse a constraints file. */
export function parseConstraints(text: string, file: string): Constraints {
  const ctx = new Ctx(file);
  const root = ctx.obj(parseYaml(text, file), '(top level)', 'a YAML mapping with architecture_constraints:, mapspace_constraints: or constraints:');
  const targets: ConstraintTarget[] = [];
  const sections = ['architecture_constraints', 'mapspace_constraints', 'constraints'];
  if (!sections.some((s) => root[s] !== undefined)) {
    ctx.fail('architecture_constraints', `one of the sections ${sections.join(', ')}`, undefined);
  }
  if (root.architecture_constraints !== undefined)
    targets.push(...parseTargets(ctx, root.architecture_constraints, 'architecture_constraints', 'architecture'));
  if (root.mapspace_constraints !== undefined) targets.push(...parseTargets(ctx, root.mapspace_constraints, 'mapspace_constraints', 'mapspace'));
  if (root.constraints !== undefined) targets.push(...parseTargets(ctx, root.constraints, 'constraints', 'mapspace'));
  return { targets };
}

function targetYaml(c: ConstraintTarget): Record<string, unknown> {
  const o: Record<string, unknown> = { target: c.target, type: c.type };
  if (c.keep !== undefined) o.keep = [...c.keep];
  if (c.bypass !== undefined) o.bypass = [...c.bypass];
  if (c.split !== undefined) o.split = c.split;
  if (c.permutation !== undefined) o.permutation = c.permutation.join('');
  if (c.factors !== undefined) {
    o.factors = (Object.keys(c.factors) as Dim[])
      .filter((d) => c.factors![d] !== undefined)
      .map((d) => `${d}=${c.factors![d]}`)
      .join(' ');
  }
  return o;
}

/** Write constraints as `architecture_constraints` / `mapspace_constraints` target lists. */
export function writeConstraintsYaml(constraints: Constraints): string {
  const out: Record<string, unknown> = {};
  const arch = constraints.targets.filter((t) => t.source === 'architecture');
  const ms = constraints.targets.filter((t) => t.source !== 'architecture');
  if (arch.length > 0 || ms.length === 0) out.architecture_constraints = { targets: arch.map(targetYaml) };
  if (ms.length > 0) out.mapspace_constraints = { targets: ms.map(targetYaml) };
  return toYaml(out);
}
