/**
 * Vision transformers and a hybrid CNN-transformer (the H4H-NAS line of work).
 *
 * ViT-B/16 (Dosovitskiy et al. 2021; timm `vit_base_patch16_224`), ImageNet 224x224: a 16x16/16 patch-embedding conv
 * 3 -> 768 (as its equal GEMM, 196 patches x 768 x 768) (14x14 = 196 patches, + the class token = 197 tokens), 12 encoder layers (hidden 768, 12 heads of 64,
 * MLP 3072), the 768 -> 1000 head on the class token. MACs at batch 1:
 * 12 x (4*197*768^2 + 2*197^2*768 + 2*197*768*3072) + 768*3*256*196 + 768*1000 = 17,563,828,224 (17.56 G; timm and
 * fvcore report 17.6 GMACs / 17.56 GFLOPs).
 *
 * MobileViT-S (Mehta & Rastegari 2022, ICLR; timm `mobilevit_s`), ImageNet 256x256: MobileNetV2 blocks (expansion 4)
 * and three MobileViT blocks (d = 144/192/240, depth 2/4/3, MLP 2d, 4 heads, 2x2 patches). A MobileViT block is a
 * 3x3 conv C -> C, a 1x1 conv C -> d, the transformer over the 4 pixel positions of each 2x2 patch as 4 sequences of
 * HW/4 tokens, a 1x1 conv d -> C, and a 3x3 fusion conv over the concatenation 2C -> C. MACs at batch 1:
 * 2,000,831,488 (2.0 G; the paper and timm report 2.0 GFLOPs / 2.03 GMACs, timm counting norms and softmax too).
 */
import type { ConvLayer } from '../layer.js';
import { conv, fc, gemm, mergeShapes } from './build.js';
import { encoderLayers } from './transformer.js';

export function vitB16(n: number): ConvLayer[] {
  const patches = (224 / 16) ** 2;
  return mergeShapes([
    // the 16x16/16 conv over non-overlapping patches is exactly a GEMM: 196 patches x (3*16*16) x 768
    gemm('vit_patch_embed', patches, 3 * 16 * 16, 768, { n }),
    ...encoderLayers('vit', { tokens: patches + 1, hidden: 768, heads: 12, mlp: 3072, depth: 12, n }),
    fc('vit_head', 768, 1000, n),
  ]);
}

/** A MobileNetV2 inverted residual: 1x1 expand, 3x3 depthwise (stride s), 1x1 project. */
function mv2(name: string, cin: number, cout: number, s: number, hw: number, n: number): ConvLayer[] {
  const hid = cin * 4;
  const out = hw / s;
  return [
    conv(`${name}_expand`, cin, hid, 1, 1, hw, { n }),
    conv(`${name}_dw`, hid, hid, 3, s, hw, { n, groups: hid }),
    conv(`${name}_project`, hid, cout, 1, 1, out, { n }),
  ];
}

function mobileVitBlock(name: string, c: number, d: number, depth: number, hw: number, n: number): ConvLayer[] {
  return [
    conv(`${name}_local`, c, c, 3, 1, hw, { n }),
    conv(`${name}_to_d`, c, d, 1, 1, hw, { n }),
    ...encoderLayers(name, { tokens: (hw * hw) / 4, hidden: d, heads: 4, mlp: 2 * d, depth, n: 4 * n }),
    conv(`${name}_from_d`, d, c, 1, 1, hw, { n }),
    conv(`${name}_fusion`, 2 * c, c, 3, 1, hw, { n }),
  ];
}

export function mobileVitS(n: number): ConvLayer[] {
  return mergeShapes([
    conv('mvit_stem', 3, 16, 3, 2, 256, { n }),
    ...mv2('mvit_l1', 16, 32, 1, 128, n),
    ...mv2('mvit_l2a', 32, 64, 2, 128, n),
    ...mv2('mvit_l2b', 64, 64, 1, 64, n),
    ...mv2('mvit_l2c', 64, 64, 1, 64, n),
    ...mv2('mvit_l3', 64, 96, 2, 64, n),
    ...mobileVitBlock('mvit_b3', 96, 144, 2, 32, n),
    ...mv2('mvit_l4', 96, 128, 2, 32, n),
    ...mobileVitBlock('mvit_b4', 128, 192, 4, 16, n),
    ...mv2('mvit_l5', 128, 160, 2, 16, n),
    ...mobileVitBlock('mvit_b5', 160, 240, 3, 8, n),
    conv('mvit_final', 160, 640, 1, 1, 8, { n }),
    fc('mvit_classifier', 640, 1000, n),
  ]);
}
