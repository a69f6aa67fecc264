/**
 * Real exported models (test/fixtures/onnx/, see its README): a TensorFlow model converted by tf2onnx, a PyTorch
 * export and a PaddlePaddle one (paddle2onnx, opset 9), all with dynamic input dims. Their MACs are checked against an independent count: the output dims
 * onnxruntime computed when running them (onnxruntime-shapes.json) times the weights' dims read straight from the
 * file with onnx-proto, and for the mel front end the closed form of its STFT.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import onnxProto from 'onnx-proto';
import { layerFileStems } from '../src/visualization/optimize-files.js';
import { layerMacs, type ConvLayer } from '../src/workload/layer.js';
import { networkMacs } from '../src/workload/networks.js';
import { importOnnx } from '../src/workload/onnx/import.js';
import { resolveNetwork } from '../src/workload/onnx/network.js';
import { runCli } from './helpers/cli.js';

const DIR = 'test/fixtures/onnx';
const EMBEDDING = join(DIR, 'embedding_model.onnx');
const MEL = join(DIR, 'melspectrogram.onnx');
const CLS = join(DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');

interface OrtRun {
  file: string;
  input: Record<string, number[]>;
  layers: { node: string; op: string; output: number[] }[];
}
const ORT = (JSON.parse(readFileSync(join(DIR, 'onnxruntime-shapes.json'), 'utf8')) as { runs: OrtRun[] }).runs;

const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);
const num = (v: unknown) => Number(v);

/** The file as onnx-proto decodes it: producer, declared input dims, and every compute node's weight dims. */
function readRaw(file: string) {
  const m = onnxProto.onnx.ModelProto.decode(readFileSync(file));
  const g = m.graph!;
  const inits = new Map(g.initializer!.map((t) => [t.name!, t.dims!.map(num)]));
  const inputs = g.input!.filter((i) => !inits.has(i.name!));
  // paddle2onnx writes its weights as Constant nodes rather than initializers
  for (const n of g.node!) {
    const value = n.opType === 'Constant' ? n.attribute!.find((a) => a.name === 'value')?.t : undefined;
    if (value) inits.set(n.output![0]!, value.dims!.map(num));
  }
  const dims = inputs.map((i) => i.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || num(d.dimValue)));
  const weights = new Map(g.node!.filter((n) => inits.has(n.input![1]!)).map((n) => [n.name!, inits.get(n.input![1]!)!]));
  return { producer: m.producerName, dims, weights };
}

/** MACs of one node from onnxruntime's output dims and the weight's dims (Conv: C/groups x kernel; MatMul: C). */
function ortMacs(op: string, output: number[], weight: number[]): number {
  if (op === 'Conv') return prod(output) * prod(weight.slice(1));
  if (op === 'MatMul') return prod(output) * weight[0]!;
  throw new Error(`no independent count for ${op}`);
}

function checkAgainstOrt(run: OrtRun, layers: ConvLayer[]): number {
  const { weights } = readRaw(join(DIR, run.file));
  const expected = run.layers.map((l) => ({ ...l, macs: ortMacs(l.op, l.output, weights.get(l.node)!) }));
  // every layer (a merged one is named by its first node) has that node's output elements and MACs
  for (const l of layers) {
    const e = expected.find((x) => x.node === l.name) ?? assert.fail(`${run.file}: layer ${l.name} is no compute node`);
    assert.equal(l.op, e.op, l.name);
    assert.equal(l.N * l.K * l.P * l.Q, prod(e.output), `${run.file} ${l.name}: output elements`);
    assert.equal(layerMacs(l), e.macs, `${run.file} ${l.name}: MACs`);
  }
  // and the layers with their repeats are exactly the compute nodes
  const ours = layers.flatMap((l) => Array<number>(l.repeat).fill(layerMacs(l))).sort((a, b) => a - b);
  assert.deepEqual(
    ours,
    expected.map((e) => e.macs).sort((a, b) => a - b),
    run.file,
  );
  return expected.reduce((s, e) => s + e.macs, 0);
}

test('the fixtures are real exports with dynamic input dims', () => {
  const emb = readRaw(EMBEDDING);
  assert.equal(emb.producer, 'tf2onnx');
  assert.deepEqual(emb.dims, [['unk__314', 76, 32, 1]]);
  const mel = readRaw(MEL);
  assert.equal(mel.producer, 'pytorch');
  assert.deepEqual(mel.dims, [['batch_size', 'samples']]);
  // a third exporter, at opset 9, every dim but the channels dynamic
  assert.deepEqual(readRaw(CLS).dims, [['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2']]);
});

test('real exports: MACs match onnxruntime-computed shapes layer by layer, at every recorded input shape', () => {
  const totals: Record<string, number> = {};
  for (const run of ORT) {
    const r = importOnnx(join(DIR, run.file), run.input);
    assert.deepEqual(r.warnings, []);
    const total = checkAgainstOrt(run, r.layers);
    assert.equal(networkMacs({ layers: r.layers }), total);
    totals[`${run.file} ${Object.values(run.input)[0]!.join(',')}`] = total;
  }
  // the figures the fixtures' README states
  assert.deepEqual(totals, {
    'embedding_model.onnx 1,76,32,1': 41_955_840,
    'embedding_model.onnx 4,76,32,1': 167_823_360,
    'melspectrogram.onnx 1,1280': 1_356_960,
    'melspectrogram.onnx 1,16000': 26_325_024,
    'melspectrogram.onnx 2,32000': 106_928_448,
    'ch_ppocr_mobile_v2.0_cls_infer.onnx 1,3,48,192': 16_315_376,
    'ch_ppocr_mobile_v2.0_cls_infer.onnx 4,3,48,320': 108_619_712,
  });
});

test('melspectrogram (PyTorch): MACs follow the STFT closed form at any dynamic length and batch', () => {
  for (const [batch, samples] of [
    [1, 512],
    [1, 4000],
    [3, 16000],
    [2, 48000],
  ] as const) {
    const net = resolveNetwork(MEL, { inputShapes: { input: [batch, samples] } });
    const frames = Math.floor((samples - 512) / 160) + 1;
    // real and imaginary 512-tap DFTs into 257 bins per frame, then a 257 x 32 mel filterbank
    assert.equal(networkMacs(net), batch * frames * (2 * 257 * 512 + 257 * 32), `${batch}x${samples}`);
    const stft = net.layers.find((l) => l.op === 'Conv')!;
    assert.deepEqual([stft.R, stft.Wstride, stft.P, stft.repeat], [512, 160, frames, 2]);
  }
});

test('real exports through the CLI: a dynamic dim without --input-shape is one line with exit 2; with it, networks --json', async () => {
  for (const [file, re] of [
    [EMBEDDING, /embedding_model\.onnx: input "input_1": expected static dims or --input-shape input_1=D1,D2,\.\.\., got dims \[unk__314,76,32,1\]/],
    [MEL, /melspectrogram\.onnx: input "input": expected static dims or --input-shape input=D1,D2,\.\.\., got dims \[batch_size,samples\]/],
  ] as const) {
    const r = await runCli(['networks', '--network', file]);
    assert.equal(r.code, 2);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
  }
  const r = await runCli(['networks', '--network', EMBEDDING, '--input-shape', 'input_1=2,76,32,1', '--json']);
  assert.equal(r.code, 0, r.err);
  const [net] = JSON.parse(r.out) as { name: string; macs: number; layers: { op: string; N: number }[] }[];
  assert.equal(net!.name, 'embedding_model');
  assert.equal(net!.macs, 2 * 41_955_840);
  assert.equal(net!.layers.length, 20);
  assert.ok(net!.layers.every((l) => l.op === 'Conv' && l.N === 2));
});

test("exported node names become distinct file stems (no folders, no layer's files overwriting another's)", () => {
  assert.deepEqual(layerFileStems(['model/conv2d/Conv2D', 'model_conv2d_Conv2D', '/layer1/0/Conv', 'fc']), [
    'model_conv2d_Conv2D',
    'model_conv2d_Conv2D_2',
    '_layer1_0_Conv',
    'fc',
  ]);
});
