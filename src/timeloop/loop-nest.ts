/** Print a mapping as a loop nest, the way timeloop-model's map.txt does (outermost level first). */
import type { Accelerator } from '../hardware/accelerator.js';
import { tileWords } from '../mapping/check.js';
import type { Mapping } from '../mapping/mapping.js';
import { DATASPACES, type Problem } from '../workload/layer.js';

/**
 * Each storage level, outermost first: `name [ Weights:tile Inputs:tile ... ]` listing the dataspaces it keeps with
 * their tile sizes in words, then its non-unit temporal loops (outermost first) and the spatial loops of its fanout,
 * e.g. `for Q in [0:11) (Spatial-X)`. Loops are indented by nesting depth, and the nest ends with `<< Compute >>`.
 */
export function formatLoopNest(problem: Problem, arch: Accelerator, mapping: Mapping): string {
  const lines: string[] = [];
  let depth = 0;
  for (let s = arch.levels.length - 1; s >= 0; s--) {
    const level = arch.levels[s]!;
    const lm = mapping.levels[s]!;
    const tw = tileWords(problem, mapping, s);
    const kept = DATASPACES.filter((ds) => lm.keep[ds]).map((ds) => `${ds}:${tw[ds]}`);
    const header = `${level.name} [ ${kept.join(' ')}${kept.length > 0 ? ' ' : ''}]`;
    lines.push(header, '-'.repeat(header.length));
    const loops: string[] = [];
    for (const d of [...lm.permutation].reverse()) {
      if (lm.temporal[d] > 1) loops.push(`for ${d} in [0:${lm.temporal[d]})`);
    }
    const sp = lm.spatialPermutation.map((d, i) => ({ d, x: i < lm.split }));
    for (const { d, x } of sp.reverse()) {
      if (lm.spatial[d] > 1) loops.push(`for ${d} in [0:${lm.spatial[d]}) (Spatial-${x ? 'X' : 'Y'})`);
    }
    if (loops.length === 0) loops.push('for N in [0:1)');
    for (const l of loops) lines.push(`|${' '.repeat(1 + 2 * depth++)}${l}`);
    lines.push('');
  }
  lines.push(`|${' '.repeat(1 + 2 * depth)}<< Compute >>`);
  return lines.join('\n') + '\n';
}
