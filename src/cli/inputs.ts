/** Shared CLI input resolution: --arch as a file or a preset, constraints, networks. */
import { existsSync } from 'node:fs';
import { InputError, show } from '../errors.js';
import type { Accelerator } from '../hardware/accelerator.js';
import { getPreset, isPreset, presetNames } from '../hardware/presets.js';
import type { Constraints } from '../mapping/constraints.js';
import { buildAccelerator } from '../timeloop/arch.js';
import { loadAccelerator, loadConstraints, readInput } from '../timeloop/files.js';
import type { Problem } from '../workload/layer.js';
import { getNetwork, positiveInt, selectLayers, type Network } from '../workload/networks.js';

/** --arch: a file, or a preset name when no such file exists. Returns the accelerator and warnings worth printing. */
export function resolveArch(opts: { arch: string; ert?: string; art?: string }): { arch: Accelerator; warnings: string[] } {
  if (!existsSync(opts.arch) && isPreset(opts.arch)) {
    const preset = getPreset(opts.arch);
    if (!opts.ert && !opts.art) return { arch: preset.arch, warnings: [] };
    // the preset's architecture with the given ERT/ART (the preset's own for the one not given)
    const r = buildAccelerator({
      arch: { text: preset.files.arch, file: `<preset ${preset.name}>/arch.yaml` },
      ert: opts.ert ? readInput(opts.ert) : { text: preset.files.ert, file: `<preset ${preset.name}>/ERT.yaml` },
      art: opts.art ? readInput(opts.art) : { text: preset.files.art, file: `<preset ${preset.name}>/ART.yaml` },
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

/** --seed: a non-negative integer (the same seed gives the same result). */
export function parseSeed(v: string): number {
  const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new InputError('--seed', 'seed', 'a non-negative integer', show(v));
  return n;
}

/** --network NAME with --batch, --seq-len and --layers, validated. */
export function loadNetwork(opts: {
  network: string;
  batch?: string | undefined;
  seqLen?: string | undefined;
  layers?: string | undefined;
}): Network {
  const netOpts: { batch?: number; seqLen?: number } = {};
  if (opts.batch !== undefined) netOpts.batch = positiveInt('--batch', 'batch', opts.batch);
  if (opts.seqLen !== undefined) netOpts.seqLen = positiveInt('--seq-len', 'seq-len', opts.seqLen);
  return selectLayers(getNetwork(opts.network, netOpts), opts.layers);
}
