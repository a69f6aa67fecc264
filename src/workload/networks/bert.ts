/**
 * BERT-base encoder GEMMs (Devlin et al. 2019; the Hugging Face `bert-base-uncased` config): 12 layers,
 * hidden 768, 12 heads of 64, FFN 3072, sequence length `seq` (default 128). Embeddings, softmax, layer norms,
 * GELU and the pooler are left out.
 *
 * A GEMM tokens x red x out is a 1x1 conv (see `gemm`): P = tokens, C = red, K = out, Q = R = S = 1. Per layer:
 * - Q, K, V projections and the attention output projection: seq x 768 x 768, N = batch (weights shared by the batch);
 * - attention scores Q.K^T per head: seq x 64 x seq; context (scores x V) per head: seq x seq x 64.
 *   Both operands of these are activations, different for each head and for each sample, so each is an independent
 *   GEMM: N = 1 and repeat = 12 heads x batch (not N = heads or N = batch, which would share one operand);
 * - FFN1 seq x 768 x 3072, FFN2 seq x 3072 x 768, N = batch.
 * Identical shapes merge: `bert_query` stands for Q, K, V and output projections of all 12 layers (repeat 48);
 * `bert_attn_scores` and `bert_attn_context` have repeat 144 x batch (they merge into one if seq = 64).
 *
 * MACs at batch 1 = 12 x (4*seq*768^2 + 2*seq*768*3072 + 2*12*seq^2*64):
 * seq 128: 11,173,625,856 (~11.2 G MACs, ~22.3 GFLOPs at 2 FLOPs per MAC); seq 384: 35,332,816,896.
 * Derived here from the architecture (no torchvision model); the projections and FFN are 97% of it at seq 128.
 */
import type { ConvLayer } from '../layer.js';
import { gemm, mergeShapes } from './build.js';

const LAYERS = 12;
const HIDDEN = 768;
const HEADS = 12;
const FFN = 3072;

export function bertBase(n: number, seq: number): ConvLayer[] {
  const head = HIDDEN / HEADS;
  const layers: ConvLayer[] = [];
  for (let l = 0; l < LAYERS; l++) {
    const proj = (name: string) => gemm(`bert_${name}`, seq, HIDDEN, HIDDEN, { n });
    layers.push(
      proj('query'),
      proj('key'),
      proj('value'),
      gemm('bert_attn_scores', seq, head, seq, { repeat: HEADS * n }),
      gemm('bert_attn_context', seq, seq, head, { repeat: HEADS * n }),
      proj('attn_output'),
      gemm('bert_ffn1', seq, HIDDEN, FFN, { n }),
      gemm('bert_ffn2', seq, FFN, HIDDEN, { n }),
    );
  }
  return mergeShapes(layers);
}
