/** What a shape-inference rule sees of one node. */
import type { Attrs } from './attrs.js';
import type { Value } from './value.js';

export interface OpContext {
  /** node name (or op_index when the exporter left it empty) */
  name: string;
  op: string;
  opset: number;
  attrs: Attrs;
  /** inputs in order; an omitted optional input is undefined */
  inputs: (Value | undefined)[];
  /** how many outputs the node declares */
  outputs: number;
  /** throws the one-line "cannot infer" error naming the node */
  fail(why: string): never;
}

/** A rule: the output Values of a node. */
export type ShapeRule = (c: OpContext) => Value[];

export function input(c: OpContext, i: number): Value {
  const v = c.inputs[i];
  if (!v) return c.fail(`input ${i} is missing`);
  return v;
}

/** A constant input's elements (Reshape's shape, Slice's starts ...), or a failure naming why. */
export function constInput(c: OpContext, i: number, what: string): number[] {
  const v = input(c, i);
  if (v.data === undefined) return c.fail(`${what} (input ${i}) is not a constant`);
  return v.data;
}

export function optionalConst(c: OpContext, i: number, what: string): number[] | undefined {
  const v = c.inputs[i];
  if (!v) return undefined;
  if (v.data === undefined) return c.fail(`${what} (input ${i}) is not a constant`);
  return v.data;
}

/** A possibly negative axis, normalized into 0..rank-1. */
export function axis(c: OpContext, a: number, rank: number): number {
  const r = a < 0 ? a + rank : a;
  if (!(r >= 0 && r < rank)) return c.fail(`axis ${a} is outside rank ${rank}`);
  return r;
}
