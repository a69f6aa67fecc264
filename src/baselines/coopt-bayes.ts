/**
 * `bayes`: Bayesian optimization over the hardware variables (the Spotlight / HyperMapper family): a Gaussian process
 * on the template's variables (log-scaled into [0,1]), Matern-5/2 kernel whose length scale is chosen by the marginal
 * likelihood, expected improvement maximized over random and local candidates, a batch of points per round by the
 * kriging believer, and our mapping search as the inner loop that scores each hardware point. Infeasible points (over a
 * budget, or no valid mapping) enter the GP with a penalty on their overflow, as HyperMapper-style unconstrained BO does.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import type { CoOptOptions, CoOptPoint } from '../coopt/coopt.js';
import { hardwareKey, type BudgetedResult, type HardwareEvaluator } from '../coopt/hardware-eval.js';
import { legalizeValues, originalValues } from '../hardware/template.js';
import { rng } from '../mapping/random.js';
import { considerCache, finish, fromUnit, startRun, toUnit } from './coopt-common.js';

export interface BayesOptions extends CoOptOptions {
  /** initial random design points (default 2 x variables + 1, the original included) */
  initial?: number;
  /** points per BO round (default 4) */
  batch?: number;
  /** stop after this many hardware points (default: until the time is up) */
  samples?: number;
}

/** What the GP models: log objective, plus a penalty on the log overflow for infeasible points. */
function target(r: BudgetedResult): number {
  if (!Number.isFinite(r.objective) || !Number.isFinite(r.violation)) return NaN;
  return Math.log(r.objective) + (r.feasible ? 0 : 1 + 4 * Math.log(Math.max(1, r.violation)));
}

function matern52(d: number, ell: number): number {
  const s = (Math.sqrt(5) * d) / ell;
  return (1 + s + (s * s) / 3) * Math.exp(-s);
}
const dist = (a: readonly number[], b: readonly number[]) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0));

interface Gp {
  predict(x: readonly number[]): { mu: number; sd: number };
}

/** Fit a zero-mean GP to standardized targets; length scale by the log marginal likelihood over a grid. */
function fitGp(X0: number[][], y: number[]): Gp {
  const X = [...X0];
  const n = X.length;
  const mean = y.reduce((a, b) => a + b, 0) / n;
  const sdY = Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / n) || 1;
  const z = y.map((v) => (v - mean) / sdY);
  let best: { ell: number; chol: CholeskyDecomposition; alpha: Matrix; lml: number } | null = null;
  for (const ell of [0.05, 0.1, 0.2, 0.35, 0.6, 1]) {
    const K = new Matrix(n, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) {
        const k = matern52(dist(X[i]!, X[j]!), ell) + (i === j ? 1e-4 : 0);
        K.set(i, j, k);
        K.set(j, i, k);
      }
    const chol = new CholeskyDecomposition(K);
    if (!chol.isPositiveDefinite()) continue;
    const alpha = chol.solve(Matrix.columnVector(z));
    const L = chol.lowerTriangularMatrix;
    let logDet = 0;
    for (let i = 0; i < n; i++) logDet += 2 * Math.log(L.get(i, i));
    const lml = -0.5 * z.reduce((a, v, i) => a + v * alpha.get(i, 0), 0) - 0.5 * logDet;
    if (!best || lml > best.lml) best = { ell, chol, alpha, lml };
  }
  const b = best!;
  return {
    predict(x) {
      const k = X.map((xi) => matern52(dist(xi, x), b.ell));
      const mu = k.reduce((a, v, i) => a + v * b.alpha.get(i, 0), 0);
      const v = b.chol.solve(Matrix.columnVector(k));
      const varZ = Math.max(1e-12, 1 + 1e-4 - k.reduce((a, ki, i) => a + ki * v.get(i, 0), 0));
      return { mu: mean + sdY * mu, sd: sdY * Math.sqrt(varZ) };
    },
  };
}

function normCdf(x: number): number {
  // Abramowitz-Stegun 7.1.26 through erf
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const e = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-(x * x) / 2);
  return x >= 0 ? 0.5 * (1 + e) : 0.5 * (1 - e);
}
const normPdf = (x: number) => Math.exp(-(x * x) / 2) / Math.sqrt(2 * Math.PI);

/** Expected improvement (minimization) below `fBest`. */
function expectedImprovement(mu: number, sd: number, fBest: number): number {
  const u = (fBest - mu) / sd;
  return sd * (u * normCdf(u) + normPdf(u));
}

export async function bayesCoOpt(ev: HardwareEvaluator, opts: BayesOptions): Promise<CoOptPoint> {
  const run = startRun(opts);
  const t = ev.template;
  const r = rng(opts.seed);
  const V = t.variables.length;
  if (!ev.primed) await ev.prime(opts.seed, opts.timeLimit / 3);
  considerCache(ev, run, opts);
  const X: number[][] = [];
  const y: number[] = [];
  const seen = new Set<string>();
  let visited = 0;
  const limit = opts.samples ?? Infinity;
  const observe = async (list: Record<string, number>[]) => {
    const fresh = list.map((v) => legalizeValues(t, v)).filter((v) => !seen.has(hardwareKey(v)) && (seen.add(hardwareKey(v)), true));
    if (fresh.length === 0) return;
    const hws = await ev.evaluate(fresh, () => Math.max(1, run.left()));
    visited += fresh.length;
    const judged = hws.map((hw) => ev.judge(hw, opts.goal));
    run.tracker.consider(judged);
    judged.forEach((j, i) => {
      const f = target(j);
      X.push(toUnit(t, fresh[i]!));
      y.push(Number.isFinite(f) ? f : NaN);
    });
  };
  const n0 = Math.min(limit, opts.initial ?? 2 * V + 1);
  await observe([
    originalValues(t),
    ...Array.from({ length: n0 - 1 }, () =>
      fromUnit(
        t,
        Array.from({ length: V }, () => r()),
      ),
    ),
  ]);
  run.progress('initial design');
  const batch = opts.batch ?? 4;
  while (visited < limit && run.left() > opts.timeLimit / 4) {
    // points without any figure (no valid mapping) get the worst value seen plus one
    const finite = y.filter(Number.isFinite);
    const worst = finite.length > 0 ? Math.max(...finite) + 1 : 1;
    const Xs = [...X];
    const ys = y.map((v) => (Number.isFinite(v) ? v : worst));
    const proposals: Record<string, number>[] = [];
    const keys = new Set(seen);
    for (let q = 0; q < Math.min(batch, limit - visited); q++) {
      const gp = fitGp(Xs, ys);
      const fBest = Math.min(...ys);
      const order = ys.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
      const cands: number[][] = [];
      for (let k = 0; k < 600; k++) cands.push(Array.from({ length: V }, () => r()));
      for (const [, i] of order.slice(0, 5))
        for (let k = 0; k < 120; k++) cands.push(Xs[i]!.map((x) => Math.min(1, Math.max(0, x + 0.08 * gauss(r)))));
      let pick: { x: number[]; ei: number; vals: Record<string, number> } | null = null;
      for (const c of cands) {
        const vals = legalizeValues(t, fromUnit(t, c));
        if (keys.has(hardwareKey(vals))) continue;
        const p = gp.predict(c);
        const ei = expectedImprovement(p.mu, p.sd, fBest);
        if (!pick || ei > pick.ei) pick = { x: c, ei, vals };
      }
      if (!pick) break;
      keys.add(hardwareKey(pick.vals));
      proposals.push(pick.vals);
      // kriging believer: pretend the GP mean was observed, so the next pick of the batch goes elsewhere
      Xs.push(pick.x);
      ys.push(gp.predict(pick.x).mu);
    }
    if (proposals.length === 0) break;
    await observe(proposals);
    run.progress(`Bayesian optimization (${visited} points)`);
  }
  return finish(ev, run, opts, visited, true);
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(1e-12, r()))) * Math.cos(2 * Math.PI * r());
}
