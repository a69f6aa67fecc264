/**
 * The map space of one layer on one accelerator under Timeloop constraints, and a compact point representation the
 * searches move around in: each prime factor of each dim sits in a slot (level x temporal/spatial-X/spatial-Y), each
 * level has a temporal loop order, and free keep/bypass choices are bits. Constraints are honoured by construction:
 * fixed factors are pre-placed, forbidden slots never receive a prime, permutation prefixes are kept innermost and a
 * given spatial split fixes which dims go to X and which to Y. Capacity and fanout are checked by `fits`.
 */
import { fanoutBelow, type Accelerator } from '../hardware/accelerator.js';
import { DATASPACES, DIMS, type DataSpace, type Dim, type Problem } from '../workload/layer.js';
import { checkMapping, tileWordsOf, type Violation } from './check.js';
import type { ConstraintTarget, Constraints } from './constraints.js';
import { noFanoutSpatial, unitFactors, type LevelMapping, type Mapping } from './mapping.js';

export type SlotKind = 'T' | 'X' | 'Y';
export interface Slot {
  level: number;
  kind: SlotKind;
}

export interface MapSpace {
  problem: Problem;
  arch: Accelerator;
  constraints: Constraints | null;
  /** the problem's dims (no K for a depthwise layer) */
  dims: readonly Dim[];
  /** slots, level by level from the innermost: T, then X and Y where the level has a fanout */
  slots: Slot[];
  /** per dim: the prime factors left after fixed factors, largest first */
  primes: Record<Dim, number[]>;
  /** per dim, per slot: the factor a constraint pins there (1 = none) */
  fixed: Record<Dim, number[]>;
  /** per dim, per slot: may the slot receive free primes */
  allowed: Record<Dim, boolean[]>;
  /** per level: dims a constraint pins innermost (in order), and the dims left to order freely */
  permPrefix: Dim[][];
  permFree: Dim[][];
  /** per level: the spatial permutation and split a constraint gives, or null */
  spatialTemplate: ({ order: Dim[]; split: number | null; listed: number } | null)[];
  /** per level, per dataspace: keep fixed by the hardware or a constraint, or null when free */
  keepFixed: (boolean | null)[][];
  fanout: { x: number; y: number }[];
  capacity: (number | null)[];
  /** why no mapping can meet the constraints on this hardware, or null */
  infeasible: string | null;
}

/** A point of the map space: the factor of every (slot, dim), a temporal order per level, the keep bits. */
export interface Point {
  /** [slot][dim index in DIMS] */
  f: number[][];
  /** per level, temporal order innermost first (all 7 dims) */
  perm: Dim[][];
  /** per level, per dataspace (DATASPACES order) */
  keep: boolean[][];
}

export function primeFactors(n: number): number[] {
  const out: number[] = [];
  let x = n;
  for (let p = 2; p * p <= x; p++) {
    while (x % p === 0) {
      out.push(p);
      x /= p;
    }
  }
  if (x > 1) out.push(x);
  return out.sort((a, b) => b - a);
}

const DIM_IDX: Record<Dim, number> = Object.fromEntries(DIMS.map((d, i) => [d, i])) as Record<Dim, number>;
export { DIM_IDX };

function targetsFor(constraints: Constraints | null, level: string, type: ConstraintTarget['type']): ConstraintTarget[] {
  return (constraints?.targets ?? []).filter((t) => t.target === level && t.type === type);
}

export function buildMapSpace(problem: Problem, arch: Accelerator, constraints: Constraints | null = null): MapSpace {
  const L = arch.levels.length;
  const dims: readonly Dim[] = problem.depthwise ? DIMS.filter((d) => d !== 'K') : DIMS;
  const slots: Slot[] = [];
  const fanout = arch.levels.map((_, s) => fanoutBelow(arch, s));
  const spatialTemplate: MapSpace['spatialTemplate'] = [];
  for (let s = 0; s < L; s++) {
    slots.push({ level: s, kind: 'T' });
    const fo = fanout[s]!;
    if (fo.x > 1) slots.push({ level: s, kind: 'X' });
    if (fo.y > 1) slots.push({ level: s, kind: 'Y' });
    const sp = targetsFor(constraints, arch.levels[s]!.name, 'spatial').find((t) => t.permutation || t.split !== undefined);
    spatialTemplate.push(sp ? { order: completeOrder(sp.permutation ?? []), split: sp.split ?? null, listed: sp.permutation?.length ?? 0 } : null);
  }
  const fixed = {} as Record<Dim, number[]>;
  const allowed = {} as Record<Dim, boolean[]>;
  const primes = {} as Record<Dim, number[]>;
  for (const d of DIMS) {
    fixed[d] = slots.map(() => 1);
    allowed[d] = slots.map(() => dims.includes(d));
  }
  // factor constraints pin a slot's factor; 0 means the whole dimension (Timeloop's reading, see check.ts)
  slots.forEach((slot, i) => {
    const name = arch.levels[slot.level]!.name;
    const type = slot.kind === 'T' ? 'temporal' : 'spatial';
    for (const t of targetsFor(constraints, name, type)) {
      for (const [d, v] of Object.entries(t.factors ?? {}) as [Dim, number][]) {
        if (!dims.includes(d)) continue;
        const size = problem.dims[d];
        const value = v === 0 ? size : Math.min(v, size);
        if (slot.kind === 'T') {
          fixed[d][i] = value;
          allowed[d][i] = false;
        } else {
          // a spatial factor constraint pins the product over X and Y: put it where the split says (X if free)
          const tmpl = spatialTemplate[slot.level];
          const onX = !tmpl || tmpl.split === null || tmpl.order.indexOf(d) < tmpl.split;
          const want: SlotKind = onX && fanout[slot.level]!.x > 1 ? 'X' : 'Y';
          allowed[d][i] = false;
          if (slot.kind === want) fixed[d][i] = value;
        }
      }
    }
    // a given split sends each dim to one side only
    if (slot.kind !== 'T') {
      const tmpl = spatialTemplate[slot.level];
      if (tmpl && tmpl.split !== null) {
        for (const d of DIMS) {
          const onX = tmpl.order.indexOf(d) < tmpl.split;
          if ((slot.kind === 'X') !== onX) allowed[d][i] = false;
        }
      }
    }
  });
  let infeasible: string | null = null;
  for (const d of DIMS) {
    let rest = problem.dims[d];
    for (const v of fixed[d]) rest = Math.floor(rest / v);
    primes[d] = dims.includes(d) ? primeFactors(rest) : [];
    // a dim with nowhere to go: the constraints cannot be met on this hardware (e.g. a dim pinned to a spatial side
    // the array does not have); say so, and park it at DRAM so that the space stays well formed
    if (primes[d].length > 0 && !allowed[d].some(Boolean)) {
      infeasible ??= `the constraints leave nowhere for ${d} = ${problem.dims[d]} (factors ${primes[d].join('x')} cannot be placed)`;
      allowed[d][slots.findIndex((s) => s.level === L - 1 && s.kind === 'T')] = true;
    }
  }
  const permPrefix: Dim[][] = [];
  const permFree: Dim[][] = [];
  const keepFixed: (boolean | null)[][] = [];
  for (let s = 0; s < L; s++) {
    const name = arch.levels[s]!.name;
    const prefix = targetsFor(constraints, name, 'temporal').find((t) => t.permutation)?.permutation ?? [];
    permPrefix.push([...prefix]);
    permFree.push(DIMS.filter((d) => !prefix.includes(d)));
    const hw = arch.levels[s]!.hardwareKeep;
    const kb = targetsFor(constraints, name, 'bypass');
    keepFixed.push(
      DATASPACES.map((ds) => {
        if (s === L - 1) return true;
        for (const t of kb) {
          if (t.keep?.includes(ds)) return true;
          if (t.bypass?.includes(ds)) return false;
        }
        if (hw) return hw.includes(ds);
        return null;
      }),
    );
  }
  const space: MapSpace = {
    problem,
    arch,
    constraints,
    dims,
    slots,
    primes,
    fixed,
    allowed,
    permPrefix,
    permFree,
    spatialTemplate,
    keepFixed,
    fanout: fanout.map((f) => ({ x: f.x, y: f.y })),
    capacity: arch.levels.map((l) => l.capacityWords),
    infeasible,
  };
  if (!space.infeasible) {
    const v = constraintConflict(space);
    if (v) space.infeasible = describeConflict(v);
  }
  return space;
}

/** The rules a search point can still meet by moving primes (capacity and fanout, which `fits` checks). */
const FIT_RULES = new Set(['capacity', 'fanout-x', 'fanout-y']);

/**
 * A constraint no point of the space can meet, e.g. a pinned factor that does not divide the layer, a keep or bypass
 * the hardware does not allow, a target that is not a level, a spatial factor on a level without a fanout. Every
 * point shares the pinned factors and keep bits, so the simplest point (all free primes at DRAM) shows them: its
 * first violation of another rule than capacity and fanout, or null.
 */
export function constraintConflict(space: MapSpace): Violation | null {
  if (!space.constraints) return null;
  const m = realize(space, outermostPoint(space));
  return checkMapping(space.problem, space.arch, m, space.constraints).find((x) => !FIT_RULES.has(x.rule)) ?? null;
}

function describeConflict(v: Violation): string {
  const where = v.level && !v.message.startsWith(v.level) ? `${v.level}: ` : '';
  return `no mapping meets the constraints: ${where}${v.message} [${v.rule}]`;
}

function completeOrder(order: readonly Dim[]): Dim[] {
  return [...order, ...DIMS.filter((d) => !order.includes(d))];
}

/** Slot index of (level, kind), or -1. */
export function slotIndex(space: MapSpace, level: number, kind: SlotKind): number {
  return space.slots.findIndex((s) => s.level === level && s.kind === kind);
}

/** A point with every free prime at DRAM's temporal slot (always within capacity and fanout). */
export function outermostPoint(space: MapSpace): Point {
  const top = slotIndex(space, space.arch.levels.length - 1, 'T');
  const f = space.slots.map((_, i) => DIMS.map((d) => space.fixed[d][i]!));
  for (const d of DIMS) {
    const target = space.allowed[d][top] ? top : space.allowed[d].findIndex(Boolean);
    for (const p of space.primes[d]) f[target]![DIM_IDX[d]]! *= p;
  }
  return {
    f,
    perm: space.permPrefix.map((pre, s) => [...pre, ...space.permFree[s]!]),
    keep: space.keepFixed.map((row) => row.map((k) => k ?? true)),
  };
}

/**
 * A deep copy. Points are values: code that changes one copies it first (`applyMove` shares the rows a move leaves
 * unchanged with its parent, so no row of a point may be changed in place once the point has been handed out).
 */
export function clonePoint(p: Point): Point {
  const f = new Array<number[]>(p.f.length);
  for (let i = 0; i < f.length; i++) f[i] = p.f[i]!.slice();
  const perm = new Array<Dim[]>(p.perm.length);
  for (let i = 0; i < perm.length; i++) perm[i] = p.perm[i]!.slice();
  const keep = new Array<boolean[]>(p.keep.length);
  for (let i = 0; i < keep.length; i++) keep[i] = p.keep[i]!.slice();
  return { f, perm, keep };
}

const DIM_CODE: Record<Dim, number> = { R: 1, S: 2, P: 3, Q: 4, C: 5, K: 6, N: 7 };

/**
 * A 32-bit hash of a point (factors, loop orders, keep bits) with no string built: the search's visited sets key by
 * it and resolve collisions with `samePoint`, so no point is scored twice and no two points are confused.
 */
export function pointHash(p: Point): number {
  let h = 0x811c9dc5;
  for (const row of p.f) for (let j = 0; j < row.length; j++) h = Math.imul(h ^ row[j]!, 0x01000193);
  for (const row of p.perm) for (let j = 0; j < row.length; j++) h = Math.imul(h ^ DIM_CODE[row[j]!], 0x01000193);
  for (const row of p.keep) for (let j = 0; j < row.length; j++) h = Math.imul(h ^ (row[j] ? 0x9e37 : 0x79b9), 0x01000193);
  return h >>> 0;
}

/** Exact equality of two points of one space. */
export function samePoint(a: Point, b: Point): boolean {
  if (a === b) return true;
  for (let i = 0; i < a.f.length; i++) {
    const x = a.f[i]!;
    const y = b.f[i]!;
    if (x !== y) for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  for (let i = 0; i < a.perm.length; i++) {
    const x = a.perm[i]!;
    const y = b.perm[i]!;
    if (x !== y) for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  for (let i = 0; i < a.keep.length; i++) {
    const x = a.keep[i]!;
    const y = b.keep[i]!;
    if (x !== y) for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

export function pointKey(p: Point): string {
  return (
    p.f.map((r) => r.join('.')).join('|') + '/' + p.perm.map((r) => r.join('')).join('|') + '/' + p.keep.map((r) => r.map(Number).join('')).join('')
  );
}

/** The Mapping of a point, with permutations and splits written so that the constraints hold. */
export function realize(space: MapSpace, p: Point): Mapping {
  const levels: LevelMapping[] = space.arch.levels.map((_, s) => {
    const temporal = unitFactors();
    const x = unitFactors();
    const y = unitFactors();
    space.slots.forEach((slot, i) => {
      if (slot.level !== s) return;
      const target = slot.kind === 'T' ? temporal : slot.kind === 'X' ? x : y;
      DIMS.forEach((d, j) => (target[d] *= p.f[i]![j]!));
    });
    const spatial = unitFactors();
    for (const d of DIMS) spatial[d] = x[d] * y[d];
    const tmpl = space.spatialTemplate[s];
    let spatialPermutation: Dim[];
    let split: number;
    const fo = space.fanout[s]!;
    if (fo.x * fo.y === 1) ({ spatialPermutation, split } = noFanoutSpatial(space.problem));
    else if (tmpl && tmpl.split !== null) {
      spatialPermutation = tmpl.order;
      split = tmpl.split;
    } else {
      const base = tmpl ? tmpl.order : DIMS;
      const xs = base.filter((d) => x[d] > 1);
      spatialPermutation = [...xs, ...base.filter((d) => !xs.includes(d))];
      split = xs.length;
    }
    const keep = Object.fromEntries(DATASPACES.map((ds, i) => [ds, p.keep[s]![i]!])) as Record<DataSpace, boolean>;
    return { temporal, permutation: [...p.perm[s]!], spatial, spatialPermutation: [...spatialPermutation], split, keep };
  });
  return { levels };
}

export interface FitResult {
  ok: boolean;
  /** the worst overflow as a ratio (tile / capacity, or spatial use / fanout), 1 = exactly full */
  worst: number;
  reason?: string;
}

/** Per space, the slots of each level and each level's X and Y slot, for the hot paths (`fits`, flattening). */
export interface SpaceLayout {
  /** per level: slot indexes (T, X, Y in slot order) */
  levelSlots: number[][];
  kind: SlotKind[];
  level: number[];
  xSlot: number[];
  ySlot: number[];
  /** per level: a constraint's spatial permutation without a split (dim indexes, outer first) and how many it lists */
  noSplitOrder: ({ order: number[]; listed: number } | null)[];
}

const layouts = new WeakMap<MapSpace, SpaceLayout>();
export function layoutOf(space: MapSpace): SpaceLayout {
  let l = layouts.get(space);
  if (!l) {
    const L = space.arch.levels.length;
    l = {
      levelSlots: Array.from({ length: L }, (_, s) => space.slots.flatMap((sl, i) => (sl.level === s ? [i] : []))),
      kind: space.slots.map((sl) => sl.kind),
      level: space.slots.map((sl) => sl.level),
      xSlot: Array.from({ length: L }, (_, s) => slotIndex(space, s, 'X')),
      ySlot: Array.from({ length: L }, (_, s) => slotIndex(space, s, 'Y')),
      noSplitOrder: space.spatialTemplate.map((t) => (t && t.split === null ? { order: t.order.map((d) => DIM_IDX[d]), listed: t.listed } : null)),
    };
    layouts.set(space, l);
  }
  return l;
}

const extentScratch = new Float64Array(7);

/**
 * Capacity and fanout of a point (everything else holds by construction). The searches call this for every
 * neighbour and every random draw, most of which overflow, so it is one pass of plain loops either way; the reason of
 * an overflow is worded by `fitsExplained` only when `explain` asks for it (what a message needs).
 */
export function fits(space: MapSpace, p: Point, explain = false): FitResult {
  if (space.infeasible) return { ok: false, worst: Infinity, reason: space.infeasible };
  const lay = layoutOf(space);
  const ext = extentScratch.fill(1);
  const pr = space.problem;
  let worst = 0;
  const L = lay.levelSlots.length;
  for (let s = 0; s < L; s++) {
    let px = 1;
    let py = 1;
    for (const i of lay.levelSlots[s]!) {
      const row = p.f[i]!;
      const k = lay.kind[i];
      for (let j = 0; j < 7; j++) {
        const v = row[j]!;
        ext[j] *= v;
        if (k === 'X') px *= v;
        else if (k === 'Y') py *= v;
      }
    }
    const fo = space.fanout[s]!;
    worst = Math.max(worst, px / fo.x, py / fo.y);
    if (fo.x > 1 && fo.y > 1) {
      const fx = p.f[lay.xSlot[s]!]!;
      const fy = p.f[lay.ySlot[s]!]!;
      for (let j = 0; j < 7; j++) if (fx[j]! > 1 && fy[j]! > 1) worst = Math.max(worst, Math.min(fx[j]!, fy[j]!));
      const tmpl = lay.noSplitOrder[s];
      if (tmpl) {
        let onY = -1;
        for (let k = 0; k < tmpl.order.length; k++) {
          const j = tmpl.order[k]!;
          if (fy[j]! > 1 && k < tmpl.listed) {
            if (onY < 0) onY = j;
          } else if (fx[j]! > 1 && onY >= 0) worst = Math.max(worst, Math.min(fx[j]!, fy[onY]!));
        }
      }
    }
    const cap = space.capacity[s];
    if (cap !== null && cap !== undefined) {
      // DIMS order R S P Q C K N, as tileWordsOf
      const [R, S, P, Q, C, K, N] = ext;
      const W = pr.Wstride * (P! - 1) + pr.Wdilation * (R! - 1) + 1;
      const H = pr.Hstride * (Q! - 1) + pr.Hdilation * (S! - 1) + 1;
      const keep = p.keep[s]!;
      const used = (keep[0] ? C! * K! * R! * S! : 0) + (keep[1] ? N! * C! * W * H : 0) + (keep[2] ? N! * P! * Q! * (pr.depthwise ? C! : K!) : 0);
      worst = Math.max(worst, used / cap);
    }
  }
  return worst <= 1 ? { ok: true, worst } : explain ? fitsExplained(space, p) : { ok: false, worst };
}

/** What a point takes of each level (innermost first): spatial use along X and Y below it and the words its tile keeps. */
export interface LevelUse {
  x: number;
  y: number;
  /** words of the dataspaces the level keeps (0 for a level without capacity) */
  words: number;
}

export function usageOf(space: MapSpace, p: Point): LevelUse[] {
  const extent = unitFactors();
  return space.arch.levels.map((_, s) => {
    let x = 1;
    let y = 1;
    space.slots.forEach((slot, i) => {
      if (slot.level !== s) return;
      DIMS.forEach((d, j) => {
        extent[d] *= p.f[i]![j]!;
        if (slot.kind === 'X') x *= p.f[i]![j]!;
        if (slot.kind === 'Y') y *= p.f[i]![j]!;
      });
    });
    const tw = tileWordsOf(space.problem, extent);
    return { x, y, words: DATASPACES.reduce((a, ds, i) => a + (p.keep[s]![i] ? tw[ds] : 0), 0) };
  });
}

/** `fits` with the reason of the worst overflow worded. */
export function fitsExplained(space: MapSpace, p: Point): FitResult {
  if (space.infeasible) return { ok: false, worst: Infinity, reason: space.infeasible };
  let worst = 0;
  let reason: string | undefined;
  const note = (ratio: number, why: () => string) => {
    if (ratio > worst) {
      worst = ratio;
      if (ratio > 1) reason = why();
    }
  };
  const use = usageOf(space, p);
  const L = space.arch.levels.length;
  for (let s = 0; s < L; s++) {
    const { x: px, y: py, words: used } = use[s]!;
    const name = space.arch.levels[s]!.name;
    const fo = space.fanout[s]!;
    note(px / fo.x, () => `${name}: spatial X uses ${px} of ${fo.x}`);
    note(py / fo.y, () => `${name}: spatial Y uses ${py} of ${fo.y}`);
    // Timeloop lists each dim once in a level's spatial permutation, so a dim lies on X or on Y, never on both:
    // factors on both sides would be written as their product on one side (and overflow it). The overflow ratio is
    // the smaller side's factor, which moving its primes away lowers.
    if (fo.x > 1 && fo.y > 1) {
      const xi = slotIndex(space, s, 'X');
      const yi = slotIndex(space, s, 'Y');
      DIMS.forEach((d, j) => {
        const fx = p.f[xi]![j]!;
        const fy = p.f[yi]![j]!;
        if (fx > 1 && fy > 1) note(Math.min(fx, fy), () => `${name}: ${d} on both spatial X (${fx}) and Y (${fy})`);
      });
      // a constraint's spatial permutation without a split: X loops are written first, so no dim may lie on X after
      // (in the permutation's order) a listed dim on Y, or the listed non-unit loops would not come first in order
      const tmpl = space.spatialTemplate[s];
      if (tmpl && tmpl.split === null) {
        let onY: Dim | null = null;
        tmpl.order.forEach((d, k) => {
          const fx = p.f[xi]![DIM_IDX[d]]!;
          const fy = p.f[yi]![DIM_IDX[d]]!;
          if (fy > 1 && k < tmpl.listed) onY ??= d;
          else if (fx > 1 && onY) {
            const y = onY;
            note(Math.min(fx, p.f[yi]![DIM_IDX[y]]!), () => `${name}: ${d} on spatial X after ${y} on Y breaks the constraint's permutation`);
          }
        });
      }
    }
    const cap = space.capacity[s];
    if (cap !== null && cap !== undefined) note(used / cap, () => `${name}: tile of ${used} words exceeds ${cap}`);
  }
  return reason === undefined ? { ok: true, worst } : { ok: false, worst, reason };
}

/**
 * The point of a space that realizes `m` as closely as the space allows: factors go to the same level's T, X and Y
 * slots (a spatial factor on a side this space lacks moves to the other side, else to the level's temporal slot).
 * Used to carry a mapping over to a resized accelerator of the same template. Does not check capacity or fanout.
 */
export function pointFromMapping(space: MapSpace, m: Mapping): Point {
  const f = space.slots.map(() => DIMS.map(() => 1));
  m.levels.forEach((lm, s) => {
    const t = slotIndex(space, s, 'T');
    const xs = slotIndex(space, s, 'X');
    const ys = slotIndex(space, s, 'Y');
    DIMS.forEach((d, j) => {
      f[t]![j]! *= lm.temporal[d];
      const onX = lm.spatialPermutation.indexOf(d) < lm.split;
      const target = onX ? (xs >= 0 ? xs : ys) : ys >= 0 ? ys : xs;
      f[target >= 0 ? target : t]![j]! *= lm.spatial[d];
    });
  });
  conformDims(space, f);
  return {
    f,
    perm: m.levels.map((lm) => [...lm.permutation]),
    keep: m.levels.map((lm, s) => DATASPACES.map((ds, i) => space.keepFixed[s]![i] ?? lm.keep[ds])),
  };
}

/**
 * Make carried-over factors a point of `space`: each slot holds its pinned factor times free primes, and free primes
 * only where the space allows them (a split side or a slot the constraints forbid on this hardware, e.g. a Y side a
 * resized array lacks, sends them to the level's temporal slot or further out). A dim whose factors do not match the
 * pins at all starts again from the pins with its free primes outermost.
 */
function conformDims(space: MapSpace, f: number[][]): void {
  const top = slotIndex(space, space.arch.levels.length - 1, 'T');
  for (const d of DIMS) {
    const j = DIM_IDX[d];
    const free = space.slots.map((_, i) => f[i]![j]! / space.fixed[d][i]!);
    if (free.some((x) => !Number.isInteger(x))) {
      space.slots.forEach((_, i) => (f[i]![j] = space.fixed[d][i]!));
      const to = space.allowed[d][top] ? top : space.allowed[d].findIndex(Boolean);
      for (const q of space.primes[d]) f[to]![j]! *= q;
      continue;
    }
    space.slots.forEach((slot, i) => {
      if (free[i] === 1 || space.allowed[d][i]) return;
      // the nearest allowed slot outward: this level's temporal slot, then the levels above
      const to = space.slots.findIndex((t, k) => t.kind === 'T' && t.level >= slot.level && space.allowed[d][k]);
      const dest = to >= 0 ? to : space.allowed[d].findIndex(Boolean);
      if (dest < 0) return;
      f[i]![j]! /= free[i]!;
      f[dest]![j]! *= free[i]!;
    });
  }
}
