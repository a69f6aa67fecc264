/**
 * Mapping validity: every rule a mapping must satisfy on an architecture, and (optionally) Timeloop constraints.
 *
 * Permutation constraints follow timeloop-mapper (src/mapspaces/uber.cpp, subspaces.cpp): the listed dims are the
 * innermost loops in the listed order, and loops with a factor of 1 are ignored (the mapper puts unit loops anywhere,
 * and Timeloop drops them from the nest). So: the mapping's non-unit loops, innermost first, must start with the listed
 * dims that are non-unit, in the listed order; unlisted non-unit loops may follow in any order. For spatial levels the
 * order is X loops then Y loops. A spatial `split` applies to the constraint's pattern (listed dims first, then the
 * others): listed dims at positions < split must be on X, the rest on Y; unlisted dims take the remaining positions.
 * Factor constraints: a factor must equal the mapping's factor at that slot; 0 means the whole dimension (as
 * Timeloop's constraint parser reads it), and a factor larger than the dimension is clamped to it (as Timeloop does).
 */
import { fanoutBelow, type Accelerator } from '../hardware/accelerator.js';
import { DATASPACES, DIMS, type DataSpace, type DataSpaceMap, type Dim, type DimMap, type Problem } from '../workload/layer.js';
import type { ConstraintTarget, Constraints } from './constraints.js';
import { spatialXY, unitFactors, type Mapping } from './mapping.js';

export interface Violation {
  /** short rule id, e.g. factor-product, fanout-x, capacity, constraint-factor */
  rule: string;
  /** storage level name, or null for whole-mapping rules */
  level: string | null;
  dim?: Dim;
  dataspace?: DataSpace;
  message: string;
}

const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** Tile extents per dim at storage level s: all temporal and spatial factors at levels <= s. */
export function tileExtents(mapping: Mapping, s: number): DimMap {
  const t = unitFactors();
  for (let i = 0; i <= s; i++) {
    const l = mapping.levels[i]!;
    for (const d of DIMS) t[d] *= l.temporal[d] * l.spatial[d];
  }
  return t;
}

/** Words of each dataspace in the tile a level holds (Inputs as the bounding box along W and H). */
export function tileWordsOf(problem: Problem, t: DimMap): DataSpaceMap<number> {
  const W = problem.Wstride * (t.P - 1) + problem.Wdilation * (t.R - 1) + 1;
  const H = problem.Hstride * (t.Q - 1) + problem.Hdilation * (t.S - 1) + 1;
  return {
    Weights: t.C * t.K * t.R * t.S,
    Inputs: t.N * t.C * W * H,
    Outputs: t.N * t.P * t.Q * (problem.depthwise ? t.C : t.K),
  };
}

/** Words of each dataspace in level s's tile. */
export function tileWords(problem: Problem, mapping: Mapping, s: number): DataSpaceMap<number> {
  return tileWordsOf(problem, tileExtents(mapping, s));
}

function fmtFactors(f: Partial<DimMap>): string {
  const parts = DIMS.filter((d) => (f[d] ?? 1) !== 1).map((d) => `${d}=${f[d]}`);
  return parts.length > 0 ? parts.join(' ') : '(all 1)';
}

function isPermutationOfDims(p: unknown): boolean {
  return Array.isArray(p) && p.length === DIMS.length && DIMS.every((d) => p.includes(d));
}

/** Check a mapping; returns every violated rule (empty = valid). */
export function checkMapping(problem: Problem, arch: Accelerator, mapping: Mapping, constraints?: Constraints): Violation[] {
  const out: Violation[] = [];
  const n = arch.levels.length;
  if (mapping.levels.length !== n) {
    out.push({
      rule: 'level-count',
      level: null,
      message: `the mapping has ${mapping.levels.length} levels but ${arch.name} has ${n} storage levels (${arch.levels.map((l) => l.name).join(', ')})`,
    });
    return out;
  }
  const pdims: readonly Dim[] = problem.depthwise ? DIMS.filter((d) => d !== 'K') : DIMS;
  let factorsOk = true;

  mapping.levels.forEach((lm, s) => {
    const level = arch.levels[s]!.name;
    for (const kind of ['temporal', 'spatial'] as const) {
      for (const d of DIMS) {
        const f = lm[kind][d];
        if (!isPosInt(f)) {
          factorsOk = false;
          out.push({ rule: 'factor-positive', level, dim: d, message: `${level} ${kind} factor ${d} must be a positive integer, got ${String(f)}` });
        }
      }
    }
    if (!isPermutationOfDims(lm.permutation)) {
      out.push({
        rule: 'permutation',
        level,
        message: `${level} temporal permutation must list each of ${DIMS.join('')} once, got ${String(lm.permutation?.join?.('') ?? lm.permutation)}`,
      });
    }
    if (!isPermutationOfDims(lm.spatialPermutation)) {
      out.push({
        rule: 'permutation',
        level,
        message: `${level} spatial permutation must list each of ${DIMS.join('')} once, got ${String(lm.spatialPermutation?.join?.('') ?? lm.spatialPermutation)}`,
      });
    }
    if (!Number.isInteger(lm.split) || lm.split < 0 || lm.split > DIMS.length) {
      out.push({ rule: 'split', level, message: `${level} spatial split must be an integer from 0 to ${DIMS.length}, got ${lm.split}` });
    }
  });

  // factors multiply to the layer
  if (factorsOk) {
    for (const d of DIMS) {
      const prod = mapping.levels.reduce((p, l) => p * l.temporal[d] * l.spatial[d], 1);
      if (prod !== problem.dims[d]) {
        out.push({
          rule: 'factor-product',
          level: null,
          dim: d,
          message: `the factors of ${d} multiply to ${prod}, but the layer has ${d} = ${problem.dims[d]}`,
        });
      }
    }
  }

  mapping.levels.forEach((lm, s) => {
    const L = arch.levels[s]!;
    const level = L.name;
    // spatial fanout
    if (factorsOk && isPermutationOfDims(lm.spatialPermutation)) {
      const fo = fanoutBelow(arch, s);
      const inner = s === 0 ? arch.mac.name : arch.levels[s - 1]!.name;
      const { x, y } = spatialXY(lm);
      const px = DIMS.reduce((p, d) => p * x[d], 1);
      const py = DIMS.reduce((p, d) => p * y[d], 1);
      if (fo.total === 1) {
        if (px * py > 1) {
          out.push({
            rule: 'no-fanout',
            level,
            message: `${level} has no spatial fanout to ${inner}, so its spatial factors must be 1, got ${fmtFactors(lm.spatial)}`,
          });
        }
      } else {
        if (px > fo.x)
          out.push({
            rule: 'fanout-x',
            level,
            message: `${level} spatial X factors ${fmtFactors(x)} use ${px} instances, more than the fanout X of ${fo.x} to ${inner}`,
          });
        if (py > fo.y)
          out.push({
            rule: 'fanout-y',
            level,
            message: `${level} spatial Y factors ${fmtFactors(y)} use ${py} instances, more than the fanout Y of ${fo.y} to ${inner}`,
          });
      }
    }
    // capacity
    if (factorsOk && L.capacityWords !== null) {
      const tw = tileWords(problem, mapping, s);
      const kept = DATASPACES.filter((ds) => lm.keep[ds]);
      const total = kept.reduce((a, ds) => a + tw[ds], 0);
      if (total > L.capacityWords) {
        out.push({
          rule: 'capacity',
          level,
          message: `${level} tile is ${kept.map((ds) => `${ds} ${tw[ds]}`).join(' + ')} = ${total} words, more than its capacity of ${L.capacityWords} words`,
        });
      }
    }
    // keep / bypass
    if (L.hardwareKeep) {
      for (const ds of DATASPACES) {
        const must = L.hardwareKeep.includes(ds);
        if (lm.keep[ds] !== must) {
          out.push({
            rule: 'hardware-keep',
            level,
            dataspace: ds,
            message: `${level} can only hold ${L.hardwareKeep.join(', ') || 'nothing'}: ${ds} must be ${must ? 'kept' : 'bypassed'}, but the mapping ${lm.keep[ds] ? 'keeps' : 'bypasses'} it`,
          });
        }
      }
    }
    if (s === n - 1) {
      for (const ds of DATASPACES) {
        if (!lm.keep[ds])
          out.push({
            rule: 'outermost-keep',
            level,
            dataspace: ds,
            message: `${level} is the outermost level and must keep ${ds}, but the mapping bypasses it`,
          });
      }
    }
  });

  if (constraints) out.push(...checkConstraints(problem, arch, mapping, constraints, pdims, factorsOk));
  return out;
}

function describeConstraint(c: ConstraintTarget): string {
  return `${c.source} constraint on ${c.target} ${c.type}`;
}

function checkConstraints(
  problem: Problem,
  arch: Accelerator,
  mapping: Mapping,
  constraints: Constraints,
  pdims: readonly Dim[],
  factorsOk: boolean,
): Violation[] {
  const out: Violation[] = [];
  const names = arch.levels.map((l) => l.name);
  for (const c of constraints.targets) {
    const s = names.indexOf(c.target);
    const what = describeConstraint(c);
    if (s < 0) {
      out.push({
        rule: 'constraint-target',
        level: null,
        message: `${c.source} constraint targets ${JSON.stringify(c.target)}, which is not a storage level of ${arch.name} (${names.join(', ')})`,
      });
      continue;
    }
    const lm = mapping.levels[s]!;
    const level = c.target;
    if (c.type === 'bypass') {
      for (const ds of c.keep ?? []) {
        if (!lm.keep[ds])
          out.push({ rule: 'constraint-keep', level, dataspace: ds, message: `${what}: must keep ${ds}, but the mapping bypasses it` });
      }
      for (const ds of c.bypass ?? []) {
        if (lm.keep[ds])
          out.push({ rule: 'constraint-bypass', level, dataspace: ds, message: `${what}: must bypass ${ds}, but the mapping keeps it` });
      }
      continue;
    }
    const factors = c.type === 'temporal' ? lm.temporal : lm.spatial;
    if (c.factors) {
      for (const d of Object.keys(c.factors) as Dim[]) {
        const f = c.factors[d];
        if (f === undefined) continue;
        const size = problem.dims[d];
        const want = f === 0 ? size : Math.min(f, size);
        if (factors[d] !== want) {
          out.push({
            rule: 'constraint-factor',
            level,
            dim: d,
            message: `${what}: factor ${d} must be ${want}${f === 0 ? ' (0 = the whole dimension)' : f > size ? ` (${f} clamped to the layer size)` : ''}, got ${factors[d]}`,
          });
        }
      }
    }
    if (!factorsOk) continue;
    const perm = c.type === 'temporal' ? lm.permutation : lm.spatialPermutation;
    if (!isPermutationOfDims(perm)) continue;
    const nonUnit = perm.filter((d) => factors[d] > 1);
    const listed = (c.permutation ?? []).filter((d) => pdims.includes(d));
    if (c.permutation) {
      const head = listed.filter((d) => factors[d] > 1);
      const got = nonUnit.slice(0, head.length);
      if (head.join('') !== got.join('')) {
        out.push({
          rule: 'constraint-permutation',
          level,
          message: `${what}: permutation ${c.permutation.join('')} (innermost first) needs the non-unit loops ${head.join('')} innermost in that order, got ${nonUnit.join('') || '(none)'}${c.type === 'spatial' ? ' (X then Y)' : ''}`,
        });
      }
    }
    if (c.type === 'spatial' && c.split !== undefined) {
      const split = c.split;
      const xOf = (d: Dim): boolean => perm.indexOf(d) < lm.split;
      const freeX: Dim[] = [];
      const freeY: Dim[] = [];
      for (const d of nonUnit) {
        const i = listed.indexOf(d);
        if (i >= 0) {
          const wantX = i < split;
          if (xOf(d) !== wantX) {
            out.push({
              rule: 'constraint-split',
              level,
              dim: d,
              message: `${what}: split ${split} of ${c.permutation?.join('') ?? 'the permutation'} puts ${d} on ${wantX ? 'X' : 'Y'}, but the mapping has it on ${xOf(d) ? 'X' : 'Y'}`,
            });
          }
        } else (xOf(d) ? freeX : freeY).push(d);
      }
      const xSlots = Math.max(0, split - listed.length);
      const ySlots = pdims.length - Math.max(split, listed.length);
      if (freeX.length > xSlots) {
        out.push({
          rule: 'constraint-split',
          level,
          message: `${what}: split ${split} leaves ${xSlots} X position(s) for unlisted dims, but the mapping has ${freeX.join('')} on X`,
        });
      }
      if (freeY.length > ySlots) {
        out.push({
          rule: 'constraint-split',
          level,
          message: `${what}: split ${split} leaves ${ySlots} Y position(s) for unlisted dims, but the mapping has ${freeY.join('')} on Y`,
        });
      }
    }
  }
  return out;
}
