/**
 * The ONNX protobuf schema, from the `onnx-proto` package (protobufjs 6 static code): we never decode protobuf by hand.
 * int64 fields arrive as numbers or as `Long` objects; `num` turns either into a JS number.
 */
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

interface LongLike {
  toNumber(): number;
}

export function num(v: number | LongLike | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}
