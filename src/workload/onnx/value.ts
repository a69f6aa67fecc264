/**
 * What shape inference knows about one graph value: its static shape and, for small constant integer or float
 * tensors (shape arithmetic, Reshape targets, Resize scales), its elements, so that Shape -> Gather -> Concat ->
 * Reshape chains fold to constants. Weights keep their shape only.
 */
export interface Value {
  shape: number[];
  /** row-major elements, known only for constants of at most FOLD_LIMIT elements */
  data?: number[];
  /** a graph initializer (or a constant folded from them): a weight when it feeds a MatMul */
  constant: boolean;
}

/** Constants larger than this are weights, never shape arithmetic: their elements are not kept. */
export const FOLD_LIMIT = 4096;

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A value with elements when they are few enough to keep. */
export function constValue(shape: number[], data: number[] | undefined): Value {
  return data !== undefined && data.length <= FOLD_LIMIT ? { shape, data, constant: true } : { shape, constant: true };
}

/** A computed value: constant (with folded elements) only when every input was. */
export function derived(shape: number[], inputs: readonly Value[], fold?: () => number[]): Value {
  const constant = inputs.every((v) => v.constant);
  const canFold = constant && inputs.every((v) => v.data !== undefined) && fold !== undefined && numel(shape) <= FOLD_LIMIT;
  return canFold ? { shape, data: fold(), constant } : { shape, constant };
}

/** Row-major strides of a shape. */
export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}
