import type { Candidate, EncodedBatch } from './encode.js';
import type { LinkAdjust } from './formulate.js';

export function linkAdjustments(cands: readonly Candidate[], batch: EncodedBatch): { tensors: () => LinkAdjust } | null {
  void cands;
  void batch;
  return null;
}
