import { DATASPACES, DIMS, type Dim } from '../workload/layer.js';
import { fanoutBelow } from '../hardware/accelerator.js';
import { tf } from './backend.js';
import { NDS, type Candidate, type EncodedBatch } from './encode.js';
import type { LinkAdjust } from './formulate.js';
import type { CandidateLinks } from './fast/links-flat.js';

export type { CandidateLinks };

/**
 * Inter-PE link transfers (TIMELOOP-SEMANTICS §8). A child whose next delta box is the box a mesh neighbour held at
 * the previous step receives it over a link instead of from the parent. This needs per-child box comparisons, so it
 * runs in plain JS, outside the batched tensor path, and only for the few candidates a cheap test flags: a step
 * whose translation equals the offset between two neighbouring children (boxes of equal extent).
 * The results enter the tensor model as overrides of the parent's content accesses and the child's fills and peer
 * accesses, so energy and cycles still come from the one formulation.
 */

interface Loop {
  dim: Dim;
  n: number;
  stride: number;
}

type Vec = number[];

/** The data axes of a read-only dataspace: each a list of (dim, coefficient). */
function axes(c: Candidate, ds: 'Weights' | 'Inputs'): [Dim, number][][] {
  const p = c.problem;
  if (ds === 'Weights') return p.depthwise ? [[['C', 1]], [], [['R', 1]], [['S', 1]]] : [[['C', 1]], [['K', 1]], [['R', 1]], [['S', 1]]];
  return [
    [['N', 1]],
    [['C', 1]],
    [
      ['P', p.Wstride],
      ['R', p.Wdilation],
    ],
    [
      ['Q', p.Hstride],
      ['S', p.Hdilation],
    ],
  ];
}

function project(ax: [Dim, number][][], move: Partial<Record<Dim, number>>): Vec {
  return ax.map((terms) => terms.reduce((v, [d, k]) => v + k * (move[d] ?? 0), 0));
}

const isZero = (v: Vec) => v.every((x) => x === 0);
const same = (a: Vec, b: Vec) => a.every((x, i) => x === b[i]);

interface Box {
  lo: Vec;
  len: Vec;
}

function volume(b: Box | null): number {
  return b ? b.len.reduce((m, x) => m * x, 1) : 0;
}

/**
 * The delta box of a step that lands at `origin` after translating by `tau`, with the §3.1 classification:
 * nothing when the tile did not move and the step repeats the first translation; a halo strip when exactly one axis
 * moved by less than the extent and the step repeats the first translation; otherwise the whole tile.
 */
function deltaBox(tau: Vec, tau1: Vec, E: Vec, origin: Vec): Box | null {
  const repeats = same(tau, tau1);
  const moving = tau.map((x, a) => (x !== 0 ? a : -1)).filter((a) => a >= 0);
  if (repeats && moving.length === 0) return null;
  if (repeats && moving.length === 1) {
    const a = moving[0]!;
    const t = tau[a]!;
    if (Math.abs(t) < E[a]!) {
      const lo = [...origin];
      const len = [...E];
      lo[a] = t > 0 ? origin[a]! - t + E[a]! : origin[a]!;
      len[a] = Math.abs(t);
      return { lo, len };
    }
  }
  return { lo: [...origin], len: [...E] };
}

interface LevelLoops {
  temporal: Loop[];
  spatial: (Loop & { x: boolean })[];
}

/** The loop nest of one candidate, per level, with each loop's stride (product of inner loops of its dim). */
function loopNest(c: Candidate): LevelLoops[] {
  const inner: Record<Dim, number> = { R: 1, S: 1, P: 1, Q: 1, C: 1, K: 1, N: 1 };
  return c.mapping.levels.map((lm) => {
    const spatial = lm.spatialPermutation
      .map((dim, i) => ({ dim, n: lm.spatial[dim], x: i < lm.split }))
      .filter((l) => l.n > 1)
      .map((l) => {
        const loop = { ...l, stride: inner[l.dim] };
        inner[l.dim] *= l.n;
        return loop;
      });
    const temporal = lm.permutation
      .filter((d) => lm.temporal[d] > 1)
      .map((dim) => {
        const loop = { dim, n: lm.temporal[dim], stride: inner[dim] };
        inner[dim] *= loop.n;
        return loop;
      });
    return { temporal, spatial };
  });
}

interface Children {
  offsets: Vec[];
  neighbours: number[][];
  groups: number;
}

function children(c: Candidate, s: number, loops: LevelLoops, ax: [Dim, number][][]): Children {
  const sp = loops.spatial; // innermost first, X before Y
  const F = sp.reduce((m, l) => m * l.n, 1);
  const offsets: Vec[] = [];
  for (let lin = 0; lin < F; lin++) {
    let r = lin;
    const move: Partial<Record<Dim, number>> = {};
    for (const l of sp) {
      move[l.dim] = (move[l.dim] ?? 0) + (r % l.n) * l.stride;
      r = Math.floor(r / l.n);
    }
    offsets.push(project(ax, move));
  }
  const phys = fanoutBelow(c.arch, s);
  const xExtent = sp.filter((l) => l.x).reduce((m, l) => m * l.n, 1);
  const hSize = Math.max(phys.x, xExtent);
  const neighbours = offsets.map((_, lin) => {
    const h = lin % hSize;
    const out: number[] = [];
    if (h + 1 < hSize && lin + 1 < F) out.push(lin + 1);
    if (h > 0) out.push(lin - 1);
    if (lin + hSize < F) out.push(lin + hSize);
    if (lin - hSize >= 0) out.push(lin - hSize);
    return out;
  });
  const groups = new Set(offsets.map((o) => o.join(','))).size;
  return { offsets, neighbours, groups };
}

interface Step {
  weight: number;
  prev: Box | null;
  cur: Box | null;
}

/** The evaluated step classes of §8 for the child tile below `s` (temporal loops above the child, innermost first). */
function steps(above: Loop[], ax: [Dim, number][][], E: Vec): Step[] {
  const zero = E.map(() => 0);
  if (above.length === 0) return [];
  const taus = above.map((l, k) => {
    const move: Partial<Record<Dim, number>> = {};
    move[l.dim] = (move[l.dim] ?? 0) + l.stride;
    for (let j = 0; j < k; j++) move[above[j]!.dim] = (move[above[j]!.dim] ?? 0) - above[j]!.stride;
    return project(ax, move);
  });
  const tau1 = taus[0]!;
  const n1 = above[0]!.n;
  const outerProduct = (k: number) => above.slice(k + 1).reduce((m, l) => m * l.n, 1);
  const full0: Box = { lo: zero, len: E };
  const box1At = (origin: Vec) => deltaBox(tau1, tau1, E, origin);
  const out: Step[] = [{ weight: n1 - 1, prev: full0, cur: box1At(tau1) }];
  for (let k = 1; k < above.length; k++) {
    const wk = (above[k]!.n - 1) * outerProduct(k);
    const prev1 = deltaBox(tau1, tau1, E, zero);
    out.push({ weight: wk, prev: prev1, cur: deltaBox(taus[k]!, tau1, E, taus[k]!) });
    out.push({ weight: (n1 - 1) * wk, prev: deltaBox(taus[k]!, tau1, E, zero), cur: box1At(tau1) });
  }
  return out;
}

const sameBox = (a: Box, b: Box, shiftA: Vec, shiftB: Vec) =>
  a.lo.every((x, i) => x + shiftA[i]! === b.lo[i]! + shiftB[i]!) && a.len.every((x, i) => x === b.len[i]);

/**
 * Cheap necessary condition: a link needs a step whose translation lies entirely along axes that the level's spatial
 * loops spread the children over (otherwise no neighbour offset can equal it).
 */
function someStepMovesAlong(above: Loop[], ax: [Dim, number][][], spatial: Loop[]): boolean {
  const spread = ax.map((terms) => terms.some(([d]) => spatial.some((l) => l.dim === d)));
  const acc = ax.map(() => 0);
  for (const loop of above) {
    let ok = false;
    let moves = false;
    for (let a = 0; a < ax.length; a++) {
      let own = 0;
      for (const [d, k] of ax[a]!) if (d === loop.dim) own += k * loop.stride;
      const t = own - acc[a]!;
      if (t !== 0) {
        moves = true;
        if (!spread[a]) {
          ok = false;
          break;
        }
        ok = true;
      }
    }
    if (moves && ok) return true;
    for (let a = 0; a < ax.length; a++) for (const [d, k] of ax[a]!) if (d === loop.dim) acc[a] += k * loop.stride;
  }
  return false;
}

/** Same-extent step pairs: the translation from the previous box to the current one. */
function displacements(st: Step[]): Vec[] {
  const out: Vec[] = [];
  for (const s of st) {
    if (!s.prev || !s.cur || s.weight === 0) continue;
    if (!s.prev.len.every((x, a) => x === s.cur!.len[a])) continue;
    const d = s.cur.lo.map((x, a) => x - s.prev!.lo[a]!);
    if (!isZero(d)) out.push(d);
  }
  return out;
}

/** Distinct offset differences between mesh neighbours (cached: many candidates share a level's spatial loops). */
const neighbourDiffCache = new Map<string, Set<string>>();
function neighbourDiffs(key: string, ch: () => Children): Set<string> {
  let set = neighbourDiffCache.get(key);
  if (!set) {
    const c = ch();
    set = new Set<string>();
    c.offsets.forEach((o, i) => c.neighbours[i]!.forEach((j) => set!.add(c.offsets[j]!.map((x, a) => x - o[a]!).join(','))));
    if (neighbourDiffCache.size > 50000) neighbourDiffCache.clear();
    neighbourDiffCache.set(key, set);
  }
  return set;
}

interface LinkResult {
  ca: number;
  pas: number;
  linkTransfers: number;
}

function simulate(st: Step[], ch: Children, tileWords: number): LinkResult {
  const F = ch.offsets.length;
  let ca = ch.groups * tileWords;
  let pas = tileWords;
  let lt = 0;
  for (const s of st) {
    const size = volume(s.cur);
    if (!s.cur || size === 0 || s.weight === 0) continue;
    const linked = ch.offsets.map((o, i) => !!s.prev && ch.neighbours[i]!.some((j) => sameBox(s.cur!, s.prev!, o, ch.offsets[j]!)));
    const nLinked = linked.filter(Boolean).length;
    const rest = new Set(ch.offsets.filter((_, i) => !linked[i]).map((o) => o.join(','))).size;
    if (nLinked > 0 && rest * size < ch.groups * size) {
      ca += s.weight * rest * size;
      lt += s.weight * nLinked * size;
      pas += (s.weight * size * (F - nLinked)) / F;
    } else {
      ca += s.weight * ch.groups * size;
      pas += s.weight * size;
    }
  }
  return { ca, pas, linkTransfers: lt };
}

export interface LinkInfo {
  /** per candidate index: level (storage index, unpadded) and dataspace with link transfers per parent instance */
  transfers: { cand: number; level: number; dataspace: 'Weights' | 'Inputs'; linkTransfers: number }[];
  tensors: () => LinkAdjust;
}

/**
 * The link-transfer overrides of one candidate, or null when it has none (the common case, decided cheaply). The
 * reference for the tensor path and for the fast path's flat twin (`fast/links-flat.ts`).
 */
export function linkOverrides(c: Candidate): CandidateLinks[] | null {
  const levels = c.mapping.levels;
  if (!levels.some((l, s) => s > 0 && DIMS.some((d) => l.spatial[d] > 1))) return null;
  let found: CandidateLinks[] | null = null;
  const nest = loopNest(c);
  for (let s = 1; s < levels.length; s++) {
    if (nest[s]!.spatial.length === 0) continue;
    for (const ds of ['Weights', 'Inputs'] as const) {
      if (!levels[s - 1]!.keep[ds]) continue;
      const ax = axes(c, ds);
      const sp = nest[s]!.spatial;
      // only loops that move this dataspace's data give children different offsets
      if (!sp.some((l) => ax.some((terms) => terms.some(([d]) => d === l.dim)))) continue;
      const extent: Record<Dim, number> = { R: 1, S: 1, P: 1, Q: 1, C: 1, K: 1, N: 1 };
      for (let r = 0; r < s; r++) for (const d of DIMS) extent[d] *= levels[r]!.temporal[d] * levels[r]!.spatial[d];
      const E = ax.map((terms) => terms.reduce((v, [d, k]) => v + k * (extent[d] - 1), 0) + 1);
      const above = nest.slice(s).flatMap((l) => l.temporal);
      if (!someStepMovesAlong(above, ax, sp)) continue;
      const st = steps(above, ax, E);
      const disp = displacements(st);
      if (disp.length === 0) continue;
      const phys = fanoutBelow(c.arch, s);
      const key = `${ds}|${phys.x}|${JSON.stringify(ax)}|${sp.map((l) => `${l.dim}${l.n}:${l.stride}${l.x ? 'x' : 'y'}`).join(',')}`;
      let ch: Children | null = null;
      const getChildren = () => (ch ??= children(c, s, nest[s]!, ax));
      const diffs = neighbourDiffs(key, getChildren);
      if (!disp.some((d) => diffs.has(d.join(',')))) continue;
      const tileWords = E.reduce((m, x) => m * x, 1);
      const kids = getChildren();
      const r = simulate(st, kids, tileWords);
      if (r.linkTransfers > 0) {
        (found ??= []).push({
          s,
          d: DATASPACES.indexOf(ds),
          ca: r.ca,
          pas: r.pas,
          peer: r.linkTransfers / kids.offsets.length,
          dataspace: ds,
          linkTransfers: r.linkTransfers,
        });
      }
    }
  }
  return found;
}

/** Link-transfer overrides for a batch as tensors for the tensor formulation, or null when no candidate has any. */
export function linkAdjustments(cands: readonly Candidate[], batch: EncodedBatch): LinkInfo | null {
  const { B, S } = batch;
  const found: { b: number; lk: CandidateLinks }[] = [];
  cands.forEach((c, b) => linkOverrides(c)?.forEach((lk) => found.push({ b, lk })));
  if (found.length === 0) return null;
  return {
    transfers: found.map(({ b, lk }) => ({ cand: b, level: lk.s, dataspace: lk.dataspace, linkTransfers: lk.linkTransfers })),
    tensors: () => {
      const z = () => new Float32Array(B * S * NDS);
      const mask = z();
      const ca = z();
      const peer = z();
      const childMask = z();
      const pas = z();
      for (const { b, lk } of found) {
        const pad = batch.pad[b]!;
        const parent = (b * S + lk.s + pad) * NDS + lk.d;
        const child = (b * S + lk.s - 1 + pad) * NDS + lk.d;
        mask[parent] = 1;
        ca[parent] = lk.ca;
        childMask[child] = 1;
        pas[child] = lk.pas;
        peer[child] = lk.peer;
      }
      const t = (v: Float32Array) => tf.tensor3d(v, [B, S, NDS]);
      return { mask: t(mask), ca: t(ca), peer: t(peer), childMask: t(childMask), pas: t(pas) };
    },
  };
}
