/** Shared CLI input resolution: --arch as a file or a preset, constraints, networks. */
import { existsSync } from 'node:fs';
import { InputError, show } from '../errors.js';
import type { Accelerator } from '../hardware/accelerator.js';
import { getPreset, isPreset, presetNames } from '../hardware/presets.js';
import { withMissingCostsFitted } from '../hardware/template.js';
import type { Constraints } from '../mapping/constraints.js';
import { buildAccelerator } from '../timeloop/arch.js';
import { loadAccelerator, loadConstraints, readInput } from '../timeloop/files.js';
import type { Problem } from '../workload/layer.js';
import { positiveInt, selectLayers, type Network, type NetworkOptions } from '../workload/networks.js';
import { resolveNetwork } from '../workload/onnx/network.js';
import { parseInputShapes } from '../workload/onnx/load.js';
import { printWarnings } from './stderr.js';

/** --arch: a file, or a preset name when no such file exists. Returns the accelerator and warnings worth printing. */
/**
 * --arch (a file or a preset name) with --ert/--art. A file without its ERT (ART) takes every energy (area) from the
 * fitted cost model with a warning, as pareto does; `fitCosts: false` (check, which needs no costs) leaves them 0.
 */
export function resolveArch(
  opts: { arch: string; ert?: string; art?: string },
  { fitCosts = true }: { fitCosts?: boolean } = {},
): { arch: Accelerator; warnings: string[] } {
  if (!existsSync(opts.arch) && isPreset(opts.arch)) {
    const preset = getPreset(opts.arch);
    if (!opts.ert && !opts.art) return { arch: preset.arch, warnings: [] };
    // the preset's architecture with the given ERT/ART (the preset's own for the one not given)
    const r = buildAccelerator({
      arch: { text: preset.files.arch, file: `<preset ${preset.name}>/arch.yaml` },
      ert: opts.ert ? readInput(opts.ert, 'ERT') : { text: preset.files.ert, file: `<preset ${preset.name}>/ERT.yaml` },
      art: opts.art ? readInput(opts.art, 'ART') : { text: preset.files.art, file: `<preset ${preset.name}>/ART.yaml` },
      name: preset.name,
    });
    r.arch.levels.forEach((l, i) => (l.hardwareKeep = preset.arch.levels[i]!.hardwareKeep));
    return r;
  }
  if (!existsSync(opts.arch)) {
    throw new InputError(opts.arch, 'file', `an existing file or a preset name (${presetNames().join(', ')})`, 'no such file');
  }
  const paths: { arch: string; ert?: string; art?: string } = { arch: opts.arch };
  if (opts.ert) paths.ert = opts.ert;
  if (opts.art) paths.art = opts.art;
  const r = loadAccelerator(paths);
  if (fitCosts) return withMissingCostsFitted(r, { ert: opts.ert !== undefined, art: opts.art !== undefined });
  return { arch: r.arch, warnings: r.warnings.filter((w) => !w.startsWith('no ERT given') && !w.startsWith('no ART given')) };
}

/**
 * The constraints a search or a default mapping honours: --constraints if given, else the preset's own (its depthwise
 * variant for depthwise layers), else none. `--no-constraints` turns them off.
 */
export function resolveConstraints(opts: { arch: string; constraints?: string | boolean }): (problem: Problem) => Constraints | null {
  if (opts.constraints === false) return () => null;
  if (typeof opts.constraints === 'string') {
    const c = loadConstraints(opts.constraints);
    return () => c;
  }
  if (!existsSync(opts.arch) && isPreset(opts.arch)) {
    const preset = getPreset(opts.arch);
    return (p) => (p.depthwise ? preset.depthwiseConstraints : preset.constraints);
  }
  return () => null;
}

/** A plain decimal number ("16", "0.5", "2e3"); `Number()` alone would also take "0x10", "0b1", "" and " ". */
const DECIMAL = /^\s*[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/** The positive finite number `v` spells in decimal, else null. */
export function positiveDecimal(v: string): number | null {
  const n = DECIMAL.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n : null;
}

/** A positive decimal number, or an InputError naming the flag and what was expected. */
export function parsePositive(v: string, flag: string, expected: string): number {
  return positiveDecimal(v) ?? failFlag(flag, expected, v);
}

function failFlag(flag: string, expected: string, v: string): never {
  throw new InputError(flag, flag.replace(/^--/, ''), expected, show(v));
}

/** --seed: a non-negative integer (the same seed gives the same result). */
export function parseSeed(v: string): number {
  const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new InputError('--seed', 'seed', 'a non-negative integer', show(v));
  return n;
}

/** Commander collector for a repeatable flag (`--input-shape a=1,3 --input-shape b=1,8`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The help text of --input-shape, shared by every command that takes --network. */
export const INPUT_SHAPE_HELP = 'with an ONNX --network: the static shape of a graph input, NAME=D1,D2,... (repeatable; needed for dynamic dims)';

/**
 * --network NAME (a built-in or a .onnx file) with --batch, --seq-len, --input-shape and --layers, validated.
 * An ONNX model's warnings (unsupported MAC-carrying ops) go to stderr as one line.
 */
export function loadNetwork(opts: {
  network: string;
  batch?: string | undefined;
  seqLen?: string | undefined;
  layers?: string | undefined;
  inputShape?: string[] | undefined;
}): Network {
  const netOpts: NetworkOptions = {};
  if (opts.batch !== undefined) netOpts.batch = positiveInt('--batch', 'batch', opts.batch);
  if (opts.seqLen !== undefined) netOpts.seqLen = positiveInt('--seq-len', 'seq-len', opts.seqLen);
  if (opts.inputShape !== undefined) netOpts.inputShapes = parseInputShapes(opts.inputShape);
  const net = resolveNetwork(opts.network, netOpts);
  printWarnings(net.warnings ?? []);
  return selectLayers(net, opts.layers);
}

/**
 * Options that only mean something together with another (`--batch` with `--network`) or that exclude each other
 * (files with `--network`): refuse instead of silently ignoring one. `given` maps each flag to its value.
 */
export function refuseFlags(given: Record<string, unknown>, why: string): void {
  const set = Object.entries(given).filter(([, v]) => v !== undefined && v !== false);
  if (set.length > 0) throw new InputError('command line', set.map(([k]) => k).join(', '), why, 'given');
}
