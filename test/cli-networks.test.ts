import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getNetwork, listNetworks, networkMacs } from '../src/workload/networks.js';
import { runCli } from './helpers/cli.js';

const run = runCli;

interface JsonNet {
  name: string;
  macs: number;
  layers: Record<string, unknown>[];
}
const LAYER_KEYS = ['name', 'op', 'N', 'K', 'C', 'P', 'Q', 'R', 'S', 'Hstride', 'Wstride', 'groups', 'repeat'];

test('networks --json prints one JSON array of every built-in with numeric shapes and MACs', async () => {
  const r = await run(['networks', '--json']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  const nets = JSON.parse(r.out) as JsonNet[];
  assert.ok(Array.isArray(nets));
  assert.deepEqual(
    nets.map((n) => n.name),
    listNetworks(),
  );
  const byName = Object.fromEntries(nets.map((n) => [n.name, n]));
  assert.equal(byName.resnet18!.macs, 1_814_073_344);
  assert.equal(byName.resnet50!.macs, 4_089_184_256);
  assert.equal(byName.vgg16!.macs, 15_470_264_320);
  assert.equal(byName.alexnet!.macs, 714_188_480);
  assert.equal(byName.mobilenetv2!.macs, 300_774_272);
  assert.equal(byName['bert-base']!.macs, 11_173_625_856);
  for (const n of nets) {
    assert.deepEqual(Object.keys(n), ['name', 'macs', 'layers']);
    let macs = 0;
    for (const l of n.layers) {
      assert.deepEqual(Object.keys(l), LAYER_KEYS);
      for (const k of LAYER_KEYS.slice(2)) assert.equal(typeof l[k], 'number', `${n.name} ${String(l.name)} ${k}`);
      assert.ok(l.op === 'Conv' || l.op === 'Gemm', `${n.name} ${String(l.name)} op`);
      const v = l as Record<string, number>;
      macs += v.N! * v.K! * (v.C! / v.groups!) * v.P! * v.Q! * v.R! * v.S! * v.repeat!;
    }
    assert.equal(macs, n.macs, n.name);
  }
  assert.deepEqual(byName.resnet18!.layers[0], {
    name: 'resnet18_conv1',
    op: 'Conv',
    N: 1,
    K: 64,
    C: 3,
    P: 112,
    Q: 112,
    R: 7,
    S: 7,
    Hstride: 2,
    Wstride: 2,
    groups: 1,
    repeat: 1,
  });
});

test('networks --network alias --batch --seq-len', async () => {
  const r = await run(['networks', '--json', '--network', 'BERT_base', '--batch', '2', '--seq-len', '384']);
  assert.equal(r.code, 0, r.err);
  const nets = JSON.parse(r.out) as JsonNet[];
  assert.equal(nets.length, 1);
  assert.equal(nets[0]!.name, 'bert-base');
  assert.equal(nets[0]!.macs, 2 * 35_332_816_896);
  assert.equal(nets[0]!.macs, networkMacs(getNetwork('bert', { batch: 2, seqLen: 384 })));
  const r2 = await run(['networks', '--json', '--network', 'resnet-18', '--batch', '2']);
  assert.equal((JSON.parse(r2.out) as JsonNet[])[0]!.macs, 2 * 1_814_073_344);
});

test('networks plain text: a table per network with a total line', async () => {
  const r = await run(['networks', '--network', 'ResNet18']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^resnet18: /);
  assert.match(r.out, /resnet18_layer1_conv3x3 +N1 K64 C64 P56 Q56 R3 S3 \/1 +4 +462,422,016/);
  assert.match(r.out, /total: 1\.814 G MACs \(1,814,073,344; 12 shapes, 21 layers\)/);
  const all = await run(['networks']);
  for (const n of listNetworks()) assert.match(all.out, new RegExp(`^${n}: `, 'm'));
  assert.match(all.out, /mbv2_b1_dw3x3_s2 +N1 K96 C96 P56 Q56 R3 S3 \/2 dw/);
  assert.equal(all.out.match(/total: /g)?.length, listNetworks().length);
});

test('bad --batch, --seq-len or --network -> one line on stderr, exit 2', async () => {
  const cases: [string[], string][] = [
    [['--batch', '0'], 'codesign: --batch: batch: expected a positive integer, got "0"\n'],
    [['--batch', 'two'], 'codesign: --batch: batch: expected a positive integer, got "two"\n'],
    [['--seq-len', '1.5'], 'codesign: --seq-len: seqLen: expected a positive integer, got "1.5"\n'],
  ];
  for (const [args, msg] of cases) {
    const r = await run(['networks', ...args]);
    assert.deepEqual([r.code, r.out, r.err], [2, '', msg], args.join(' '));
  }
  const r = await run(['networks', '--network', 'lenet']);
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    /^codesign: --network: network: expected one of resnet18, resnet50, vgg16, alexnet, mobilenetv2, bert-base, vit-b16, mobilevit-s, got "lenet"\n$/,
  );
});

test('the real entry point prints the JSON and exits 0', () => {
  const mainTs = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  const p = spawnSync(process.execPath, ['--import', 'tsx', mainTs, 'networks', '--json', '--network', 'alexnet'], { encoding: 'utf8' });
  assert.equal(p.status, 0, p.stderr);
  const nets = JSON.parse(p.stdout) as JsonNet[];
  assert.deepEqual([nets.length, nets[0]!.name, nets[0]!.macs], [1, 'alexnet', 714_188_480]);
  const help = spawnSync(process.execPath, ['--import', 'tsx', mainTs, 'networks', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Examples:\n {2}\$ codesign networks/);
});
