/** Shape rules of elementwise ops: unary ops keep their input's shape, binary and n-ary ops broadcast (numpy rules). */
import { input, type OpContext, type ShapeRule } from './context.js';
import { derived, numel, strides, type Value } from './value.js';

export function broadcast(c: OpContext, shapes: number[][]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const ds = shapes.map((s) => s[s.length - rank + i] ?? 1);
    const big = Math.max(...ds);
    if (ds.some((d) => d !== 1 && d !== big)) return c.fail(`shapes ${shapes.map((s) => `[${s.join(',')}]`).join(' and ')} do not broadcast`);
    out.push(ds.includes(0) ? 0 : big);
  }
  return out;
}

/** The element of `v` at output index `flat` of `shape` under broadcasting. */
function at(v: Value, shape: number[], flat: number): number {
  const vs = v.shape;
  const st = strides(vs);
  const os = strides(shape);
  let idx = 0;
  for (let i = 0; i < shape.length; i++) {
    const coord = Math.floor(flat / os[i]!) % shape[i]!;
    const j = i - (shape.length - vs.length);
    if (j >= 0 && vs[j]! > 1) idx += coord * st[j]!;
  }
  return v.data![idx]!;
}

function nary(f: (xs: number[]) => number): ShapeRule {
  return (c) => {
    const vs = c.inputs.filter((v): v is Value => v !== undefined);
    if (vs.length === 0) return c.fail('no inputs');
    const shape = broadcast(
      c,
      vs.map((v) => v.shape),
    );
    return [derived(shape, vs, () => Array.from({ length: numel(shape) }, (_, k) => f(vs.map((v) => at(v, shape, k)))))];
  };
}

function unary(f?: (x: number) => number): ShapeRule {
  return (c) => {
    const x = input(c, 0);
    return [derived([...x.shape], [x], f && (() => x.data!.map(f)))];
  };
}

const sameShape = unary();

const UNARY_FOLD: Record<string, (x: number) => number> = {
  Identity: (x) => x,
  Cast: (x) => x,
  Neg: (x) => -x,
  Abs: Math.abs,
  Floor: Math.floor,
  Ceil: Math.ceil,
  Round: Math.round,
  Sqrt: Math.sqrt,
  Reciprocal: (x) => 1 / x,
  Not: (x) => (x ? 0 : 1),
  Sign: Math.sign,
  Relu: (x) => Math.max(0, x),
};

const BINARY_FOLD: Record<string, (xs: number[]) => number> = {
  Add: ([a, b]) => a! + b!,
  Sub: ([a, b]) => a! - b!,
  Mul: ([a, b]) => a! * b!,
  // exact for the shape arithmetic exporters write (hidden / heads); element types are not tracked
  Div: ([a, b]) => a! / b!,
  Pow: ([a, b]) => a! ** b!,
  Mod: ([a, b]) => a! % b!,
  Equal: ([a, b]) => Number(a === b),
  Less: ([a, b]) => Number(a! < b!),
  LessOrEqual: ([a, b]) => Number(a! <= b!),
  Greater: ([a, b]) => Number(a! > b!),
  GreaterOrEqual: ([a, b]) => Number(a! >= b!),
  And: ([a, b]) => Number(Boolean(a) && Boolean(b)),
  Or: ([a, b]) => Number(Boolean(a) || Boolean(b)),
  Xor: ([a, b]) => Number(Boolean(a) !== Boolean(b)),
  Where: ([c, a, b]) => (c ? a! : b!),
  Max: (xs) => Math.max(...xs),
  Min: (xs) => Math.min(...xs),
  Sum: (xs) => xs.reduce((s, x) => s + x, 0),
  Mean: (xs) => xs.reduce((s, x) => s + x, 0) / xs.length,
};

/** ops whose output has the shape of input 0 (activations, normalizations, Softmax, Dropout, ...) */
const SAME_SHAPE = [
  'Sigmoid',
  'Tanh',
  'Erf',
  'Exp',
  'Log',
  'Sin',
  'Cos',
  'Softplus',
  'Softsign',
  'Elu',
  'Selu',
  'Celu',
  'LeakyRelu',
  'PRelu',
  'ThresholdedRelu',
  'HardSigmoid',
  'HardSwish',
  'Gelu',
  'Mish',
  'Clip',
  'Softmax',
  'LogSoftmax',
  'Hardmax',
  'BatchNormalization',
  'InstanceNormalization',
  'LayerNormalization',
  'GroupNormalization',
  'LpNormalization',
  'MeanVarianceNormalization',
  'LRN',
  'Dropout',
  'IsNaN',
  'IsInf',
  'CumSum',
  'Trilu',
  'QuantizeLinear',
  'DequantizeLinear',
  'Shrink',
  'Tan',
  'Atan',
  'Asin',
  'Acos',
  'Sinh',
  'Cosh',
  'BitShift',
  'CastLike',
];

export const ELEMENTWISE_RULES: Record<string, ShapeRule> = {
  ...Object.fromEntries(SAME_SHAPE.map((op) => [op, sameShape])),
  ...Object.fromEntries(Object.entries(UNARY_FOLD).map(([op, f]) => [op, unary(f)])),
  ...Object.fromEntries(Object.entries(BINARY_FOLD).map(([op, f]) => [op, nary(f)])),
};
