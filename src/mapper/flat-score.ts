/**
 * Search points straight into the fast kernel's flat layout (`src/model/fast/kernel.ts`): no Mapping object per
 * candidate. Only a point that may have inter-PE link transfers (a cheap test on the flat arrays) is realized as a
 * Mapping, for the link simulation.
 */
import { layoutOf, realize, type MapSpace, type Point } from '../mapping/mapspace.js';
import { NDIM, NDS } from '../model/encode.js';
import { assertRepresentable, DIM_INDEX, flatBuffers, newResults, type FastMetrics } from '../model/fast/evaluate-fast.js';
import { evalCandidate, mayLink } from '../model/fast/kernel.js';
import { specFor, type LayerSpec } from '../model/fast/spec.js';
import { linkOverrides } from '../model/links.js';

const { nT, nS, perm, keep } = flatBuffers();
const checked = new WeakSet<LayerSpec>();

function flattenPoint(space: MapSpace, p: Point): void {
  const lay = layoutOf(space);
  const L = lay.levelSlots.length;
  nT.fill(1, 0, L * NDIM);
  nS.fill(1, 0, L * NDIM);
  for (let s = 0; s < L; s++) {
    const base = s * NDIM;
    for (const i of lay.levelSlots[s]!) {
      const row = p.f[i]!;
      const into = lay.kind[i] === 'T' ? nT : nS;
      for (let j = 0; j < NDIM; j++) into[base + j]! *= row[j]!;
    }
    const order = p.perm[s]!;
    for (let x = 0; x < NDIM; x++) perm[base + x] = DIM_INDEX.get(order[x]!)!;
    const k = p.keep[s]!;
    for (let d = 0; d < NDS; d++) keep[s * NDS + d] = k[d] ? 1 : 0;
  }
}

/** Exact cycles, energy (pJ), power (mW) and area (um^2) of points of any spaces. */
export function scorePoints(items: readonly { space: MapSpace; point: Point }[]): FastMetrics {
  const out = newResults(items.length);
  for (let b = 0; b < items.length; b++) {
    const { space, point } = items[b]!;
    const sp = specFor(space.problem, space.arch);
    if (!checked.has(sp)) {
      assertRepresentable(sp, space.problem.name);
      checked.add(sp);
    }
    flattenPoint(space, point);
    const links = mayLink(sp, nT, nS, perm, keep, 0)
      ? linkOverrides({ problem: space.problem, arch: space.arch, mapping: realize(space, point) })
      : null;
    evalCandidate(sp, nT, nS, perm, keep, 0, out, b, links, null);
  }
  return out;
}
