/**
 * VGG-16 (configuration "D") as in torchvision (torchvision/models/vgg.py, `vgg16`), ImageNet 224x224.
 * 13 convs 3x3/1 with padding 1, a 2x2/2 maxpool after each of the 5 stages, then 3 FCs
 * (25088 = 512*7*7 -> 4096 -> 4096 -> 1000) as 1x1 convs.
 *
 * MACs at batch 1: 15,470,264,320 = 15,346,630,656 (convs) + 123,633,664 (FCs).
 * Published: torchvision lists 15.47 GFLOPS (its "FLOPS" count multiply-adds), the usual "15.5 G" figure.
 * Names `vgg16_conv<stage>_<i>` and `vgg16_fc<6..8>`; the shapes of conv1_2, conv2_1, conv3_2 (= conv3_3),
 * conv4_2 (= conv4_3) and conv5_1 (= conv5_2, conv5_3) equal the ones in test/fixtures/timeloop/problems/.
 */
import type { ConvLayer } from '../layer.js';
import { conv, fc, mergeShapes } from './build.js';

const STAGES = [
  [64, 64],
  [128, 128],
  [256, 256, 256],
  [512, 512, 512],
  [512, 512, 512],
] as const;

export function vgg16(n: number): ConvLayer[] {
  const layers: ConvLayer[] = [];
  let hw = 224;
  let cin = 3;
  STAGES.forEach((stage, i) => {
    stage.forEach((cout, j) => {
      layers.push(conv(`vgg16_conv${i + 1}_${j + 1}`, cin, cout, 3, 1, hw, { n }));
      cin = cout;
    });
    hw /= 2; // maxpool 2x2/2
  });
  layers.push(fc('vgg16_fc6', cin * hw * hw, 4096, n), fc('vgg16_fc7', 4096, 4096, n), fc('vgg16_fc8', 4096, 1000, n));
  return mergeShapes(layers);
}
