/**
 * Shape rules of the rearranging and indexing ops that real exports put between compute layers: DepthToSpace and
 * SpaceToDepth (PyTorch's PixelShuffle / PixelUnshuffle in super-resolution and detection models), the gather and
 * scatter family (GatherElements, GatherND, ScatterND, ScatterElements, Scatter), TopK and OneHot. Only shapes are
 * inferred; none of them carries MACs or feeds shape arithmetic, so their elements are not folded.
 */
import { axis, constInput, input, type OpContext, type ShapeRule } from './context.js';
import { derived, type Value } from './value.js';

/** An output of `shape` computed from the node's inputs (constant only when they all are). */
function out(c: OpContext, shape: number[]): Value {
  return derived(
    shape,
    c.inputs.filter((v): v is Value => v !== undefined),
  );
}

function nchw(c: OpContext): [number, number, number, number] {
  const x = input(c, 0);
  if (x.shape.length !== 4) return c.fail(`expected a 4-D NCHW input, got [${x.shape.join(',')}]`);
  return x.shape as [number, number, number, number];
}

function blocksize(c: OpContext): number {
  const b = c.attrs.int('blocksize', 0);
  if (!(b >= 1)) return c.fail(`blocksize ${b} is not a positive integer`);
  return b;
}

const depthToSpace: ShapeRule = (c) => {
  const [n, ch, h, w] = nchw(c);
  const b = blocksize(c);
  if (ch % (b * b) !== 0) return c.fail(`${ch} channels do not split into blocks of ${b}x${b}`);
  return [out(c, [n, ch / (b * b), h * b, w * b])];
};

const spaceToDepth: ShapeRule = (c) => {
  const [n, ch, h, w] = nchw(c);
  const b = blocksize(c);
  if (h % b !== 0 || w % b !== 0) return c.fail(`${h}x${w} does not split into blocks of ${b}x${b}`);
  return [out(c, [n, ch * b * b, h / b, w / b])];
};

/** GatherElements: the output has the indices' shape. */
const gatherElements: ShapeRule = (c) => {
  const data = input(c, 0);
  const indices = input(c, 1);
  axis(c, c.attrs.int('axis', 0), data.shape.length);
  if (indices.shape.length !== data.shape.length)
    return c.fail(`indices [${indices.shape.join(',')}] and data [${data.shape.join(',')}] differ in rank`);
  return [out(c, [...indices.shape])];
};

/** GatherND: indices.shape[:-1] followed by the data dims that the index tuples (after batch_dims) leave. */
const gatherND: ShapeRule = (c) => {
  const data = input(c, 0);
  const indices = input(c, 1);
  const b = c.attrs.int('batch_dims', 0);
  const k = indices.shape[indices.shape.length - 1];
  if (k === undefined || b < 0 || b + k > data.shape.length)
    return c.fail(`indices [${indices.shape.join(',')}] do not index data [${data.shape.join(',')}] with batch_dims ${b}`);
  return [out(c, [...indices.shape.slice(0, -1), ...data.shape.slice(b + k)])];
};

/** The scatters write updates into a copy of the data: the output has the data's shape. */
const scatter: ShapeRule = (c) => [out(c, [...input(c, 0).shape])];

/** TopK: values and indices, the input's shape with K along the axis (K an attribute before opset 10). */
const topK: ShapeRule = (c) => {
  const x = input(c, 0);
  const ax = axis(c, c.attrs.int('axis', -1), x.shape.length);
  const k = c.opset >= 10 ? constInput(c, 1, 'K')[0] : c.attrs.int('k', -1);
  if (k === undefined || !(k >= 0 && k <= x.shape[ax]!)) return c.fail(`K ${k} is outside 0..${x.shape[ax]} along axis ${ax}`);
  const shape = x.shape.map((d, i) => (i === ax ? k : d));
  return [out(c, shape), out(c, [...shape])];
};

/** OneHot: the indices' shape with the (constant) depth inserted at the axis. */
const oneHot: ShapeRule = (c) => {
  const indices = input(c, 0);
  const depth = constInput(c, 1, 'the depth')[0];
  if (depth === undefined || !(depth >= 1)) return c.fail(`depth ${depth} is not a positive count`);
  const ax = axis(c, c.attrs.int('axis', -1), indices.shape.length + 1);
  const shape = [...indices.shape];
  shape.splice(ax, 0, Math.floor(depth));
  return [out(c, shape)];
};

export const INDEXING_RULES: Record<string, ShapeRule> = {
  DepthToSpace: depthToSpace,
  SpaceToDepth: spaceToDepth,
  GatherElements: gatherElements,
  GatherND: gatherND,
  ScatterND: scatter,
  ScatterElements: scatter,
  Scatter: scatter,
  TopK: topK,
  OneHot: oneHot,
};
