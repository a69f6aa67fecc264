import type { DataSpace, Dim } from '../workload/layer.js';

/**
 * Timeloop's architecture and mapspace constraints for one target level.
 * factors: a value of 0 means "all that remains of that dimension" (Timeloop's convention).
 * permutation: the innermost loops, innermost first; dims not listed may take any order outside them.
 */
export interface ConstraintTarget {
  target: string;
  type: 'bypass' | 'temporal' | 'spatial';
  keep?: DataSpace[];
  bypass?: DataSpace[];
  factors?: Partial<Record<Dim, number>>;
  permutation?: Dim[];
  split?: number;
  source: 'architecture' | 'mapspace';
}

export interface Constraints {
  targets: ConstraintTarget[];
}
