/**
 * The fast kernel specialized per (accelerator, layer): `kernel.ts`'s arithmetic generated once per LayerSpec as
 * JavaScript source (`new Function`) in which the level count, the per-level energies, block sizes, bandwidths and
 * area, the strides and dilations, which dim feeds which data axis with which coefficient, relevance, and which dims
 * have size 1 (every factor 1 in a valid mapping) are constants, and the loops over levels, dims, dataspaces and data
 * axes are unrolled. Only the candidate's own loops above each level (their order and count vary) stay loops.
 *
 * It covers the common case and hands everything else back to the generic kernel (returns false): a candidate the
 * link-transfer prefilter cannot rule out (`links-flat.ts`'s necessary condition, inlined), a dim of size 1 given a
 * factor other than 1, and per-level detail (the caller asks the generic kernel for it). Every operation on
 * non-integer values (halo fractions, energies, power) is done in the generic kernel's order, so results are
 * bit-identical to it; `test/model-fast.test.ts` pins the two together on every count, and both to the tensor
 * formulation. Where `new Function` is refused (a page whose Content-Security-Policy forbids eval) or
 * CODESIGN_CODEGEN=0, `specKernel` returns null and the generic kernel runs.
 */
import { levelCycles } from '../cycles.js';
import { NAX, NDIM, NDS } from '../encode.js';
import { I_P, I_Q, I_R, I_S, NA, type LayerSpec } from './spec.js';
import type { Results } from './kernel.js';
import { gcd } from './links-flat.js';

/** A generated kernel: evaluates the candidate at level offset `o` into `out[b]`, or returns false (generic kernel). */
export type SpecKernel = (
  nT: ArrayLike<number>,
  nS: ArrayLike<number>,
  perm: ArrayLike<number>,
  keep: ArrayLike<number>,
  o: number,
  out: Results,
  b: number,
) => boolean;

const MAXK = 16 * NDIM;

function envOff(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.CODESIGN_CODEGEN === '0';
}

let enabled = !envOff();
/** a spec's kernel is generated once it has evaluated this many candidates (compiling costs ~1 ms) */
let after = 512;
const cache = new WeakMap<LayerSpec, { uses: number; kernel: SpecKernel | null }>();

/**
 * Tests and benches: turn the generated kernels off (every candidate then runs the generic kernel) or on, and how
 * many candidates a spec evaluates on the generic kernel before its own is generated (0: at once).
 */
export function setCodegen(on: boolean, warmup = 512): void {
  enabled = on;
  after = warmup;
}

/**
 * The generated kernel of a spec, or null: use the generic kernel. A spec gets its kernel once it has evaluated
 * `warmup` candidates (a hardware point that the co-optimizer tries once does not pay for a compilation); the
 * kernel is cached per spec object.
 */
export function specKernel(sp: LayerSpec): SpecKernel | null {
  if (!enabled) return null;
  let c = cache.get(sp);
  if (c === undefined) cache.set(sp, (c = { uses: 0, kernel: null }));
  if (c.kernel) return c.kernel;
  if (c.uses < 0 || ++c.uses <= after) return null;
  try {
    c.kernel = compile(sp);
  } catch {
    c.uses = -1; // eval refused (CSP), or a structure the generator does not cover: the generic kernel for good
  }
  return c.kernel;
}

/** A number as a source literal that reads back to the same double. */
function lit(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`codegen: non-finite constant ${x}`);
  return Object.is(x, -0) ? '-0' : `(${String(x)})`;
}

/** The source of one spec's kernel (the factory body `compile` runs). */
function source(sp: LayerSpec): string {
  const L = sp.L;
  const unit = Array.from({ length: NDIM }, (_, x) => sp.bound[x] === 1);
  // per dataspace: the data axis each dim feeds and its coefficient (each dim feeds at most one axis per dataspace)
  const axOf: number[][] = [];
  const cOf: number[][] = [];
  for (let d = 0; d < NDS; d++) {
    axOf.push(new Array<number>(NDIM).fill(-1));
    cOf.push(new Array<number>(NDIM).fill(0));
    for (let a = 0; a < NAX; a++) {
      const j = d * NAX + a;
      for (const [x, c] of [
        [sp.term1[j]!, sp.c1[j]!],
        [sp.term2[j]!, sp.c2[j]!],
      ] as const) {
        if (x < 0) continue;
        if (axOf[d]![x] !== -1) throw new Error('codegen: a dim on two axes');
        axOf[d]![x] = a;
        cOf[d]![x] = c;
      }
    }
  }
  // every coefficient of coef must be in the sparse terms (the generic kernel's link walk reads coef)
  for (let x = 0; x < NDIM; x++)
    for (let d = 0; d < NDS; d++)
      for (let a = 0; a < NAX; a++) {
        const c = sp.coef[x * NA + d * NAX + a]!;
        if (c !== (axOf[d]![x] === a ? cOf[d]![x] : 0)) throw new Error('codegen: coef and terms differ');
      }
  const terms = (d: number, a: number): [number, number][] => {
    const j = d * NAX + a;
    const out: [number, number][] = [];
    if (sp.term1[j]! >= 0) out.push([sp.term1[j]!, sp.c1[j]!]);
    if (sp.term2[j]! >= 0) out.push([sp.term2[j]!, sp.c2[j]!]);
    return out;
  };
  const live = (d: number, a: number) => terms(d, a).filter(([x]) => !unit[x]);
  const relW = Array.from({ length: NDIM }, (_, x) => sp.rel[x * NDS]!);
  const relO = Array.from({ length: NDIM }, (_, x) => sp.rel[x * NDS + 2]!);
  const mask = (bits: number[]) => bits.reduce((m, v, x) => m | (v ? 1 << x : 0), 0);
  const ePrev = (s: number, x: number) => (unit[x] || s === 0 ? '1' : `e${s - 1}_${x}`);
  const c: string[] = [];
  const emit = (line: string) => c.push(line);

  emit('const o7 = o * 7; const o3 = o * 3;');
  // dims of size 1: every factor must be 1, else the generic kernel evaluates the candidate
  for (let x = 0; x < NDIM; x++) {
    if (!unit[x]) continue;
    const cond = Array.from({ length: L }, (_, s) => `nT[o7 + ${s * NDIM + x}] !== 1 || nS[o7 + ${s * NDIM + x}] !== 1`).join(' || ');
    emit(`if (${cond}) return false;`);
  }
  // factors, extents (e = product of everything up to level s), compute cycles
  const ccTerms: string[] = [];
  for (let s = 0; s < L; s++) {
    for (let x = 0; x < NDIM; x++) {
      if (unit[x]) continue;
      emit(`const t${s}_${x} = nT[o7 + ${s * NDIM + x}]; const n${s}_${x} = nS[o7 + ${s * NDIM + x}];`);
      emit(`const e${s}_${x} = ${s === 0 ? '' : `e${s - 1}_${x} * `}(t${s}_${x} * n${s}_${x});`);
      ccTerms.push(`t${s}_${x}`);
    }
  }
  emit(`const cc = ${ccTerms.length ? ccTerms.join(' * ') : '1'};`);
  // data-axis extents of each level's tiles and the tiles
  for (let s = 0; s < L; s++) {
    for (let d = 0; d < NDS; d++) {
      const f: string[] = [];
      for (let a = 0; a < NAX; a++) {
        const tl = live(d, a);
        let v: string;
        if (tl.length === 0) v = '1';
        else if (tl.length === 1 && tl[0]![1] === 1) v = `e${s}_${tl[0]![0]}`;
        else v = `(1 + ${tl.map(([x, k]) => `(e${s}_${x} - 1) * ${lit(k)}`).join(' + ')})`;
        emit(`const E${s}_${d}_${a} = ${v};`);
        if (v !== '1') f.push(`E${s}_${d}_${a}`);
      }
      emit(`const tile${s}_${d} = ${f.length ? f.join(' * ') : '1'};`);
    }
  }
  // the non-unit temporal loops of levels 1..L-1, innermost first: level, dim, factor, stride and Inputs' step
  for (let s = 1; s < L; s++) for (let x = 0; x < NDIM; x++) if (!unit[x]) emit(`sig[${s * NDIM + x}] = ${ePrev(s, x)} * n${s}_${x};`);
  emit('let nk = 0;');
  emit(`for (let s = 1; s < ${L}; s++) {`);
  emit('  const base = o7 + s * 7;');
  emit('  for (let p = 0; p < 7; p++) {');
  emit('    const x = perm[base + p];');
  emit('    const n = nT[base + x];');
  emit('    if (n <= 1) continue;');
  emit('    kLev[nk] = s; kDim[nk] = x; kN[nk] = n;');
  emit('    const g = sig[s * 7 + x]; kSig[nk] = g; kV[nk] = C1[x] * g;');
  emit('    nk++;');
  emit('  }');
  emit('}');
  // the link-transfer prefilter (links-flat.ts, mayLink): if it cannot rule links out, the generic kernel decides
  emit('let k0 = 0;');
  for (let s = 1; s < L; s++) {
    emit(`while (k0 < nk && kLev[k0] < ${s}) k0++;`);
    emit('if (k0 < nk) {');
    for (let d = 0; d < 2; d++) {
      const axes = Array.from({ length: NAX }, (_, a) => a).filter((a) => live(d, a).length > 0);
      if (axes.length === 0) continue;
      emit(`if (keep[o3 + ${(s - 1) * NDS + d}]) {`);
      for (const a of axes) {
        emit(`let g${a} = 0; let r${a} = 0;`);
        for (const [x, k] of live(d, a)) {
          emit(`if (n${s}_${x} > 1) { const v = ${lit(Math.abs(k))} * ${ePrev(s, x)}; g${a} = gcd(g${a}, v); r${a} += (n${s}_${x} - 1) * v; }`);
        }
      }
      emit(`if (${axes.map((a) => `g${a} !== 0`).join(' || ')}) {`);
      emit(
        `  if (mayLink(kDim, kSig, k0, nk, AX${d}, C${d}, ${[0, 1, 2, 3].map((a) => (axes.includes(a) ? `g${a}` : '0')).join(', ')}, ${[0, 1, 2, 3].map((a) => (axes.includes(a) ? `r${a}` : '0')).join(', ')})) return false;`,
      );
      emit('}');
      emit('}');
    }
    emit('}');
  }
  // weight of all carries into loop k: (n_k - 1) x the product of the loops outside
  emit('let suffix = 1;');
  emit('for (let k = nk - 1; k >= 0; k--) { kAw[k] = (kN[k] - 1) * suffix; suffix *= kN[k]; }');
  // fills (§3): the steps of the loops above each level below the top
  const inAxes = [0, 1, 2, 3].filter((a) => live(1, a).length > 0);
  emit('k0 = 0;');
  for (let r = 0; r < L - 1; r++) {
    emit(`while (k0 < nk && kLev[k0] <= ${r}) k0++;`);
    emit(`let sW${r} = 0; let sO${r} = 0; let sI${r} = 0;`);
    emit('{');
    emit('let seenW = false; let seenO = false;');
    emit(inAxes.map((a) => `let a${a} = 0; let f${a} = 0;`).join(' '));
    emit('for (let k = k0; k < nk; k++) {');
    emit('  const x = kDim[k]; const aw = kAw[k];');
    emit(`  if (!seenW && ((${mask(relW)} >> x) & 1)) seenW = true;`);
    emit(`  if (!seenO && ((${mask(relO)} >> x) & 1)) seenO = true;`);
    emit(`  if (seenW) sW${r} += aw;`);
    emit(`  if (seenO) sO${r} += aw;`);
    if (inAxes.length > 0) {
      emit('  const ax = AX1[x]; const v = ax >= 0 ? kV[k] : 0;');
      for (const a of inAxes) emit(`  const t${a} = (ax === ${a} ? v : 0) - a${a}; a${a} += ax === ${a} ? v : 0;`);
      emit(`  if (k === k0) { ${inAxes.map((a) => `f${a} = t${a};`).join(' ')} }`);
      emit(`  const nz = ${inAxes.map((a) => `(t${a} !== 0 ? 1 : 0)`).join(' + ')};`);
      emit(`  if (${inAxes.map((a) => `t${a} !== f${a}`).join(' || ')} || nz > 1) sI${r} += aw;`);
      emit('  else if (nz === 1) {');
      emit(`    ${inAxes.map((a) => `if (t${a} !== 0) sI${r} += aw * Math.min(1, Math.abs(t${a}) / E${r}_1_${a});`).join(' else ')}`);
      emit('  }');
    }
    emit('}');
    emit('}');
    emit(`const fl${r}_0 = Math.round(tile${r}_0 * (1 + sW${r}));`);
    emit(`const fl${r}_1 = Math.round(tile${r}_1 * (1 + sI${r}));`);
    emit(`const fl${r}_2 = Math.round(tile${r}_2 * (1 + sO${r}));`);
  }
  for (let d = 0; d < NDS; d++) emit(`const fl${L - 1}_${d} = tile${L - 1}_${d};`);
  // multicast groups (§4), with the diagonal sharing of Inputs' W (P with R) and H (Q with S)
  for (let s = 0; s < L; s++) {
    const ns = Array.from({ length: NDIM }, (_, x) => x).filter((x) => !unit[x]);
    emit(`const spl${s} = ${ns.length ? ns.map((x) => `n${s}_${x}`).join(' * ') : '1'};`);
    for (let d = 0; d < NDS; d++) {
      const f: string[] = [];
      for (let a = 0; a < NAX; a++) {
        const tl = live(d, a);
        if (tl.length === 0) continue;
        const j = d * NAX + a;
        const x1 = sp.term1[j]!;
        const x2 = sp.term2[j]!;
        if (d === 1 && (a === 2 || a === 3) && x1 >= 0 && x2 >= 0 && !unit[x1] && !unit[x2]) {
          const px = a === 2 ? I_P : I_Q;
          const rx = a === 2 ? I_R : I_S;
          const st = a === 2 ? sp.Wstride : sp.Hstride;
          const dl = a === 2 ? sp.Wdilation : sp.Hdilation;
          emit(`let u${s}_${d}_${a} = n${s}_${x1} * n${s}_${x2};`);
          emit(`if (n${s}_${x1} > 1 && n${s}_${x2} > 1) {`);
          emit(`  let av = ${lit(st)} * ${ePrev(s, px)}; let bv = ${lit(dl)} * ${ePrev(s, rx)};`);
          emit('  const g1 = gcd(av, bv); av /= g1; bv /= g1;');
          emit(`  u${s}_${d}_${a} -= Math.max(0, n${s}_${x1} - bv) * Math.max(0, n${s}_${x2} - av);`);
          emit('}');
        } else emit(`const u${s}_${d}_${a} = ${tl.map(([x]) => `n${s}_${x}`).join(' * ')};`);
        f.push(`u${s}_${d}_${a}`);
      }
      emit(`const U${s}_${d} = ${f.length ? f.join(' * ') : '1'};`);
    }
  }
  emit(`const inst${L - 1} = 1;`);
  for (let s = L - 2; s >= 0; s--) emit(`const inst${s} = inst${s + 1} * spl${s + 1};`);
  // content accesses through bypass chains (§6)
  for (let s = 0; s < L; s++) {
    for (let d = 0; d < NDS; d++) {
      const src = s === 0 ? 'cc' : `(keep[o3 + ${(s - 1) * NDS + d}] ? fl${s - 1}_${d} : ca${s - 1}_${d})`;
      emit(`const ca${s}_${d} = Math.round(U${s}_${d} * ${src});`);
    }
  }
  // Outputs partitions (§7): first-read elision
  emit(`const pO${L - 1} = tile${L - 1}_2;`);
  for (let s = L - 2; s >= 0; s--) emit(`const pO${s} = Math.floor(pO${s + 1} / U${s + 1}_2 + 1e-3);`);
  // counts, energy and cycles (§10)
  emit('let energy = 0; let cycles = cc;');
  for (let s = 0; s < L; s++) {
    const blk = lit(sp.block[s]!);
    const eR = lit(sp.eRead[s]!);
    const eW = lit(sp.eWrite[s]!);
    emit('{');
    emit('let eAcc = 0; let rW = 0; let rI = 0; let rO = 0; let wW = 0; let wI = 0; let wO = 0;');
    const top = s === L - 1;
    emit(
      `if (keep[o3 + ${s * NDS}]) { const fl = ${top ? '0' : `fl${s}_0`}; eAcc += Math.ceil(ca${s}_0 / ${blk}) * ${eR} + (Math.ceil(fl / ${blk}) + 0) * ${eW}; rW = ca${s}_0; wW = fl + 0; }`,
    );
    emit(
      `if (keep[o3 + ${s * NDS + 1}]) { const fl = ${top ? '0' : `fl${s}_1`}; eAcc += Math.ceil(ca${s}_1 / ${blk}) * ${eR} + (Math.ceil(fl / ${blk}) + 0) * ${eW}; rI = ca${s}_1; wI = fl + 0; }`,
    );
    emit(`if (keep[o3 + ${s * NDS + 2}]) { const rd = ca${s}_2 - pO${s}; const fl = ${top ? '0' : `fl${s}_2 - pO${s}`}; const up = ca${s}_2;`);
    emit(`  eAcc += Math.ceil(rd / ${blk}) * ${eR} + (Math.ceil(fl / ${blk}) + Math.ceil(up / ${blk})) * ${eW}; rO = rd; wO = fl + up; }`);
    emit(`energy += eAcc * inst${s};`);
    emit(`const lc = levelCycles(cc, rW, rI, rO, wW, wI, wO, ${lit(sp.readBW[s]!)}, ${lit(sp.writeBW[s]!)}, ${lit(sp.sharedBW[s]!)});`);
    emit('if (lc > cycles) cycles = lc;');
    emit('}');
  }
  emit(`energy += ${lit(sp.macs * sp.macEnergy)};`);
  let area = sp.macInstances * sp.macArea;
  for (let s = 0; s < L; s++) area += sp.hwInstances[s]! * sp.area[s]!;
  emit('out.cycles[b] = cycles; out.energy[b] = energy;');
  emit(`out.power[b] = (energy * ${lit(sp.clockGHz)}) / cycles; out.area[b] = ${lit(area)};`);
  emit('return true;');
  const table = (name: string, v: (number | string)[], type: string) => `const ${name} = new ${type}([${v.join(', ')}]);`;
  return [
    table('AX0', axOf[0]!, 'Int8Array'),
    table('AX1', axOf[1]!, 'Int8Array'),
    table('C0', cOf[0]!.map(lit), 'Float64Array'),
    table('C1', cOf[1]!.map(lit), 'Float64Array'),
    `return function kernel(nT, nS, perm, keep, o, out, b) {\n${c.join('\n')}\n};`,
  ].join('\n');
}

/**
 * links-flat.ts's `mayLink` on the kernel's loop list, with the per-axis gcd (g) and range (r) of the spatial
 * offsets already computed: true when some loop above the child translates the tile by a vector that could be the
 * offset difference of two children.
 */
function mayLink(
  kDim: Int32Array,
  kSig: Float64Array,
  k0: number,
  nk: number,
  ax: Int8Array,
  co: Float64Array,
  g0: number,
  g1: number,
  g2: number,
  g3: number,
  r0: number,
  r1: number,
  r2: number,
  r3: number,
): boolean {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let k = k0; k < nk; k++) {
    const x = kDim[k]!;
    const a = ax[x]!;
    const own = a >= 0 ? co[x]! * kSig[k]! : 0;
    const t0 = (a === 0 ? own : 0) - a0;
    const t1 = (a === 1 ? own : 0) - a1;
    const t2 = (a === 2 ? own : 0) - a2;
    const t3 = (a === 3 ? own : 0) - a3;
    if (a === 0) a0 += own;
    else if (a === 1) a1 += own;
    else if (a === 2) a2 += own;
    else if (a === 3) a3 += own;
    if (t0 === 0 && t1 === 0 && t2 === 0 && t3 === 0) continue;
    if (t0 !== 0 && (g0 === 0 || Math.abs(t0) > r0 || t0 % g0 !== 0)) continue;
    if (t1 !== 0 && (g1 === 0 || Math.abs(t1) > r1 || t1 % g1 !== 0)) continue;
    if (t2 !== 0 && (g2 === 0 || Math.abs(t2) > r2 || t2 % g2 !== 0)) continue;
    if (t3 !== 0 && (g3 === 0 || Math.abs(t3) > r3 || t3 % g3 !== 0)) continue;
    return true;
  }
  return false;
}

const sig = new Float64Array(MAXK);
const kLev = new Int32Array(MAXK);
const kDim = new Int32Array(MAXK);
const kN = new Float64Array(MAXK);
const kSig = new Float64Array(MAXK);
const kV = new Float64Array(MAXK);
const kAw = new Float64Array(MAXK);

function compile(sp: LayerSpec): SpecKernel {
  if (sp.L > 16) throw new Error('codegen: too many levels');
  const make = new Function('levelCycles', 'gcd', 'mayLink', 'sig', 'kLev', 'kDim', 'kN', 'kSig', 'kV', 'kAw', source(sp)) as (
    ...args: unknown[]
  ) => SpecKernel;
  return make(levelCycles, gcd, mayLink, sig, kLev, kDim, kN, kSig, kV, kAw);
}
