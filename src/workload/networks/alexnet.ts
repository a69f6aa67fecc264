/**
 * AlexNet as in torchvision (torchvision/models/alexnet.py, the "one weird trick" variant), ImageNet 224x224:
 * conv1 11x11/4 with 64 channels and padding 2 (224 -> 55), maxpool 3/2 (-> 27), conv2 5x5 64->192 padding 2,
 * maxpool (-> 13), conv3 3x3 192->384, conv4 384->256, conv5 256->256, maxpool (-> 6), then 3 FCs
 * (9216 = 256*6*6 -> 4096 -> 4096 -> 1000) as 1x1 convs. No grouped convs.
 *
 * MACs at batch 1: 714,188,480 = 655,566,528 (convs) + 58,621,952 (FCs). torchvision lists 0.71 GFLOPS.
 * Note: the AlexNet layers in test/fixtures/timeloop/problems/ (alexnet_conv1..3) are the original
 * Krizhevsky et al. 2012 shapes (96 / 256 / 384 filters, ungrouped), not these; the names coincide, the shapes don't.
 */
import type { ConvLayer } from '../layer.js';
import { conv, convOut, fc, mergeShapes } from './build.js';

export function alexnet(n: number): ConvLayer[] {
  const pool = (hw: number) => convOut(hw, 3, 2, 0); // maxpool 3x3/2
  const c1 = conv('alexnet_conv1', 3, 64, 11, 4, 224, { n, pad: 2 });
  const c2 = conv('alexnet_conv2', 64, 192, 5, 1, pool(c1.P), { n });
  const c3 = conv('alexnet_conv3', 192, 384, 3, 1, pool(c2.P), { n });
  const c4 = conv('alexnet_conv4', 384, 256, 3, 1, c3.P, { n });
  const c5 = conv('alexnet_conv5', 256, 256, 3, 1, c4.P, { n });
  const flat = 256 * pool(c5.P) ** 2;
  return mergeShapes([c1, c2, c3, c4, c5, fc('alexnet_fc6', flat, 4096, n), fc('alexnet_fc7', 4096, 4096, n), fc('alexnet_fc8', 4096, 1000, n)]);
}
