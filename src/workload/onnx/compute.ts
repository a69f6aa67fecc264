/**
 * The ops that carry MACs, as Timeloop layers (ConvLayer) plus their output shapes.
 * - Conv (and its quantized forms ConvInteger/QLinearConv): 1-D and 2-D, any groups, strides, dilations, pads.
 * - ConvTranspose: the MACs the operator defines (every input element times every tap of its group's K/g filters),
 *   as stride-product sub-convolutions (one per output phase, each a stride-1 conv over the input grid with the taps
 *   that land in that phase), never a convolution over a zero-inserted input.
 * - Gemm and MatMul (and MatMulInteger/QLinearMatMul) as GEMMs, P = rows, C = reduction, K = columns. A weight x
 *   activation MatMul takes the activation's batch dims as N (they share the weight); an activation x activation
 *   MatMul (attention's Q.K^T, scores.V) is one GEMM per batch x head with N = 1 and repeat = their product, as the
 *   BERT built-in does.
 * ONNX spatial axes are [H, W]: P/Q are output width/height, R/S kernel width/height (Timeloop's names).
 */
import type { ConvLayer, LayerOp } from '../layer.js';
import { input, type OpContext } from './context.js';
import { broadcast } from './elementwise.js';
import { slidingWindow } from './spatial.js';
import { numel, type Value } from './value.js';

export interface ComputeResult {
  outputs: Value[];
  layers: ConvLayer[];
  /** set when the op carries MACs we do not model (3-D convolutions): the warning's label */
  unsupported?: string;
}

export type ComputeRule = (c: OpContext) => ComputeResult;

interface Geometry {
  N: number;
  C: number;
  K: number;
  groups: number;
  out: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
}

/** A 1-D or 2-D conv as a ConvLayer; null beyond 2 spatial dims. */
function convLayer(name: string, op: LayerOp, g: Geometry): ConvLayer | null {
  if (g.out.length > 2 || g.out.length < 1) return null;
  const two = g.out.length === 2;
  const [h, w] = two ? [0, 1] : [-1, 0];
  const pick = (a: number[], i: number) => (i < 0 ? 1 : a[i]!);
  return {
    name,
    op,
    N: g.N,
    K: g.K,
    C: g.C,
    P: pick(g.out, w),
    Q: pick(g.out, h),
    R: pick(g.kernel, w),
    S: pick(g.kernel, h),
    Wstride: pick(g.strides, w),
    Hstride: pick(g.strides, h),
    Wdilation: pick(g.dilations, w),
    Hdilation: pick(g.dilations, h),
    groups: g.groups,
    repeat: 1,
  };
}

function convAt(xIndex: number, wIndex: number): ComputeRule {
  return (c) => {
    const x = input(c, xIndex);
    const w = input(c, wIndex);
    const groups = c.attrs.int('group', 1);
    if (x.shape.length < 3 || w.shape.length !== x.shape.length)
      return c.fail(`input [${x.shape.join(',')}] and weight [${w.shape.join(',')}] are not an N-D conv`);
    const [N, C] = [x.shape[0]!, x.shape[1]!];
    const K = w.shape[0]!;
    if (groups < 1 || C !== w.shape[1]! * groups || K % groups !== 0)
      return c.fail(`${C} input channels do not match weight [${w.shape.join(',')}] with group ${groups}`);
    const kernel = c.attrs.ints('kernel_shape') ?? w.shape.slice(2);
    const win = slidingWindow(c, x.shape.slice(2), kernel);
    const layer = convLayer(c.name, 'Conv', { N, C, K, groups, out: win.out, kernel, strides: win.strides, dilations: win.dilations });
    const outputs = [{ shape: [N, K, ...win.out], constant: false }];
    return layer ? { outputs, layers: [layer] } : { outputs, layers: [], unsupported: `${c.op} (${kernel.length}-D)` };
  };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Per spatial axis, how many kernel taps fall into each output phase (tap t lands at t*dilation mod stride). */
function tapsPerPhase(kernel: number, stride: number, dilation: number): number[] {
  const phases = new Array<number>(stride).fill(0);
  for (let t = 0; t < kernel; t++) phases[(t * dilation) % stride]!++;
  return phases.filter((n) => n > 0);
}

const convTranspose: ComputeRule = (c) => {
  const x = input(c, 0);
  const w = input(c, 1);
  const groups = c.attrs.int('group', 1);
  if (x.shape.length < 3 || w.shape.length !== x.shape.length)
    return c.fail(`input [${x.shape.join(',')}] and weight [${w.shape.join(',')}] are not an N-D transposed conv`);
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  if (groups < 1 || w.shape[0] !== C || C % groups !== 0)
    return c.fail(`${C} input channels do not match weight [${w.shape.join(',')}] with group ${groups}`);
  const K = w.shape[1]! * groups;
  const spatial = x.shape.slice(2);
  const n = spatial.length;
  const kernel = c.attrs.ints('kernel_shape') ?? w.shape.slice(2);
  const strides = c.attrs.ints('strides') ?? new Array<number>(n).fill(1);
  const dilations = c.attrs.ints('dilations') ?? new Array<number>(n).fill(1);
  const pads = c.attrs.ints('pads') ?? new Array<number>(2 * n).fill(0);
  const outPad = c.attrs.ints('output_padding') ?? new Array<number>(n).fill(0);
  const autoPad = c.attrs.string('auto_pad', 'NOTSET');
  if ([kernel, strides, dilations, outPad].some((a) => a.length !== n) || pads.length !== 2 * n)
    return c.fail(`kernel/strides/dilations/pads do not match ${n} spatial dims`);
  const given = c.attrs.ints('output_shape');
  const out = given
    ? given.slice(-n)
    : spatial.map((s, i) =>
        autoPad.startsWith('SAME')
          ? s * strides[i]!
          : strides[i]! * (s - 1) + outPad[i]! + dilations[i]! * (kernel[i]! - 1) + 1 - (autoPad === 'VALID' ? 0 : pads[i]! + pads[i + n]!),
      );
  if (out.some((o) => !(o >= 1))) return c.fail(`the transposed conv leaves no output on [${spatial.join(',')}]`);
  const outputs = [{ shape: [N, K, ...out], constant: false }];
  if (n > 2) return { outputs, layers: [], unsupported: `ConvTranspose (${n}-D)` };
  // sub-convolutions: the Cartesian product of per-axis phases; each is a stride-1 conv over the input grid
  const perAxis = kernel.map((k, i) => tapsPerPhase(k, strides[i]!, dilations[i]!));
  // taps of one phase are stride/gcd apart in t, i.e. dilation/gcd(dilation, stride) apart on the input grid
  const subDilation = dilations.map((d, i) => d / gcd(d, strides[i]!));
  const combos = perAxis.reduce<number[][]>((acc, taps) => acc.flatMap((a) => taps.map((t) => [...a, t])), [[]]);
  const layers = combos.map((taps, i) =>
    convLayer(combos.length > 1 ? `${c.name}/phase${i}` : c.name, 'ConvTranspose', {
      N,
      C,
      K,
      groups,
      out: spatial,
      kernel: taps,
      strides: new Array<number>(n).fill(1),
      dilations: subDilation,
    })!,
  );
  return { outputs, layers };
};

function gemmLayer(name: string, op: LayerOp, rows: number, red: number, cols: number, n: number, repeat: number): ConvLayer {
  return { name, op, N: n, K: cols, C: red, P: rows, Q: 1, R: 1, S: 1, Wstride: 1, Hstride: 1, Wdilation: 1, Hdilation: 1, groups: 1, repeat };
}

const gemm: ComputeRule = (c) => {
  const a = input(c, 0);
  const b = input(c, 1);
  if (a.shape.length !== 2 || b.shape.length !== 2) return c.fail(`Gemm takes 2-D inputs, got [${a.shape.join(',')}] and [${b.shape.join(',')}]`);
  const [M, Ka] = c.attrs.int('transA', 0) ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [Kb, Nc] = c.attrs.int('transB', 0) ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (Ka !== Kb) return c.fail(`inner dims ${Ka} and ${Kb} differ`);
  return { outputs: [{ shape: [M, Nc], constant: false }], layers: [gemmLayer(c.name, 'Gemm', M, Ka, Nc, 1, 1)] };
};

function matmulAt(ai: number, bi: number): ComputeRule {
  return (c) => {
    const a = input(c, ai);
    const b = input(c, bi);
    if (a.shape.length === 0 || b.shape.length === 0) return c.fail('MatMul of a scalar');
    const as = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
    const bs = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
    const [M, Ka] = as.slice(-2) as [number, number];
    const [Kb, Nc] = bs.slice(-2) as [number, number];
    if (Ka !== Kb) return c.fail(`inner dims of [${a.shape.join(',')}] and [${b.shape.join(',')}] differ`);
    const batch = broadcast(c, [as.slice(0, -2), bs.slice(0, -2)]);
    const shape = [...batch, ...(a.shape.length === 1 ? [] : [M]), ...(b.shape.length === 1 ? [] : [Nc])];
    const outputs = [{ shape, constant: a.constant && b.constant }];
    if (a.constant && b.constant) return { outputs, layers: [] }; // folded at export time in practice: no runtime MACs
    const weightB = b.constant && numel(bs.slice(0, -2)) === 1;
    const weightA = a.constant && numel(as.slice(0, -2)) === 1;
    const nb = numel(batch);
    const layer = weightB
      ? gemmLayer(c.name, 'MatMul', M, Ka, Nc, nb, 1)
      : weightA // W[M,K] x X[..,K,N]: transposed, the weight's rows are the outputs and X's columns the rows
        ? gemmLayer(c.name, 'MatMul', Nc, Ka, M, nb, 1)
        : gemmLayer(c.name, 'MatMul', M, Ka, Nc, 1, nb);
    return { outputs, layers: numel(shape) === 0 ? [] : [layer] };
  };
}

export const COMPUTE_RULES: Record<string, ComputeRule> = {
  Conv: convAt(0, 1),
  ConvInteger: convAt(0, 1),
  QLinearConv: convAt(0, 3),
  ConvTranspose: convTranspose,
  Gemm: gemm,
  MatMul: matmulAt(0, 1),
  MatMulInteger: matmulAt(0, 1),
  QLinearMatMul: matmulAt(0, 3),
};
