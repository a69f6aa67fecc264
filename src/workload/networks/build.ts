/**
 * Small builders for the built-in networks, so that each network file is a short architecture description.
 * Conventions (Timeloop's): P/Q = output width/height, R/S = kernel width/height, C = input channels (total),
 * K = output channels (total), N = batch. Every helper builds square kernels on square feature maps.
 */
import type { ConvLayer } from '../layer.js';

/** Output size of a conv or pool along one axis (PyTorch's formula, floor mode). */
export function convOut(inSize: number, k: number, stride: number, pad: number, dilation = 1): number {
  return Math.floor((inSize + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
}

export interface LayerOpts {
  /** batch (default 1) */
  n?: number;
  /** grouped conv: groups = cin = cout is depthwise (default 1) */
  groups?: number;
  /** zero padding on each side; default (k - 1) / 2 rounded down, torchvision's "same" padding */
  pad?: number;
  /** occurrences of this shape (default 1) */
  repeat?: number;
}

function layer(name: string, f: Omit<ConvLayer, 'name' | 'Wdilation' | 'Hdilation'>): ConvLayer {
  return { name, ...f, Wdilation: 1, Hdilation: 1 };
}

/** A k x k conv, cin -> cout channels, on an inHW x inHW input. */
export function conv(name: string, cin: number, cout: number, k: number, stride: number, inHW: number, o: LayerOpts = {}): ConvLayer {
  const out = convOut(inHW, k, stride, o.pad ?? Math.floor((k - 1) / 2));
  if (out < 1) throw new Error(`${name}: ${k}x${k}/${stride} conv on ${inHW}x${inHW} has no output`);
  return layer(name, {
    op: 'Conv',
    N: o.n ?? 1,
    K: cout,
    C: cin,
    P: out,
    Q: out,
    R: k,
    S: k,
    Wstride: stride,
    Hstride: stride,
    groups: o.groups ?? 1,
    repeat: o.repeat ?? 1,
  });
}

/**
 * A GEMM out[rows][cols] = in[rows][red] x W[red][cols] as a 1x1 conv: P = rows (tokens), C = red (the reduction),
 * K = cols (output features), Q = R = S = 1. N (batch) shares W, as Timeloop's N does.
 */
export function gemm(name: string, rows: number, red: number, cols: number, o: Pick<LayerOpts, 'n' | 'repeat'> = {}): ConvLayer {
  return layer(name, {
    op: 'Gemm',
    N: o.n ?? 1,
    K: cols,
    C: red,
    P: rows,
    Q: 1,
    R: 1,
    S: 1,
    Wstride: 1,
    Hstride: 1,
    groups: 1,
    repeat: o.repeat ?? 1,
  });
}

/** A fully connected layer cin -> cout as a 1x1 conv on a 1x1 map (P = Q = 1). */
export function fc(name: string, cin: number, cout: number, n = 1): ConvLayer {
  return gemm(name, 1, cin, cout, { n });
}

function shapeKey(l: ConvLayer): string {
  return [l.op ?? 'Conv', l.N, l.K, l.C, l.P, l.Q, l.R, l.S, l.Wstride, l.Hstride, l.Wdilation, l.Hdilation, l.groups].join(',');
}

/**
 * Merge layers of identical shape (and op) into one entry whose repeat is the sum of theirs. Entries keep the order and
 * the name of each shape's first occurrence.
 */
export function mergeShapes(layers: readonly ConvLayer[]): ConvLayer[] {
  const byKey = new Map<string, ConvLayer>();
  for (const l of layers) {
    const key = shapeKey(l);
    const seen = byKey.get(key);
    if (seen) seen.repeat += l.repeat;
    else byKey.set(key, { ...l });
  }
  return [...byKey.values()];
}
