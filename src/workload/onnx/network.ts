/**
 * Networks from a name or an ONNX file (Node: reads the file). `getNetwork` in ../networks.ts stays browser-safe for
 * the web app; the CLI and library users who take ONNX files call `resolveNetwork`.
 */
import { InputError, show } from '../../errors.js';
import { getNetwork, isOnnxPath, type Network, type NetworkOptions } from '../networks.js';
import { importOnnx } from './import.js';

/** A built-in network by name, or an ONNX model when the name ends in .onnx. */
export function resolveNetwork(name: string, opts: NetworkOptions = {}): Network {
  return isOnnxPath(name) ? onnxNetwork(name, opts) : getNetwork(name, opts);
}

/** An ONNX model as a network: its batch lives in its input shapes, so --batch and --seq-len are refused. */
export function onnxNetwork(file: string, opts: NetworkOptions): Network {
  for (const [flag, v] of [
    ['--batch', opts.batch],
    ['--seq-len', opts.seqLen],
  ] as const)
    if (v !== undefined) throw new InputError(flag, flag.slice(2), 'no value with an ONNX --network (set the batch with --input-shape)', show(v));
  const r = importOnnx(file, opts.inputShapes);
  const shapes = Object.entries(opts.inputShapes ?? {}).map(([n, d]) => `${n}=${d.join(',')}`);
  return {
    name: r.name,
    description: `imported from ONNX (opset ${r.opset})${shapes.length ? `, inputs ${shapes.join(' ')}` : ''}`,
    source: file,
    layers: r.layers,
    warnings: r.warnings,
  };
}
