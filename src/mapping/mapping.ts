import { DIMS, type DataSpaceMap, type Dim, type DimMap } from '../workload/layer.js';

/** What one storage level does: its temporal loops, the spatial fanout below it, and what it keeps. */
export interface LevelMapping {
  temporal: DimMap;
  /** temporal loop order, innermost first, all 7 dims */
  permutation: Dim[];
  /** spatial factors of the fanout directly below this level */
  spatial: DimMap;
  /** spatial loop order, innermost first, all 7 dims; positions < split are on X, the rest on Y */
  spatialPermutation: Dim[];
  split: number;
  keep: DataSpaceMap<boolean>;
}

/** One mapping: one entry per storage level, innermost first, aligned with Accelerator.levels. */
export interface Mapping {
  levels: LevelMapping[];
}

/** The dims a problem has: a depthwise layer has no K. */
export function problemDims(problem: { depthwise: boolean }): Dim[] {
  return problem.depthwise ? DIMS.filter((d) => d !== 'K') : [...DIMS];
}

/**
 * The spatial order and split of a level without a fanout below it: what a mapping file without a spatial directive
 * means (every dim on X, in the default order). Timeloop refuses a spatial directive there, so one meaning, one form.
 */
export function noFanoutSpatial(problem: { depthwise: boolean }): { spatialPermutation: Dim[]; split: number } {
  const dims = problemDims(problem);
  return { spatialPermutation: [...dims, ...DIMS.filter((d) => !dims.includes(d))], split: dims.length };
}

export function unitFactors(): DimMap {
  return { R: 1, S: 1, P: 1, Q: 1, C: 1, K: 1, N: 1 };
}

export function keepAll(v = true): DataSpaceMap<boolean> {
  return { Weights: v, Inputs: v, Outputs: v };
}

/** The X and Y parts of a level's spatial factors. */
export function spatialXY(lm: LevelMapping): { x: DimMap; y: DimMap } {
  const x = unitFactors();
  const y = unitFactors();
  lm.spatialPermutation.forEach((d, i) => {
    (i < lm.split ? x : y)[d] = lm.spatial[d];
  });
  return { x, y };
}

export function cloneMapping(m: Mapping): Mapping {
  return {
    levels: m.levels.map((l) => ({
      temporal: { ...l.temporal },
      permutation: [...l.permutation],
      spatial: { ...l.spatial },
      spatialPermutation: [...l.spatialPermutation],
      split: l.split,
      keep: { ...l.keep },
    })),
  };
}
