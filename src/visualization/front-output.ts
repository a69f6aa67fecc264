/** Writes what `codesign pareto --out DIR` produces (the files themselves come from ./front-files.js). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Constraints } from '../mapping/constraints.js';
import type { HardwareEvaluator } from '../coopt/hardware-eval.js';
import type { SweepResult } from '../coopt/sweep.js';
import type { Problem } from '../workload/layer.js';
import type { FrontJson } from './front.js';
import { buildFronts, type FrontPart } from './front-files.js';

export { exactPoint, frontCsv, buildFront, buildFronts, type ExactPoint, type FrontPart } from './front-files.js';

/** Build front.json from a sweep (exact re-evaluation of every point) and write everything under `dir`. */
export async function writeFront(
  dir: string,
  sweep: SweepResult,
  ev: Pick<HardwareEvaluator, 'problems' | 'template'>,
  constraintsFor: (p: Problem) => Constraints | null,
  opts: { network: string },
): Promise<FrontJson> {
  return writeFronts(dir, [{ sweep, template: ev.template, datawidth: null }], constraintsFor, opts);
}

/** front.json from one or more sweeps (one per datawidth, see buildFronts), and every file of it under `dir`. */
export async function writeFronts(
  dir: string,
  parts: readonly FrontPart[],
  constraintsFor: (p: Problem) => Constraints | null,
  opts: { network: string; template?: string },
): Promise<FrontJson> {
  const { front, files } = await buildFronts(parts, constraintsFor, opts);
  mkdirSync(dir, { recursive: true });
  for (const [rel, text] of files) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text, 'utf8');
  }
  return front;
}
