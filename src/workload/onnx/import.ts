/**
 * ONNX import: load the model, walk its nodes in graph order inferring every value's shape (folding small constant
 * subgraphs such as Shape -> Gather -> Concat -> Reshape), collect the layers of the MAC-carrying ops, and merge
 * identical shapes into one layer with a `repeat` count, as the built-ins do.
 */
import { InputError, show } from '../../errors.js';
import type { ConvLayer } from '../layer.js';
import { mergeShapes } from '../networks/build.js';
import { Attrs } from './attrs.js';
import { COMPUTE_RULES } from './compute.js';
import type { OpContext, ShapeRule } from './context.js';
import { ELEMENTWISE_RULES } from './elementwise.js';
import { INDEXING_RULES } from './indexing.js';
import { LAYOUT_RULES } from './layout.js';
import { loadModel, type InputShapes } from './load.js';
import { SPATIAL_RULES } from './spatial.js';
import { UNSUPPORTED_MAC_RULES } from './unsupported.js';
import type { Value } from './value.js';

export interface OnnxImport {
  name: string;
  opset: number;
  layers: ConvLayer[];
  /** one line listing unsupported MAC-carrying ops with counts, when there are any */
  warnings: string[];
}

const SHAPE_RULES: Record<string, ShapeRule> = {
  ...ELEMENTWISE_RULES,
  ...LAYOUT_RULES,
  ...SPATIAL_RULES,
  ...INDEXING_RULES,
  ...UNSUPPORTED_MAC_RULES,
};

/** `bytes`: the model's contents without a file (the web app), `file` then only names it (see loadModel). */
export function importOnnx(file: string, inputShapes: InputShapes = {}, bytes?: Uint8Array): OnnxImport {
  const { opset, model, values } = loadModel(file, inputShapes, bytes);
  const layers: ConvLayer[] = [];
  const unsupported = new Map<string, number>();
  const usedNames = new Set<string>();
  (model.graph!.node ?? []).forEach((node, index) => {
    const op = node.opType ?? '';
    let name = node.name || `${op}_${index}`;
    // layer names must be unique (--layers selects by name)
    if (usedNames.has(name)) name = `${name}_${index}`;
    usedNames.add(name);
    const where = `node ${show(name)} (${op})`;
    const fail = (why: string): never => {
      throw new InputError(file, where, 'an output shape that can be inferred', why);
    };
    const domain = node.domain ?? '';
    const compute = COMPUTE_RULES[op];
    const rule = SHAPE_RULES[op];
    if ((domain !== '' && domain !== 'ai.onnx') || (!compute && !rule)) fail(`op ${domain ? `${domain}.` : ''}${op} is not supported`);
    const inputs = (node.input ?? []).map((n) => {
      if (n === '') return undefined;
      const v = values.get(n);
      if (!v) fail(`input ${show(n)} is produced by no earlier node`);
      return v;
    });
    const outNames = node.output ?? [];
    const c: OpContext = { name, op, opset, attrs: new Attrs(node), inputs, outputs: outNames.length, fail };
    let outputs: Value[];
    if (compute) {
      const r = compute(c);
      layers.push(...r.layers);
      if (r.unsupported) unsupported.set(r.unsupported, (unsupported.get(r.unsupported) ?? 0) + 1);
      outputs = r.outputs;
    } else {
      if (UNSUPPORTED_MAC_RULES[op]) unsupported.set(op, (unsupported.get(op) ?? 0) + 1);
      outputs = rule!(c);
    }
    outNames.forEach((n, i) => {
      // optional trailing outputs (MaxPool's Indices, Dropout's mask) take the first output's shape when not computed
      if (n !== '') values.set(n, outputs[i] ?? { ...outputs[0]!, data: undefined });
    });
  });
  const merged = mergeShapes(layers);
  if (merged.length === 0)
    throw new InputError(
      file,
      'graph',
      'at least one Conv, ConvTranspose, Gemm or MatMul layer',
      unsupported.size > 0 ? `only unsupported ops (${[...unsupported.keys()].join(', ')})` : 'none',
    );
  const warnings =
    unsupported.size > 0 ? [`${file}: ops with MACs not modelled, skipped: ${[...unsupported].map(([op, n]) => `${op} x${n}`).join(', ')}`] : [];
  return { name: file.replace(/^.*[\\/]/, '').replace(/\.onnx$/i, ''), opset, layers: merged, warnings };
}
