/**
 * ResNet-18 and ResNet-50 as in torchvision (torchvision/models/resnet.py), ImageNet 224x224.
 * ResNet-50 is torchvision's "v1.5": the stride-2 of each stage's first bottleneck sits on its 3x3 conv (conv2),
 * not on its first 1x1 conv.
 *
 * Layers: the 7x7/2 stem, every conv of every block, the 1x1 projection ("downsample") convs, and fc as a 1x1 conv.
 * Pools, batch norms, ReLUs and the residual adds have no MACs here.
 *
 * MACs at batch 1 (every occurrence counted):
 * - ResNet-18: 1,814,073,344 = 1,813,561,344 (20 convs incl. 3 downsample) + 512,000 (fc 512->1000).
 *   Published: "1.8 GFLOPs" (He et al. 2016, Table 1, which counts multiply-adds); torchvision lists 1.81 GFLOPS.
 *   Shapes and occurrence counts equal test/fixtures/timeloop/problems/layers.json; so do the names: a 3x3 conv
 *   shared by a whole stage is `<net>_layer<i>_conv3x3`, a block-0 layer with its own shape `<net>_layer<i>_0_<x>`.
 * - ResNet-50: 4,089,184,256 = 4,087,136,256 (53 convs incl. 4 downsample) + 2,048,000 (fc 2048->1000).
 *   Published: "3.8 x 10^9 FLOPs" for v1 (He et al. 2016, Table 1, multiply-adds); torchvision lists 4.09 GFLOPS
 *   for v1.5 (the stride moved to the 3x3 conv makes the first 1x1 conv of stages 2-4 run at the larger size).
 */
import type { ConvLayer } from '../layer.js';
import { conv, convOut, fc, mergeShapes } from './build.js';

function resnet(net: string, blocks: readonly number[], bottleneck: boolean, n: number): ConvLayer[] {
  const stem = conv(`${net}_conv1`, 3, 64, 7, 2, 224, { n });
  const layers: ConvLayer[] = [stem];
  let hw = convOut(stem.P, 3, 2, 1); // maxpool 3x3/2, padding 1: 112 -> 56
  let cin = 64;
  blocks.forEach((count, i) => {
    const width = 64 << i;
    const cout = bottleneck ? 4 * width : width;
    for (let b = 0; b < count; b++) {
      const s = b === 0 && i > 0 ? 2 : 1;
      const project = cin !== cout || s !== 1;
      // layers of block 0 whose shape differs from the stage's other blocks get a `_0_` name
      const name = (x: string, own: boolean) => `${net}_layer${i + 1}_${own ? `0_${x}` : x}`;
      let mid: ConvLayer;
      if (bottleneck) {
        const c1 = conv(name('conv1', project), cin, width, 1, 1, hw, { n });
        mid = conv(name('conv2', s !== 1), width, width, 3, s, hw, { n });
        layers.push(c1, mid, conv(name('conv3', false), width, cout, 1, 1, mid.P, { n }));
      } else {
        mid = conv(project ? name('conv1', true) : name('conv3x3', false), cin, width, 3, s, hw, { n });
        layers.push(mid, conv(name('conv3x3', false), width, cout, 3, 1, mid.P, { n }));
      }
      if (project) layers.push(conv(name('downsample', true), cin, cout, 1, s, hw, { n }));
      hw = mid.P;
      cin = cout;
    }
  });
  layers.push(fc(`${net}_fc`, cin, 1000, n));
  return mergeShapes(layers);
}

export const resnet18 = (n: number): ConvLayer[] => resnet('resnet18', [2, 2, 2, 2], false, n);
export const resnet50 = (n: number): ConvLayer[] => resnet('resnet50', [3, 4, 6, 3], true, n);
