/**
 * MobileNetV2, width multiplier 1.0, as in torchvision (torchvision/models/mobilenetv2.py), ImageNet 224x224.
 * Stem 3x3/2 conv 3->32, 17 inverted-residual blocks (settings t,c,n,s below), the last 1x1 conv 320->1280,
 * and the classifier 1280->1000 as a 1x1 conv. A block is: 1x1 expansion cin -> t*cin (absent when t = 1),
 * depthwise 3x3 with the block's stride (groups = C = K = t*cin, a Depthwise-CNN-Layer through layerToProblem),
 * 1x1 projection t*cin -> c.
 *
 * MACs at batch 1: 300,774,272 = 299,494,272 (convs) + 1,280,000 (classifier).
 * Published: "300M multiply-adds" (Sandler et al. 2018, Table 4); torchvision lists 0.30 GFLOPS.
 * Names `mbv2_b<i>_{expand_1x1,dw3x3[_s2],project_1x1}` with i the block index from 0, as in
 * test/fixtures/timeloop/problems/ (mbv2_b2_*, mbv2_b3_*, mbv2_last_1x1 are the same shapes there).
 * mbv2_b2_expand_1x1 has repeat 2: block 3's expansion (24 -> 144 at 56x56) has the same shape.
 */
import type { ConvLayer } from '../layer.js';
import { conv, fc, mergeShapes } from './build.js';

/** [expansion t, output channels c, blocks n, first block's stride s], torchvision's inverted_residual_setting */
const SETTINGS = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
] as const;

export function mobilenetv2(n: number): ConvLayer[] {
  const stem = conv('mbv2_stem_3x3_s2', 3, 32, 3, 2, 224, { n });
  const layers: ConvLayer[] = [stem];
  let hw = stem.P;
  let cin = 32;
  let b = 0;
  for (const [t, c, count, s] of SETTINGS) {
    for (let i = 0; i < count; i++, b++) {
      const stride = i === 0 ? s : 1;
      const hidden = cin * t;
      if (t !== 1) layers.push(conv(`mbv2_b${b}_expand_1x1`, cin, hidden, 1, 1, hw, { n }));
      const dw = conv(`mbv2_b${b}_dw3x3${stride === 2 ? '_s2' : ''}`, hidden, hidden, 3, stride, hw, { n, groups: hidden });
      layers.push(dw, conv(`mbv2_b${b}_project_1x1`, hidden, c, 1, 1, dw.P, { n }));
      hw = dw.P;
      cin = c;
    }
  }
  layers.push(conv('mbv2_last_1x1', cin, 1280, 1, 1, hw, { n }), fc('mbv2_fc', 1280, 1000, n));
  return mergeShapes(layers);
}
