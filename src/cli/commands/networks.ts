import type { Command } from 'commander';
import type { ConvLayer } from '../../workload/layer.js';
import { layerMacs } from '../../workload/layer.js';
import { getNetwork, isOnnxPath, listNetworks, networkMacs, positiveInt, resolveNetworkName, type Network } from '../../workload/networks.js';
import { collect, INPUT_SHAPE_HELP, loadNetwork } from '../inputs.js';

interface NetworksOpts {
  json?: boolean;
  batch?: string;
  seqLen?: string;
  network?: string;
  inputShape?: string[];
}

/** 1814073344 -> "1.814 G" */
export function formatMacs(macs: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  const [div, unit] = units.find(([d]) => macs >= d) ?? [1, ''];
  return unit ? `${(macs / div).toFixed(3)} ${unit}` : String(macs);
}

function shape(l: ConvLayer): string {
  const stride = l.Wstride === l.Hstride ? `${l.Wstride}` : `${l.Wstride}x${l.Hstride}`;
  const g = l.groups === 1 ? '' : l.groups === l.C && l.K === l.C ? ' dw' : ` g${l.groups}`;
  return `N${l.N} K${l.K} C${l.C} P${l.P} Q${l.Q} R${l.R} S${l.S} /${stride}${g}`;
}

function table(net: Network): string {
  const rows = net.layers.map((l) => [l.name, shape(l), String(l.repeat), (layerMacs(l) * l.repeat).toLocaleString('en-US')]);
  const head = ['layer', 'shape', 'repeat', 'MACs (all repeats)'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i >= 2 ? c.padStart(w[i]!) : c.padEnd(w[i]!)))
      .join('  ')
      .trimEnd();
  const macs = networkMacs(net);
  const occurrences = net.layers.reduce((s, l) => s + l.repeat, 0);
  return [
    `${net.name}: ${net.description}`,
    `  source: ${net.source}`,
    ...[head, ...rows].map((r) => `  ${line(r)}`),
    `  total: ${formatMacs(macs)} MACs (${macs.toLocaleString('en-US')}; ${net.layers.length} shapes, ${occurrences} layers)`,
  ].join('\n');
}

function toJson(net: Network) {
  return {
    name: net.name,
    macs: networkMacs(net),
    layers: net.layers.map((l) => ({
      name: l.name,
      op: l.op ?? 'Conv',
      N: l.N,
      K: l.K,
      C: l.C,
      P: l.P,
      Q: l.Q,
      R: l.R,
      S: l.S,
      Hstride: l.Hstride,
      Wstride: l.Wstride,
      groups: l.groups,
      repeat: l.repeat,
    })),
  };
}

export function registerNetworks(program: Command): void {
  program
    .command('networks')
    .description('List the built-in networks with their layer shapes and MAC counts')
    .option('--json', 'print one JSON array [{name, macs, layers: [{name, op, N, K, C, P, Q, R, S, Hstride, Wstride, groups, repeat}]}]')
    .option('--batch <n>', 'batch size, a positive integer (default 1)')
    .option('--seq-len <n>', 'sequence length of bert-base in tokens, a positive integer (default 128)')
    .option('--network <name>', `show only this network: ${listNetworks().join(', ')} (case, dashes and underscores ignored), or a .onnx file`)
    .option('--input-shape <NAME=DIMS>', INPUT_SHAPE_HELP, collect)
    .addHelpText(
      'after',
      [
        '',
        'Each row is one layer shape; "repeat" counts its occurrences and MACs count all of them.',
        'Shapes use Timeloop names: N batch, K output channels, C input channels, P/Q output width/height,',
        'R/S kernel width/height, /s stride, dw = depthwise. FC and GEMM layers are 1x1 convs (P = tokens for GEMMs).',
        '',
        'Examples:',
        '  $ codesign networks --network resnet-18',
        '  $ codesign networks --network bert-base --seq-len 384 --batch 2 --json',
        '  $ codesign networks --network model.onnx --input-shape input=1,3,224,224 --json',
      ].join('\n'),
    )
    .action((opts: NetworksOpts) => {
      if (opts.network !== undefined && (isOnnxPath(opts.network) || opts.inputShape !== undefined)) {
        const net = loadNetwork({ network: opts.network, batch: opts.batch, seqLen: opts.seqLen, inputShape: opts.inputShape });
        process.stdout.write(opts.json ? `${JSON.stringify([toJson(net)])}\n` : `${table(net)}\n`);
        return;
      }
      const batch = positiveInt('--batch', 'batch', opts.batch ?? 1);
      const seqLen = positiveInt('--seq-len', 'seqLen', opts.seqLen ?? 128);
      const names = opts.network !== undefined ? [resolveNetworkName(opts.network)] : listNetworks();
      const nets = names.map((n) => getNetwork(n, { batch, seqLen }));
      process.stdout.write(opts.json ? `${JSON.stringify(nets.map(toJson))}\n` : `${nets.map(table).join('\n\n')}\n`);
    });
}
