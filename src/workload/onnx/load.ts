/**
 * Reading an ONNX file: decode the ModelProto with onnx-proto, check the opset, find the graph inputs' shapes
 * (applying --input-shape) and turn initializers into Values. External weights must exist next to the model; their
 * bytes are never read (only their shapes matter).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { InputError, show } from '../../errors.js';
import { num, onnx, type ModelProto, type TensorProto } from './proto.js';
import { constValue, FOLD_LIMIT, numel, type Value } from './value.js';

export const MIN_OPSET = 9;
export const MAX_OPSET = 21;

/** --input-shape NAME=1,3,224,224: the static shape of a graph input. */
export type InputShapes = Record<string, number[]>;

export interface LoadedModel {
  file: string;
  opset: number;
  model: ModelProto;
  /** graph inputs and initializers by name */
  values: Map<string, Value>;
}

function decode(file: string, given?: Uint8Array): ModelProto {
  if (!given && (!existsSync(file) || !statSync(file).isFile())) throw new InputError(file, 'file', 'an existing ONNX file', 'no such file');
  const bytes = given ?? readFileSync(file);
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new InputError(file, 'model', 'an ONNX ModelProto (protobuf)', `undecodable bytes (${(e as Error).message})`);
  }
  if (!model.graph || (model.graph.node ?? []).length === 0)
    throw new InputError(file, 'graph', 'an ONNX model with a graph of nodes', bytes.length === 0 ? 'an empty file' : 'no nodes');
  return model;
}

function opsetOf(file: string, model: ModelProto): number {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const v = entry ? num(entry.version) : NaN;
  if (!(v >= MIN_OPSET && v <= MAX_OPSET))
    throw new InputError(file, 'opset_import', `the default ONNX domain at opset ${MIN_OPSET} to ${MAX_OPSET}`, entry ? String(v) : 'none');
  return v;
}

/** The elements of a small tensor, as JS numbers (int64 via Long, raw little-endian bytes by data type). */
export function tensorData(t: TensorProto): number[] | undefined {
  const n = numel((t.dims ?? []).map(num));
  if (n > FOLD_LIMIT) return undefined;
  const T = onnx.TensorProto.DataType;
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const read: Record<number, [number, (o: number) => number]> = {
      [T.FLOAT]: [4, (o) => view.getFloat32(o, true)],
      [T.DOUBLE]: [8, (o) => view.getFloat64(o, true)],
      [T.INT64]: [8, (o) => Number(view.getBigInt64(o, true))],
      [T.UINT64]: [8, (o) => Number(view.getBigUint64(o, true))],
      [T.INT32]: [4, (o) => view.getInt32(o, true)],
      [T.UINT32]: [4, (o) => view.getUint32(o, true)],
      [T.INT16]: [2, (o) => view.getInt16(o, true)],
      [T.UINT16]: [2, (o) => view.getUint16(o, true)],
      [T.INT8]: [1, (o) => view.getInt8(o)],
      [T.UINT8]: [1, (o) => view.getUint8(o)],
      [T.BOOL]: [1, (o) => view.getUint8(o)],
    };
    const r = read[t.dataType ?? 0];
    if (!r || raw.length < n * r[0]) return undefined;
    return Array.from({ length: n }, (_, i) => r[1](i * r[0]));
  }
  const typed = [t.floatData, t.int32Data, t.int64Data, t.doubleData, t.uint64Data].find((a) => a && a.length > 0);
  if (!typed) return n === 0 ? [] : undefined;
  return Array.from(typed as ArrayLike<number | { toNumber(): number }>, (x) => num(x));
}

function checkExternal(file: string, t: TensorProto): void {
  if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) return;
  const location = (t.externalData ?? []).find((e) => e.key === 'location')?.value;
  const where = location ? (isAbsolute(location) ? location : resolve(dirname(file), location)) : undefined;
  if (!where || !existsSync(where))
    throw new InputError(
      file,
      `initializer ${show(t.name ?? '')}`,
      'external weights next to the model',
      location ? `missing file ${show(location)}` : 'no location',
    );
}

export function tensorValue(t: TensorProto): Value {
  return constValue((t.dims ?? []).map(num), tensorData(t));
}

/** Parse `NAME=1,3,224,224` flags (repeatable) into InputShapes. */
export function parseInputShapes(specs: readonly string[]): InputShapes {
  const out: InputShapes = {};
  for (const spec of specs) {
    const m = /^(.+)=(\d+(?:,\d+)*)$/.exec(spec.trim());
    const dims = m ? m[2]!.split(',').map(Number) : [];
    if (!m || dims.some((d) => d < 1)) throw new InputError('--input-shape', 'input-shape', 'NAME=D1,D2,... with positive integer dims', show(spec));
    out[m[1]!] = dims;
  }
  return out;
}

/**
 * `bytes`: the model's contents when they come without a file (a file dropped in the web app); `file` then only names
 * it, and external weights are not looked for (there is no folder, and only their shapes matter).
 */
export function loadModel(file: string, inputShapes: InputShapes = {}, bytes?: Uint8Array): LoadedModel {
  const model = decode(file, bytes);
  const opset = opsetOf(file, model);
  const graph = model.graph!;
  const values = new Map<string, Value>();
  for (const t of graph.initializer ?? []) {
    if (!bytes) checkExternal(file, t);
    values.set(t.name ?? '', tensorValue(t));
  }
  const inputs = (graph.input ?? []).filter((i) => !values.has(i.name ?? ''));
  for (const name of Object.keys(inputShapes)) {
    if (!inputs.some((i) => i.name === name))
      throw new InputError('--input-shape', 'input-shape', `a graph input of ${file} (${inputs.map((i) => i.name).join(', ')})`, show(name));
  }
  for (const input of inputs) {
    const name = input.name ?? '';
    const dims = input.type?.tensorType?.shape?.dim ?? [];
    const declared = dims.map((d) =>
      d.dimValue !== undefined && d.dimValue !== null && num(d.dimValue) > 0 ? String(num(d.dimValue)) : d.dimParam || '?',
    );
    const given = Object.prototype.hasOwnProperty.call(inputShapes, name) ? inputShapes[name] : undefined;
    if (given) {
      if (input.type?.tensorType?.shape && given.length !== dims.length)
        throw new InputError('--input-shape', name, `${dims.length} dims for [${declared.join(',')}]`, `${given.length} (${given.join(',')})`);
      given.forEach((g, i) => {
        if (/^\d+$/.test(declared[i]!) && Number(declared[i]) !== g)
          throw new InputError('--input-shape', name, `dim ${i} = ${declared[i]} as the model declares`, String(g));
      });
      values.set(name, { shape: [...given], constant: false });
      continue;
    }
    if (!input.type?.tensorType?.shape || declared.some((d) => !/^\d+$/.test(d)))
      throw new InputError(file, `input ${show(name)}`, `static dims or --input-shape ${name}=D1,D2,...`, `dims [${declared.join(',')}]`);
    values.set(name, { shape: declared.map(Number), constant: false });
  }
  return { file, opset, model, values };
}
