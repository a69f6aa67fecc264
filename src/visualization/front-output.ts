/** Writes what `codesign pareto --out DIR` produces (the files themselves come from ./front-files.js). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Constraints } from '../mapping/constraints.js';
import type { HardwareEvaluator } from '../coopt/hardware-eval.js';
import type { SweepResult } from '../coopt/sweep.js';
import type { Problem } from '../workload/layer.js';
import type { FrontJson } from './front.js';
import { buildFront } from './front-files.js';

export { exactPoint, frontCsv, buildFront, type ExactPoint } from './front-files.js';

/** Build front.json from a sweep (exact re-evaluation of every point) and write everything under `dir`. */
export async function writeFront(
  dir: string,
  sweep: SweepResult,
  ev: Pick<HardwareEvaluator, 'problems' | 'template'>,
  constraintsFor: (p: Problem) => Constraints | null,
  opts: { network: string },
): Promise<FrontJson> {
  const { front, files } = await buildFront(sweep, ev, constraintsFor, opts);
  mkdirSync(dir, { recursive: true });
  for (const [rel, text] of files) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text, 'utf8');
  }
  return front;
}
