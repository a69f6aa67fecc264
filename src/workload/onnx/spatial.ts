/**
 * Sliding-window geometry shared by Conv, ConvTranspose and pooling (ONNX's formulas, auto_pad included), and the
 * shape rules of pooling and Resize/Upsample.
 */
import { constInput, input, optionalConst, type OpContext, type ShapeRule } from './context.js';
import { numel, type Value } from './value.js';

export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** begin pads then end pads, per spatial axis (ONNX order) */
  padsBegin: number[];
  padsEnd: number[];
  /** output extent per spatial axis */
  out: number[];
}

/** Conv/pool window over `spatial` input extents with kernel `kernel`. */
export function slidingWindow(c: OpContext, spatial: number[], kernel: number[], ceilMode = false): Window {
  const n = spatial.length;
  const strides = c.attrs.ints('strides') ?? new Array<number>(n).fill(1);
  const dilations = c.attrs.ints('dilations') ?? new Array<number>(n).fill(1);
  const autoPad = c.attrs.string('auto_pad', 'NOTSET');
  const pads = c.attrs.ints('pads') ?? new Array<number>(2 * n).fill(0);
  if (kernel.length !== n || strides.length !== n || dilations.length !== n || pads.length !== 2 * n)
    return c.fail(`kernel/strides/dilations/pads do not match ${n} spatial dims`);
  const padsBegin = pads.slice(0, n);
  const padsEnd = pads.slice(n);
  const out = spatial.map((x, i) => {
    const eff = dilations[i]! * (kernel[i]! - 1) + 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const o = Math.ceil(x / strides[i]!);
      const total = Math.max(0, (o - 1) * strides[i]! + eff - x);
      const small = Math.floor(total / 2);
      padsBegin[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      padsEnd[i] = total - padsBegin[i]!;
      return o;
    }
    if (autoPad === 'VALID') {
      padsBegin[i] = padsEnd[i] = 0;
    }
    const span = x + padsBegin[i]! + padsEnd[i]! - eff;
    return (ceilMode ? Math.ceil(span / strides[i]!) : Math.floor(span / strides[i]!)) + 1;
  });
  if (out.some((o) => !(o >= 1))) return c.fail(`the window leaves no output on [${spatial.join(',')}]`);
  return { kernel, strides, dilations, padsBegin, padsEnd, out };
}

const pool: ShapeRule = (c) => {
  const x = input(c, 0);
  if (x.shape.length < 3) return c.fail(`input rank ${x.shape.length} has no spatial dims`);
  const kernel = c.attrs.ints('kernel_shape');
  if (!kernel) return c.fail('no kernel_shape');
  const w = slidingWindow(c, x.shape.slice(2), kernel, c.attrs.int('ceil_mode', 0) === 1);
  const out: Value = { shape: [...x.shape.slice(0, 2), ...w.out], constant: false };
  return c.outputs > 1 ? [out, { ...out }] : [out];
};

const globalPool: ShapeRule = (c) => {
  const x = input(c, 0);
  return [{ shape: x.shape.map((d, i) => (i < 2 ? d : 1)), constant: false }];
};

/** Resize (opset 10: X, scales; 11+: X, roi, scales, sizes; 18+: axes) and Upsample (scales attribute or input). */
const resize: ShapeRule = (c) => {
  const x = input(c, 0);
  const rank = x.shape.length;
  const axes = (c.attrs.ints('axes') ?? x.shape.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  let sizes: number[] | undefined;
  let scales: number[] | undefined;
  if (c.op === 'Upsample') scales = c.attrs.floats('scales') ?? constInput(c, 1, 'scales');
  else if (c.opset < 11) scales = constInput(c, 1, 'scales');
  else {
    sizes = optionalConst(c, 3, 'sizes');
    scales = optionalConst(c, 2, 'scales');
    if (sizes?.length === 0) sizes = undefined;
    if (!sizes && (!scales || scales.length === 0)) return c.fail('neither scales nor sizes is given');
  }
  const shape = [...x.shape];
  const policy = c.attrs.string('keep_aspect_ratio_policy', 'stretch');
  if (sizes) {
    if (sizes.length !== axes.length) return c.fail(`${sizes.length} sizes for ${axes.length} axes`);
    if (policy !== 'stretch') {
      const ratios = axes.map((a, i) => sizes![i]! / x.shape[a]!);
      const r = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      axes.forEach((a) => (shape[a] = Math.round(x.shape[a]! * r)));
    } else axes.forEach((a, i) => (shape[a] = sizes![i]!));
  } else {
    if (scales!.length !== axes.length) return c.fail(`${scales!.length} scales for ${axes.length} axes`);
    axes.forEach((a, i) => (shape[a] = Math.floor(x.shape[a]! * scales![i]!)));
  }
  if (numel(shape) === 0 && numel(x.shape) > 0) return c.fail('the output is empty');
  return [{ shape, constant: false }];
};

export const SPATIAL_RULES: Record<string, ShapeRule> = {
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
  Resize: resize,
  Upsample: resize,
};
