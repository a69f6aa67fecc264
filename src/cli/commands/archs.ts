import type { Command } from 'commander';
import { acceleratorArea } from '../../hardware/accelerator.js';
import { prepareOutputDir } from '../out-dir.js';
import { exportPreset, getPreset, listPresets, type Preset } from '../../hardware/presets.js';

interface ArchsOpts {
  json?: boolean;
  export?: string;
}

const bw = (v: number | null): string => (v === null ? '-' : String(v));

function table(p: Preset): string {
  const a = p.arch;
  const head = ['level', 'instances', 'mesh', 'capacity (words)', 'word bits', 'block', 'keeps', 'read/write bw (words/cycle)'];
  const rows = [...a.levels]
    .reverse()
    .map((l) => [
      l.name,
      String(l.instances),
      `${l.meshX}x${l.meshY}`,
      l.capacityWords === null ? 'unbounded' : String(l.capacityWords),
      String(l.wordBits),
      String(l.blockSize),
      l.hardwareKeep ? l.hardwareKeep.join(', ') : 'any',
      `${bw(l.readBandwidth)}/${bw(l.writeBandwidth)}`,
    ]);
  const right = new Set([1, 3, 4, 5]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => (right.has(i) ? c.padStart(w[i]!) : c.padEnd(w[i]!)))
      .join('  ')
      .trimEnd();
  return [
    `${p.name}: ${p.description}`,
    `  ${a.mac.instances} MACs (${a.mac.meshX} x ${a.mac.meshY} ${a.mac.className}, ${a.mac.datawidth}-bit), area ${(acceleratorArea(a) / 1e6).toFixed(3)} mm^2, clock ${a.clockGHz} GHz`,
    ...[head, ...rows].map((r) => `  ${line(r)}`),
  ].join('\n');
}

function toJson(p: Preset) {
  const a = p.arch;
  return {
    name: p.name,
    description: p.description,
    macs: a.mac.instances,
    meshX: a.mac.meshX,
    meshY: a.mac.meshY,
    areaMm2: acceleratorArea(a) / 1e6,
    clockGHz: a.clockGHz,
    levels: a.levels.map((l) => ({
      name: l.name,
      instances: l.instances,
      meshX: l.meshX,
      meshY: l.meshY,
      capacityWords: l.capacityWords,
      wordBits: l.wordBits,
      blockSize: l.blockSize,
      keeps: l.hardwareKeep,
      readBandwidth: l.readBandwidth,
      writeBandwidth: l.writeBandwidth,
    })),
  };
}

export function registerArchs(program: Command): void {
  program
    .command('archs')
    .description('List the built-in accelerator presets (Timeloop reference architectures), or export one as Timeloop files')
    .argument('[dir]', 'with --export: the folder to write to (default: ./<name>)')
    .option('--json', 'print one JSON array [{name, description, macs, meshX, meshY, areaMm2, clockGHz, levels (innermost first)}]')
    .option('--export <name>', "write the preset's arch.yaml, ERT.yaml, ART.yaml, constraints.yaml and constraints.depthwise.yaml to DIR")
    .addHelpText(
      'after',
      [
        '',
        `Presets: ${listPresets()
          .map((p) => p.name)
          .join(', ')} (underscores work too, e.g. eyeriss_like).`,
        'Levels are listed outermost first; "keeps" is what a dedicated buffer can hold ("any" = the mapping chooses).',
        'Capacities are in words of "word bits"; bandwidths in words per cycle per instance (- = unlimited).',
        '',
        'Examples:',
        '  $ codesign archs',
        '  $ codesign archs --json',
        '  $ codesign archs --export eyeriss-like ./eyeriss',
        '  $ timeloop-model ./eyeriss/arch.yaml problem.yaml map.yaml ./eyeriss/ERT.yaml ./eyeriss/ART.yaml',
      ].join('\n'),
    )
    .action(async (dir: string | undefined, opts: ArchsOpts) => {
      if (opts.export !== undefined) {
        const p = getPreset(opts.export);
        const written = await exportPreset(p.name, prepareOutputDir(dir ?? p.name, 'archs --export DIR'));
        process.stdout.write(opts.json ? `${JSON.stringify(written)}\n` : `${written.join('\n')}\n`);
        return;
      }
      const presets = listPresets().map((p) => getPreset(p.name));
      process.stdout.write(opts.json ? `${JSON.stringify(presets.map(toJson))}\n` : `${presets.map(table).join('\n\n')}\n`);
    });
}
