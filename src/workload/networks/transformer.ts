/**
 * A transformer encoder's GEMMs, shared by the ViT and MobileViT built-ins (BERT keeps its own named layers).
 * `n` independent sequences of `tokens` tokens share the weights: the projections and the MLP take them as N; the
 * attention GEMMs (Q.K^T and scores.V per head) multiply two activations, so each head of each sequence is its own
 * GEMM (N = 1, repeat = heads x n), as in the BERT built-in. Norms, softmax and GELU carry no MACs here.
 */
import type { ConvLayer } from '../layer.js';
import { gemm } from './build.js';

export interface EncoderShape {
  tokens: number;
  hidden: number;
  heads: number;
  /** MLP hidden width */
  mlp: number;
  depth: number;
  /** sequences sharing the weights (batch, times MobileViT's pixels per patch) */
  n: number;
}

export function encoderLayers(prefix: string, e: EncoderShape): ConvLayer[] {
  const head = e.hidden / e.heads;
  const one = [
    gemm(`${prefix}_qkv`, e.tokens, e.hidden, e.hidden, { n: e.n, repeat: 3 }),
    gemm(`${prefix}_attn_scores`, e.tokens, head, e.tokens, { repeat: e.heads * e.n }),
    gemm(`${prefix}_attn_context`, e.tokens, e.tokens, head, { repeat: e.heads * e.n }),
    gemm(`${prefix}_attn_proj`, e.tokens, e.hidden, e.hidden, { n: e.n }),
    gemm(`${prefix}_mlp1`, e.tokens, e.hidden, e.mlp, { n: e.n }),
    gemm(`${prefix}_mlp2`, e.tokens, e.mlp, e.hidden, { n: e.n }),
  ];
  return Array.from({ length: e.depth }, () => one.map((l) => ({ ...l }))).flat();
}
