/**
 * Shape rules of the data-movement ops between compute layers: Reshape, Flatten, Transpose, Concat, Split, Slice,
 * Squeeze/Unsqueeze, Pad, Gather, Expand, Tile, Shape, Size, Constant, ConstantOfShape, Range, reductions.
 * Each follows the operator's definition across opsets 9-21 (attributes that became inputs are read from either).
 */
import { axis, constInput, input, optionalConst, type OpContext, type ShapeRule } from './context.js';
import { broadcast } from './elementwise.js';
import { tensorData, tensorValue } from './load.js';
import { constValue, derived, numel, strides, type Value } from './value.js';

/** Elements of `v` gathered at the row-major positions `index(flat)` of a new shape. */
function permuted(v: Value, shape: number[], index: (coord: number[]) => number): () => number[] {
  return () => {
    const os = strides(shape);
    return Array.from({ length: numel(shape) }, (_, k) => v.data![index(shape.map((d, i) => Math.floor(k / os[i]!) % d))]!);
  };
}

function flatIndex(shape: readonly number[], coord: readonly number[]): number {
  const st = strides(shape);
  return coord.reduce((s, x, i) => s + x * st[i]!, 0);
}

const reshape: ShapeRule = (c) => {
  const x = input(c, 0);
  const target = c.opset >= 5 ? constInput(c, 1, 'the target shape') : (c.attrs.ints('shape') ?? []);
  const allowZero = c.attrs.int('allowzero', 0) === 1;
  const shape = target.map((d, i) => (d === 0 && !allowZero ? (x.shape[i] ?? c.fail(`dim ${i} is 0 beyond the input's rank`)) : d));
  const minus = shape.indexOf(-1);
  if (minus >= 0) {
    const rest = numel(shape.filter((_, i) => i !== minus));
    if (rest === 0 || numel(x.shape) % rest !== 0) return c.fail(`[${x.shape.join(',')}] cannot reshape to [${target.join(',')}]`);
    shape[minus] = numel(x.shape) / rest;
  }
  if (numel(shape) !== numel(x.shape)) return c.fail(`[${x.shape.join(',')}] cannot reshape to [${target.join(',')}]`);
  return [derived(shape, [x], () => [...x.data!])];
};

const flatten: ShapeRule = (c) => {
  const x = input(c, 0);
  const a = c.attrs.int('axis', 1);
  const ax = a < 0 ? a + x.shape.length : a;
  if (ax < 0 || ax > x.shape.length) return c.fail(`axis ${a} is outside rank ${x.shape.length}`);
  return [derived([numel(x.shape.slice(0, ax)), numel(x.shape.slice(ax))], [x], () => [...x.data!])];
};

const transpose: ShapeRule = (c) => {
  const x = input(c, 0);
  const perm = c.attrs.ints('perm') ?? x.shape.map((_, i) => x.shape.length - 1 - i);
  if (perm.length !== x.shape.length || new Set(perm.map((p) => axis(c, p, x.shape.length))).size !== perm.length)
    return c.fail(`perm [${perm.join(',')}] is not a permutation of rank ${x.shape.length}`);
  const shape = perm.map((p) => x.shape[p]!);
  return [
    derived(
      shape,
      [x],
      permuted(x, shape, (co) => {
        const src = new Array<number>(perm.length);
        perm.forEach((p, i) => (src[p] = co[i]!));
        return flatIndex(x.shape, src);
      }),
    ),
  ];
};

const concat: ShapeRule = (c) => {
  const xs = c.inputs.filter((v): v is Value => v !== undefined);
  if (xs.length === 0) return c.fail('no inputs');
  const rank = xs[0]!.shape.length;
  const ax = axis(c, c.attrs.int('axis', 0), rank);
  for (const v of xs) {
    if (v.shape.length !== rank || v.shape.some((d, i) => i !== ax && d !== xs[0]!.shape[i]))
      return c.fail(`inputs [${xs.map((v) => v.shape.join(',')).join('] and [')}] differ outside axis ${ax}`);
  }
  const shape = [...xs[0]!.shape];
  shape[ax] = xs.reduce((s, v) => s + v.shape[ax]!, 0);
  return [
    derived(shape, xs, () => {
      // row-major: outer blocks of the axis, each the inputs' slabs side by side
      const outer = numel(shape.slice(0, ax));
      const out: number[] = [];
      for (let o = 0; o < outer; o++)
        for (const v of xs) {
          const slab = numel(v.shape.slice(ax));
          out.push(...v.data!.slice(o * slab, (o + 1) * slab));
        }
      return out;
    }),
  ];
};

const split: ShapeRule = (c) => {
  const x = input(c, 0);
  const ax = axis(c, c.attrs.int('axis', 0), x.shape.length);
  const dim = x.shape[ax]!;
  let parts = c.opset >= 13 ? optionalConst(c, 1, 'split sizes') : c.attrs.ints('split');
  if (!parts || parts.length === 0) {
    const n = c.opset >= 18 && c.attrs.has('num_outputs') ? c.attrs.int('num_outputs', c.outputs) : c.outputs;
    const each = Math.ceil(dim / n);
    parts = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(each, dim - i * each)));
  }
  if (parts.reduce((a, b) => a + b, 0) !== dim) return c.fail(`split [${parts.join(',')}] does not sum to dim ${dim}`);
  return parts.map((p) => {
    const shape = [...x.shape];
    shape[ax] = p;
    return { shape, constant: x.constant };
  });
};

const slice: ShapeRule = (c) => {
  const x = input(c, 0);
  const rank = x.shape.length;
  const fromAttrs = c.opset < 10;
  const starts = fromAttrs ? (c.attrs.ints('starts') ?? []) : constInput(c, 1, 'starts');
  const ends = fromAttrs ? (c.attrs.ints('ends') ?? []) : constInput(c, 2, 'ends');
  const axes = (fromAttrs ? c.attrs.ints('axes') : optionalConst(c, 3, 'axes')) ?? starts.map((_, i) => i);
  const steps = (fromAttrs ? undefined : optionalConst(c, 4, 'steps')) ?? starts.map(() => 1);
  const begin = x.shape.map(() => 0);
  const step = x.shape.map(() => 1);
  const shape = [...x.shape];
  axes.forEach((a0, i) => {
    const a = axis(c, a0, rank);
    const d = x.shape[a]!;
    const s = steps[i]!;
    if (s === 0) c.fail('a step is 0');
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
    const st = s > 0 ? clamp(starts[i]!, 0, d) : clamp(starts[i]!, -1, d - 1);
    const en = s > 0 ? clamp(ends[i]!, 0, d) : clamp(ends[i]!, -1, d - 1);
    shape[a] = Math.max(0, Math.ceil((en - st) / s));
    begin[a] = st;
    step[a] = s;
  });
  return [
    derived(
      shape,
      [x],
      permuted(x, shape, (co) =>
        flatIndex(
          x.shape,
          co.map((v, i) => begin[i]! + v * step[i]!),
        ),
      ),
    ),
  ];
};

function axesOf(c: OpContext, inputIndex: number, attrFromOpset: number): number[] | undefined {
  return c.opset >= attrFromOpset ? optionalConst(c, inputIndex, 'axes') : c.attrs.ints('axes');
}

const squeeze: ShapeRule = (c) => {
  const x = input(c, 0);
  const axes = axesOf(c, 1, 13)?.map((a) => axis(c, a, x.shape.length));
  const shape = x.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
  return [derived(shape, [x], () => [...x.data!])];
};

const unsqueeze: ShapeRule = (c) => {
  const x = input(c, 0);
  const raw = axesOf(c, 1, 13) ?? [];
  const rank = x.shape.length + raw.length;
  const axes = raw.map((a) => axis(c, a, rank));
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(axes.includes(i) ? 1 : x.shape[j++]!);
  return [derived(shape, [x], () => [...x.data!])];
};

const pad: ShapeRule = (c) => {
  const x = input(c, 0);
  const rank = x.shape.length;
  const pads = c.opset >= 11 ? constInput(c, 1, 'pads') : (c.attrs.ints('pads') ?? c.attrs.ints('paddings') ?? []);
  const axes = (c.opset >= 18 ? optionalConst(c, 3, 'axes') : undefined)?.map((a) => axis(c, a, rank)) ?? x.shape.map((_, i) => i);
  if (pads.length !== 2 * axes.length) return c.fail(`${pads.length} pads for ${axes.length} axes`);
  const shape = [...x.shape];
  axes.forEach((a, i) => (shape[a] = shape[a]! + pads[i]! + pads[i + axes.length]!));
  return [{ shape, constant: x.constant }];
};

const gather: ShapeRule = (c) => {
  const x = input(c, 0);
  const idx = input(c, 1);
  const ax = axis(c, c.attrs.int('axis', 0), x.shape.length);
  const shape = [...x.shape.slice(0, ax), ...idx.shape, ...x.shape.slice(ax + 1)];
  return [
    derived(shape, [x, idx], () => {
      const outer = numel(x.shape.slice(0, ax));
      const inner = numel(x.shape.slice(ax + 1));
      const d = x.shape[ax]!;
      const out: number[] = [];
      for (let o = 0; o < outer; o++)
        for (const i0 of idx.data!) {
          const i = i0 < 0 ? i0 + d : i0;
          out.push(...x.data!.slice((o * d + i) * inner, (o * d + i + 1) * inner));
        }
      return out;
    }),
  ];
};

const expand: ShapeRule = (c) => {
  const x = input(c, 0);
  const target = constInput(c, 1, 'the target shape');
  const shape = broadcast(c, [x.shape, target]);
  const xs = strides(x.shape);
  return [
    derived(
      shape,
      [x],
      permuted(x, shape, (co) => {
        const off = shape.length - x.shape.length;
        return x.shape.reduce((s, d, i) => s + (d === 1 ? 0 : co[i + off]! * xs[i]!), 0);
      }),
    ),
  ];
};

const tile: ShapeRule = (c) => {
  const x = input(c, 0);
  const reps = constInput(c, 1, 'repeats');
  if (reps.length !== x.shape.length) return c.fail(`${reps.length} repeats for rank ${x.shape.length}`);
  const shape = x.shape.map((d, i) => d * reps[i]!);
  return [
    derived(
      shape,
      [x],
      permuted(x, shape, (co) =>
        flatIndex(
          x.shape,
          co.map((v, i) => v % x.shape[i]!),
        ),
      ),
    ),
  ];
};

const shapeOp: ShapeRule = (c) => {
  const x = input(c, 0);
  const r = x.shape.length;
  const norm = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const dims = x.shape.slice(norm(c.attrs.int('start', 0)), c.attrs.has('end') ? norm(c.attrs.int('end', r)) : r);
  return [{ shape: [dims.length], data: dims, constant: true }];
};

const size: ShapeRule = (c) => [{ shape: [], data: [numel(input(c, 0).shape)], constant: true }];

const constant: ShapeRule = (c) => {
  const t = c.attrs.tensor('value');
  if (t) return [tensorValue(t)];
  const a = c.attrs.first(['value_float', 'value_int', 'value_floats', 'value_ints']);
  if (!a) return c.fail('no value attribute (sparse and string constants are not supported)');
  if (a.name === 'value_float') return [{ shape: [], data: [a.f ?? 0], constant: true }];
  if (a.name === 'value_int') return [{ shape: [], data: [c.attrs.int('value_int', 0)], constant: true }];
  const list = a.name === 'value_floats' ? c.attrs.floats('value_floats')! : c.attrs.ints('value_ints')!;
  return [{ shape: [list.length], data: list, constant: true }];
};

const constantOfShape: ShapeRule = (c) => {
  const shape = constInput(c, 0, 'the shape');
  const t = c.attrs.tensor('value');
  const fill = t ? (tensorData(t)?.[0] ?? 0) : 0;
  return [constValue(shape, numel(shape) <= 4096 ? new Array<number>(numel(shape)).fill(fill) : undefined)];
};

const range: ShapeRule = (c) => {
  const [start, limit, delta] = [0, 1, 2].map((i) => constInput(c, i, ['start', 'limit', 'delta'][i]!)[0]!);
  if (delta === 0) return c.fail('delta is 0');
  const n = Math.max(0, Math.ceil((limit! - start!) / delta!));
  return [
    constValue(
      [n],
      Array.from({ length: n }, (_, i) => start! + i * delta!),
    ),
  ];
};

/** ReduceMean/Sum/Max/...: axes from the attribute, or from input 1 (ReduceSum from opset 13, the others from 18). */
function reduce(axesInputFrom: number): ShapeRule {
  return (c) => {
    const x = input(c, 0);
    const raw = c.opset >= axesInputFrom ? optionalConst(c, 1, 'axes') : c.attrs.ints('axes');
    const keep = c.attrs.int('keepdims', 1) === 1;
    const noop = c.attrs.int('noop_with_empty_axes', 0) === 1;
    const axes = raw && raw.length > 0 ? raw.map((a) => axis(c, a, x.shape.length)) : noop ? [] : x.shape.map((_, i) => i);
    const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    return [{ shape, constant: x.constant }];
  };
}

function argReduce(c: OpContext): Value[] {
  const x = input(c, 0);
  const a = axis(c, c.attrs.int('axis', 0), x.shape.length);
  const keep = c.attrs.int('keepdims', 1) === 1;
  return [{ shape: keep ? x.shape.map((d, i) => (i === a ? 1 : d)) : x.shape.filter((_, i) => i !== a), constant: x.constant }];
}

const REDUCE = ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];

export const LAYOUT_RULES: Record<string, ShapeRule> = {
  Reshape: reshape,
  Flatten: flatten,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Slice: slice,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Pad: pad,
  Gather: gather,
  Expand: expand,
  Tile: tile,
  Shape: shapeOp,
  Size: size,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Range: range,
  ReduceSum: reduce(13),
  ...Object.fromEntries(REDUCE.map((op) => [op, reduce(18)])),
  ArgMax: argReduce,
  ArgMin: argReduce,
};
