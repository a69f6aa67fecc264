/** What `codesign optimize --out DIR` writes: Timeloop files per layer, summary.json and a readable table. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OptimizeOutput } from '../mapper/optimize.js';
import type { Constraints } from '../mapping/constraints.js';
import type { Problem } from '../workload/layer.js';
import { optimizeOutputFiles } from './optimize-files.js';

export { summaryJson, optimizeOutputFiles, type Summary } from './optimize-files.js';

/** Writes the files of `optimizeOutputFiles` into DIR (see there), returning the paths written. */
export function writeOptimizeOutput(dir: string, out: OptimizeOutput, constraintsFor: (p: Problem) => Constraints | null): string[] {
  mkdirSync(dir, { recursive: true });
  return optimizeOutputFiles(out, constraintsFor).map(([name, text]) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  });
}
