import type { DataSpaceMap, Dim, DimMap } from '../workload/layer.js';

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
