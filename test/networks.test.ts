import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InputError } from '../src/errors.js';
import { layerMacs, layerToProblem, problemMacs, type ConvLayer } from '../src/workload/layer.js';
import { getNetwork, listNetworks, networkMacs } from '../src/workload/networks.js';

interface FixtureLayer {
  name: string;
  network: string;
  occurrences_in_network: number;
  depthwise: boolean;
  dims: Record<'R' | 'S' | 'P' | 'Q' | 'C' | 'N', number> & { K?: number };
  Wstride: number;
  Hstride: number;
  Wdilation: number;
  Hdilation: number;
  macs: number;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/timeloop/problems/layers.json', import.meta.url), 'utf8')) as Record<
  string,
  FixtureLayer
>;
const fixtureOf = (network: string) => Object.values(fixture).filter((f) => f.network === network);

/** Exact totals at batch 1 (BERT at 128 tokens), checked by an independent layer-by-layer count. */
const TOTALS: Record<string, number> = {
  resnet18: 1_814_073_344,
  resnet50: 4_089_184_256,
  vgg16: 15_470_264_320,
  alexnet: 714_188_480,
  mobilenetv2: 300_774_272,
  'bert-base': 11_173_625_856,
  // pinned to the published counts: timm/fvcore 17.56 G for vit_base_patch16_224, ~2.0 G for mobilevit_s (README)
  'vit-b16': 17_563_828_224,
  'mobilevit-s': 2_000_831_488,
};

function layer(netName: string, name: string, opts?: { batch?: number; seqLen?: number }): ConvLayer {
  const l = getNetwork(netName, opts).layers.find((x) => x.name === name);
  assert.ok(l, `${netName} has no layer ${name}`);
  return l;
}

function shapeOf(l: ConvLayer) {
  const { N, K, C, P, Q, R, S, Wstride, Hstride, groups } = l;
  return { N, K, C, P, Q, R, S, Wstride, Hstride, groups };
}

test('listNetworks gives the eight built-ins', () => {
  assert.deepEqual(listNetworks(), ['resnet18', 'resnet50', 'vgg16', 'alexnet', 'mobilenetv2', 'bert-base', 'vit-b16', 'mobilevit-s']);
});

test('exact MAC totals of every network (all occurrences counted)', () => {
  for (const name of listNetworks()) {
    const net = getNetwork(name);
    assert.equal(networkMacs(net), TOTALS[name], name);
    assert.equal(net.name, name);
    assert.ok(net.description.length > 0 && net.source.length > 0);
    assert.equal(
      networkMacs(net),
      net.layers.reduce((s, l) => s + layerMacs(l) * l.repeat, 0),
    );
  }
});

test('vit-b16 and mobilevit-s: shapes from the architecture, attention per head, batch scales MACs', () => {
  const vit = getNetwork('ViT-B/16'.replace('/', ''));
  const pe = vit.layers.find((l) => l.name === 'vit_patch_embed')!;
  assert.deepEqual([pe.op, pe.P, pe.C, pe.K], ['Gemm', 196, 3 * 16 * 16, 768], 'the 16x16/16 patch conv as its GEMM');
  const scores = vit.layers.find((l) => l.name === 'vit_attn_scores')!;
  assert.deepEqual([scores.P, scores.C, scores.K, scores.N, scores.repeat], [197, 64, 197, 1, 12 * 12]);
  const mv = getNetwork('mobilevit', { batch: 2 });
  assert.equal(networkMacs(mv), 2 * 2_000_831_488);
  const b3 = mv.layers.find((l) => l.name === 'mvit_b3_qkv')!;
  assert.deepEqual(
    [b3.P, b3.C, b3.K, b3.N, b3.repeat],
    [256, 144, 144, 8, 4 * 2],
    '32x32 map in 2x2 patches: 4 sequences of 256 tokens per image; q, k, v, out of 2 layers',
  );
  assert.equal(mv.layers.find((l) => l.name === 'mvit_b5_attn_scores')!.repeat, 4 * 4 * 2 * 3);
});

test('layer counts: identical shapes are merged, occurrences kept in repeat', () => {
  const counts = (n: string) => {
    const net = getNetwork(n);
    return [net.layers.length, net.layers.reduce((s, l) => s + l.repeat, 0)];
  };
  assert.deepEqual(counts('resnet18'), [12, 21]); // 20 convs + fc
  assert.deepEqual(counts('resnet50'), [24, 54]); // 53 convs + fc
  assert.deepEqual(counts('vgg16'), [12, 16]); // 13 convs + 3 fc
  assert.deepEqual(counts('alexnet'), [8, 8]);
  assert.deepEqual(counts('mobilenetv2'), [31, 53]); // 52 convs + classifier
  assert.deepEqual(counts('bert-base'), [5, 12 * (4 + 2 + 2 * 12)]);
  assert.deepEqual(counts('vit-b16'), [7, 1 + 12 * (3 + 1 + 2 + 2 * 12) + 1]); // patch embed, 12 x (qkv, proj, mlp, heads), head

  for (const name of listNetworks()) {
    const keys = getNetwork(name).layers.map((l) => JSON.stringify({ ...shapeOf(l), Wd: l.Wdilation, Hd: l.Hdilation }));
    assert.equal(new Set(keys).size, keys.length, `${name} has two entries of one shape`);
  }
});

test('ResNet-18 equals the reference problems (shapes, names, occurrences)', () => {
  const ref = fixtureOf('ResNet-18');
  const net = getNetwork('resnet18');
  assert.equal(ref.length, 12);
  assert.deepEqual(net.layers.map((l) => l.name).sort(), ref.map((f) => f.name).sort());
  for (const f of ref) {
    const l = net.layers.find((x) => x.name === f.name)!;
    const { problem, count } = layerToProblem(l);
    assert.equal(count, 1);
    assert.equal(problem.depthwise, false);
    assert.deepEqual(problem.dims, f.dims, f.name);
    for (const k of ['Wstride', 'Hstride', 'Wdilation', 'Hdilation'] as const) assert.equal(problem[k], f[k], `${f.name} ${k}`);
    assert.equal(l.repeat, f.occurrences_in_network, f.name);
    assert.equal(layerMacs(l), f.macs, f.name);
  }
  assert.equal(
    ref.reduce((s, f) => s + f.macs * f.occurrences_in_network, 0),
    TOTALS.resnet18,
  );
});

test('VGG-16 and MobileNetV2 reference problems appear with the same shape and name', () => {
  for (const [fixtureNet, net] of [
    ['VGG-16', 'vgg16'],
    ['MobileNetV2', 'mobilenetv2'],
  ] as const) {
    const ref = fixtureOf(fixtureNet);
    assert.ok(ref.length >= 5);
    for (const f of ref) {
      const { problem } = layerToProblem(layer(net, f.name));
      assert.equal(problem.depthwise, f.depthwise, f.name);
      const { K, ...noK } = problem.dims; // a Depthwise-CNN-Layer problem has no K (its bound is 1)
      assert.deepEqual(f.depthwise ? { ...noK, K } : problem.dims, f.depthwise ? { ...f.dims, K: 1 } : f.dims, f.name);
      assert.equal([problem.Wstride, problem.Hstride].join(), [f.Wstride, f.Hstride].join(), f.name);
      assert.equal(problemMacs(problem), f.macs, f.name);
    }
  }
});

test('pinned layer shapes', () => {
  const s = (n: string, l: string, o?: { batch?: number; seqLen?: number }) => shapeOf(layer(n, l, o));
  assert.deepEqual(s('resnet18', 'resnet18_conv1'), { N: 1, K: 64, C: 3, P: 112, Q: 112, R: 7, S: 7, Wstride: 2, Hstride: 2, groups: 1 });
  assert.deepEqual(s('resnet18', 'resnet18_fc'), { N: 1, K: 1000, C: 512, P: 1, Q: 1, R: 1, S: 1, Wstride: 1, Hstride: 1, groups: 1 });
  // ResNet-50 v1.5: the stride is on the 3x3 conv
  assert.deepEqual(s('resnet50', 'resnet50_layer2_0_conv1'), { N: 1, K: 128, C: 256, P: 56, Q: 56, R: 1, S: 1, Wstride: 1, Hstride: 1, groups: 1 });
  assert.deepEqual(s('resnet50', 'resnet50_layer2_0_conv2'), { N: 1, K: 128, C: 128, P: 28, Q: 28, R: 3, S: 3, Wstride: 2, Hstride: 2, groups: 1 });
  assert.deepEqual(s('resnet50', 'resnet50_layer4_0_downsample'), {
    N: 1,
    K: 2048,
    C: 1024,
    P: 7,
    Q: 7,
    R: 1,
    S: 1,
    Wstride: 2,
    Hstride: 2,
    groups: 1,
  });
  assert.equal(layer('resnet50', 'resnet50_layer1_conv3').repeat, 4); // 3 conv3 + the stride-1 downsample 64->256
  assert.equal(layer('resnet50', 'resnet50_layer3_conv2').repeat, 5);
  assert.deepEqual(s('vgg16', 'vgg16_fc6'), { N: 1, K: 4096, C: 25088, P: 1, Q: 1, R: 1, S: 1, Wstride: 1, Hstride: 1, groups: 1 });
  assert.equal(layer('vgg16', 'vgg16_conv5_1').repeat, 3);
  // torchvision AlexNet: 64 filters, padding 2 -> 55x55; fc6 takes 256*6*6
  assert.deepEqual(s('alexnet', 'alexnet_conv1'), { N: 1, K: 64, C: 3, P: 55, Q: 55, R: 11, S: 11, Wstride: 4, Hstride: 4, groups: 1 });
  assert.deepEqual(s('alexnet', 'alexnet_conv2'), { N: 1, K: 192, C: 64, P: 27, Q: 27, R: 5, S: 5, Wstride: 1, Hstride: 1, groups: 1 });
  assert.equal(layer('alexnet', 'alexnet_fc6').C, 9216);
  assert.deepEqual(s('mobilenetv2', 'mbv2_b1_dw3x3_s2'), { N: 1, K: 96, C: 96, P: 56, Q: 56, R: 3, S: 3, Wstride: 2, Hstride: 2, groups: 96 });
  assert.deepEqual(s('mobilenetv2', 'mbv2_b0_project_1x1'), { N: 1, K: 16, C: 32, P: 112, Q: 112, R: 1, S: 1, Wstride: 1, Hstride: 1, groups: 1 });
  // BERT GEMMs: P = tokens, C = reduction, K = output features
  assert.deepEqual(s('bert-base', 'bert_query'), { N: 1, K: 768, C: 768, P: 128, Q: 1, R: 1, S: 1, Wstride: 1, Hstride: 1, groups: 1 });
  assert.equal(layer('bert-base', 'bert_query').repeat, 48);
  assert.deepEqual(
    [s('bert-base', 'bert_attn_scores', { seqLen: 384 }), layer('bert-base', 'bert_attn_scores').repeat],
    [{ N: 1, K: 384, C: 64, P: 384, Q: 1, R: 1, S: 1, Wstride: 1, Hstride: 1, groups: 1 }, 144],
  );
  assert.deepEqual([layer('bert-base', 'bert_attn_context').C, layer('bert-base', 'bert_attn_context').K], [128, 64]);
  assert.deepEqual([layer('bert-base', 'bert_ffn2').C, layer('bert-base', 'bert_ffn2').K], [3072, 768]);
});

test('BERT MACs follow the sequence length', () => {
  const bert = (seqLen: number) => networkMacs(getNetwork('bert-base', { seqLen }));
  for (const s of [1, 64, 128, 384, 512]) assert.equal(bert(s), 12 * (4 * s * 768 ** 2 + 2 * s * 768 * 3072 + 2 * 12 * s * s * 64));
  assert.equal(bert(384), 35_332_816_896);
  assert.equal(getNetwork('bert-base', { seqLen: 64 }).layers.length, 4); // scores and context share a shape at 64
});

test("batch 2 doubles every network's MACs; batch goes to N (BERT attention: to repeat)", () => {
  for (const name of listNetworks()) {
    const net = getNetwork(name, { batch: 2 });
    assert.equal(networkMacs(net), 2 * TOTALS[name]!, name);
    assert.equal(networkMacs(getNetwork(name, { batch: 3, seqLen: 128 })), 3 * TOTALS[name]!, name);
  }
  assert.ok(getNetwork('resnet50', { batch: 2 }).layers.every((l) => l.N === 2));
  assert.equal(layer('bert-base', 'bert_ffn1', { batch: 2 }).N, 2);
  assert.deepEqual([layer('bert-base', 'bert_attn_scores', { batch: 2 }).N, layer('bert-base', 'bert_attn_scores', { batch: 2 }).repeat], [1, 288]);
});

test('depthwise layers map to Depthwise-CNN-Layer problems; every layer keeps its MACs through layerToProblem', () => {
  const dws = getNetwork('mobilenetv2').layers.filter((l) => l.groups > 1);
  assert.equal(
    dws.reduce((s, l) => s + l.repeat, 0),
    17,
  );
  for (const l of dws) {
    assert.ok(l.groups === l.C && l.K === l.C && l.R === 3, l.name);
    const { problem, count } = layerToProblem(l);
    assert.equal(problem.depthwise, true, l.name);
    assert.equal(count, 1);
    assert.equal(problem.dims.K, 1);
    assert.equal(problem.dims.C, l.C);
  }
  for (const name of listNetworks()) {
    for (const l of getNetwork(name, { batch: 2 }).layers) {
      const { problem, count } = layerToProblem(l);
      assert.equal(problemMacs(problem) * count, layerMacs(l), `${name} ${l.name}`);
      assert.equal(problem.depthwise, l.groups > 1, `${name} ${l.name}`);
    }
  }
});

test('aliases resolve case-insensitively, ignoring dashes and underscores', () => {
  const cases: [string, string][] = [
    ['resnet-18', 'resnet18'],
    ['ResNet18', 'resnet18'],
    ['RESNET_18', 'resnet18'],
    ['ResNet-50', 'resnet50'],
    ['VGG-16', 'vgg16'],
    ['vgg_16', 'vgg16'],
    ['AlexNet', 'alexnet'],
    ['MobileNet-V2', 'mobilenetv2'],
    ['mobilenet_v2', 'mobilenetv2'],
    ['BERT-Base', 'bert-base'],
    ['bert_base', 'bert-base'],
    ['bert', 'bert-base'],
  ];
  for (const [alias, name] of cases) assert.equal(getNetwork(alias).name, name, alias);
});

test('unknown network -> InputError listing the known names', () => {
  assert.throws(
    () => getNetwork('resnet34'),
    (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.equal(e.file, '--network');
      assert.equal(e.field, 'network');
      for (const n of listNetworks()) assert.ok(e.expected.includes(n), n);
      assert.equal(e.got, '"resnet34"');
      assert.ok(!e.message.includes('\n'));
      return true;
    },
  );
});

test('bad batch or sequence length -> InputError', () => {
  for (const batch of [0, -1, 1.5, Number.NaN]) {
    assert.throws(
      () => getNetwork('resnet18', { batch }),
      (e: unknown) => e instanceof InputError && e.file === '--batch' && e.field === 'batch',
    );
  }
  assert.throws(
    () => getNetwork('bert-base', { seqLen: 0 }),
    (e: unknown) => e instanceof InputError && e.file === '--seq-len',
  );
});
