/**
 * A layer as Timeloop sees it: a 7-deep perfectly nested loop over R,S,P,Q,C,K,N.
 * Dim order is Timeloop's CNN-Layer order.
 */
export const DIMS = ['R', 'S', 'P', 'Q', 'C', 'K', 'N'] as const;
export type Dim = (typeof DIMS)[number];
export const DATASPACES = ['Weights', 'Inputs', 'Outputs'] as const;
export type DataSpace = (typeof DATASPACES)[number];

export type DimMap<T = number> = Record<Dim, T>;
export type DataSpaceMap<T> = Record<DataSpace, T>;

/**
 * The problem handed to the model and the mapper (Timeloop's `problem.instance`).
 * A depthwise layer (Timeloop's Depthwise-CNN-Layer) has no K: its bound is 1 and C counts channels,
 * which then index Outputs instead of K.
 */
export interface Problem {
  name: string;
  depthwise: boolean;
  dims: DimMap;
  Wstride: number;
  Hstride: number;
  Wdilation: number;
  Hdilation: number;
}

/** The operator a layer comes from: Conv/Gemm for the built-ins, any of the four for ONNX imports. */
export type LayerOp = 'Conv' | 'ConvTranspose' | 'Gemm' | 'MatMul';

/** A network layer as a user writes it: C and K are totals, `groups` splits both (groups = C = K is depthwise). */
export interface ConvLayer {
  name: string;
  /** the operator the layer computes (absent: Conv) */
  op?: LayerOp;
  N: number;
  K: number;
  C: number;
  P: number;
  Q: number;
  R: number;
  S: number;
  Wstride: number;
  Hstride: number;
  Wdilation: number;
  Hdilation: number;
  groups: number;
  /** how many times this exact shape occurs in the network */
  repeat: number;
}

export function dimsOf(problem: Problem): readonly Dim[] {
  return problem.depthwise ? DIMS.filter((d) => d !== 'K') : DIMS;
}

/** Which dims index each dataspace (Timeloop's projections). */
export function relevantDims(ds: DataSpace, depthwise: boolean): readonly Dim[] {
  switch (ds) {
    case 'Weights':
      return depthwise ? ['C', 'R', 'S'] : ['C', 'K', 'R', 'S'];
    case 'Inputs':
      return ['N', 'C', 'R', 'S', 'P', 'Q'];
    case 'Outputs':
      return depthwise ? ['N', 'C', 'P', 'Q'] : ['N', 'K', 'P', 'Q'];
  }
}

export function isRelevant(ds: DataSpace, dim: Dim, depthwise: boolean): boolean {
  return relevantDims(ds, depthwise).includes(dim);
}

export function problemMacs(p: Problem): number {
  return DIMS.reduce((m, d) => m * p.dims[d], 1);
}

/** Words of each tensor, as Timeloop's whole-tensor bounding box (a 1x1 stride-2 layer does not touch the last row). */
export function tensorWords(p: Problem): DataSpaceMap<number> {
  const d = p.dims;
  const W = p.Wstride * (d.P - 1) + p.Wdilation * (d.R - 1) + 1;
  const H = p.Hstride * (d.Q - 1) + p.Hdilation * (d.S - 1) + 1;
  return {
    Weights: d.C * d.K * d.R * d.S,
    Inputs: d.N * d.C * W * H,
    Outputs: d.N * d.K * d.P * d.Q * (p.depthwise ? d.C : 1),
  };
}

/**
 * The Timeloop problem for one group of a layer, and how many identical groups the layer has.
 * groups = C = K gives a Depthwise-CNN-Layer; other grouped convs are `count` copies of a CNN-Layer.
 */
export function layerToProblem(layer: ConvLayer): { problem: Problem; count: number } {
  const base = {
    name: layer.name,
    Wstride: layer.Wstride,
    Hstride: layer.Hstride,
    Wdilation: layer.Wdilation,
    Hdilation: layer.Hdilation,
  };
  if (layer.groups > 1 && layer.groups === layer.C && layer.K === layer.C) {
    return {
      problem: { ...base, depthwise: true, dims: { R: layer.R, S: layer.S, P: layer.P, Q: layer.Q, C: layer.C, K: 1, N: layer.N } },
      count: 1,
    };
  }
  const g = layer.groups;
  return {
    problem: {
      ...base,
      depthwise: false,
      dims: { R: layer.R, S: layer.S, P: layer.P, Q: layer.Q, C: layer.C / g, K: layer.K / g, N: layer.N },
    },
    count: g,
  };
}

/** MACs of one occurrence of a layer. */
export function layerMacs(layer: ConvLayer): number {
  return layer.N * layer.K * (layer.C / layer.groups) * layer.P * layer.Q * layer.R * layer.S;
}

/** A Timeloop problem as a one-layer network. */
export function problemAsLayer(p: Problem, name: string): ConvLayer {
  const d = p.dims;
  const channels = p.depthwise ? d.C : 1;
  return {
    name,
    N: d.N,
    K: p.depthwise ? d.C : d.K,
    C: d.C,
    P: d.P,
    Q: d.Q,
    R: d.R,
    S: d.S,
    Wstride: p.Wstride,
    Hstride: p.Hstride,
    Wdilation: p.Wdilation,
    Hdilation: p.Hdilation,
    groups: channels,
    repeat: 1,
  };
}
