/**
 * Builds ONNX models in memory with onnx-proto's encoder (the package the importer decodes with), so that the
 * ONNX tests need no network access and no committed binaries. Weights carry their dims only (no bytes): the
 * importer reads shapes, never weight values.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
// eslint-disable-next-line @typescript-eslint/no-namespace
declare namespace onnx {
  type ITensorProto = onnxProto.onnx.ITensorProto;
  type IAttributeProto = onnxProto.onnx.IAttributeProto;
  type INodeProto = onnxProto.onnx.INodeProto;
  type IValueInfoProto = onnxProto.onnx.IValueInfoProto;
  type IModelProto = onnxProto.onnx.IModelProto;
}

/** A float attribute (plain numbers are ints). */
export class Floats {
  constructor(readonly values: number[]) {}
}
type AttrValue = number | number[] | string | Floats | onnx.ITensorProto;

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: A.INT, i: v };
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
  if (v instanceof Floats) return v.values.length === 1 ? { name, type: A.FLOAT, f: v.values[0]! } : { name, type: A.FLOATS, floats: v.values };
  return { name, type: A.TENSOR, t: v };
}

export function int64Tensor(name: string, dims: number[], data: number[]): onnx.ITensorProto {
  return { name, dims, dataType: onnx.TensorProto.DataType.INT64, int64Data: data };
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly inits: onnx.ITensorProto[] = [];
  private count = 0;

  /** a graph input; string dims are dynamic (dim_param) */
  input(name: string, dims: (number | string)[]): string {
    this.inputs.push({
      name,
      type: {
        tensorType: {
          elemType: onnx.TensorProto.DataType.FLOAT,
          shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
        },
      },
    });
    return name;
  }

  /** a float weight of these dims (no data) */
  weight(dims: number[], name = `w${this.count++}`): string {
    this.inits.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT });
    return name;
  }

  /** an int64 initializer (shape arithmetic) */
  ints(data: number[], name = `c${this.count++}`, dims = [data.length]): string {
    this.inits.push(int64Tensor(name, dims, data));
    return name;
  }

  /** a float initializer with values (Resize scales) */
  floats(data: number[], name = `f${this.count++}`): string {
    this.inits.push({ name, dims: [data.length], dataType: onnx.TensorProto.DataType.FLOAT, floatData: data });
    return name;
  }

  raw(t: onnx.ITensorProto): string {
    this.inits.push(t);
    return t.name!;
  }

  /** a node; returns its first output (or the outputs given) */
  node(
    op: string,
    inputs: string[],
    attrs: Record<string, AttrValue> = {},
    opts: { name?: string; outputs?: number | string[]; domain?: string } = {},
  ): string {
    const id = this.count++;
    const outs = Array.isArray(opts.outputs) ? opts.outputs : Array.from({ length: opts.outputs ?? 1 }, (_, i) => `${op.toLowerCase()}${id}_${i}`);
    this.nodes.push({
      name: opts.name ?? `${op}_${id}`,
      opType: op,
      domain: opts.domain ?? '',
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs[0]!;
  }

  /** the output names of the last node */
  lastOutputs(): string[] {
    return this.nodes[this.nodes.length - 1]!.output!;
  }

  output(name: string): void {
    this.outputs.push({ name });
  }

  encode(opset: number, extra: Partial<onnx.IModelProto> = {}): Uint8Array {
    return onnx.ModelProto.encode({
      irVersion: 8,
      producerName: 'accel-codesign tests',
      opsetImport: [{ domain: '', version: opset }],
      graph: { name: 'g', node: this.nodes, input: this.inputs, output: this.outputs, initializer: this.inits },
      ...extra,
    }).finish();
  }
}

let dir: string | undefined;
/** Write bytes to a fresh file in a temporary folder and return its path. */
export function writeModel(name: string, bytes: Uint8Array): string {
  dir ??= mkdtempSync(join(tmpdir(), 'codesign-onnx-'));
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}
