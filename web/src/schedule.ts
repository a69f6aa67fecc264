/**
 * How the page splits a run over its workers, and which point each budget keeps (pure, over plain data).
 * - First round: the sorted budgets in contiguous groups, one group per worker, each group `codesign pareto` on those
 *   budgets with the run's seed (so one worker is exactly the CLI's run); spare workers search the tightest budgets
 *   again with seeds seed + 1000, seed + 2000, ...
 * - A budget no job met gets up to `retries` more rounds: every worker searches the unmet budgets with a new seed for
 *   twice the time per point (a tight budget is the one a time-limited search misses), from the first job's warm
 *   start (no priming again).
 * - Each budget keeps the best point any job found for it, or a point another job found within it.
 */
import type { FrontPoint } from '../../src/visualization/front.js';
import type { PointFiles } from './job.js';

export interface JobPlan {
  budgets: (number | null)[];
  seed: number;
  /** start from the first job's primed mappings */
  warm: boolean;
  /** the job's time per point, in units of the run's */
  timeScale: number;
}

/** A retry searches an unmet budget this many times the run's time per point (it does not prime again). */
export const RETRY_TIME_SCALE = 2;

const SEED_STEP = 1000;

/** The first round's jobs for `n` workers; `used` is how many seeds (of seed + 1000 k) it spends. */
export function firstRound(budgets: readonly (number | null)[], n: number, seed: number): { jobs: JobPlan[]; used: number } {
  const groups = Math.min(n, budgets.length);
  const jobs: JobPlan[] = [];
  for (let g = 0, at = 0; g < groups; g++) {
    const size = Math.floor(budgets.length / groups) + (g < budgets.length % groups ? 1 : 0);
    jobs.push({ budgets: budgets.slice(at, at + size), seed, warm: false, timeScale: 1 });
    at += size;
  }
  for (let k = 0; k < n - groups; k++)
    jobs.push({ budgets: [budgets[k % budgets.length]!], seed: seed + SEED_STEP * (1 + Math.floor(k / budgets.length)), warm: false, timeScale: 1 });
  return { jobs, used: 1 + Math.ceil((n - groups) / budgets.length) };
}

/** A retry round: every worker on one of the unmet budgets (tightest first), each with a seed not used yet and twice the time. */
export function retryRound(unmet: readonly (number | null)[], n: number, seed: number, used: number): { jobs: JobPlan[]; used: number } {
  const jobs = Array.from({ length: n }, (_, k) => ({
    budgets: [unmet[k % unmet.length]!],
    seed: seed + SEED_STEP * (used + k),
    warm: true,
    timeScale: RETRY_TIME_SCALE,
  }));
  return { jobs, used: used + n };
}

/** A point a job found: final (its sweep ended) or its best so far (the job was still running). */
export interface Found extends PointFiles {
  job: number;
  /** the budgets the job searched */
  jobBudgets: (number | null)[];
  seed: number;
  final: boolean;
}

export interface Chosen extends PointFiles {
  job: number;
  seed: number;
  final: boolean;
}

/**
 * Per budget, the best feasible point: among the points found for that budget, and the points of jobs that did not
 * search it whose power is within it (a job's own sweep already chose among its own points for its budgets, as the
 * CLI does, so a single job's front stays the CLI's). Lower latency (or EDP) wins; ties go to final points, then
 * to the earlier job.
 */
export function chooseBest(found: readonly Found[], budgets: readonly (number | null)[], objective: 'latency' | 'edp'): Chosen[] {
  const score = (p: FrontPoint) => (objective === 'edp' ? p.energy_pJ * p.latency_cycles : p.latency_cycles);
  const out: Chosen[] = [];
  for (const b of budgets) {
    let best: Found | null = null;
    for (const f of found) {
      if (f.point.feasible === false) continue;
      const own = f.point.budget.power_mW === b;
      const within = b !== null && !f.jobBudgets.includes(b) && f.point.power_mW <= b * (1 + 1e-6);
      if (!own && !within) continue;
      if (
        best === null ||
        score(f.point) < score(best.point) ||
        (score(f.point) === score(best.point) && ((f.final && !best.final) || (f.final === best.final && f.job < best.job)))
      )
        best = f;
    }
    if (!best) continue;
    out.push({
      point: { ...best.point, budget: { ...best.point.budget, power_mW: b } },
      files: best.files,
      loopNests: best.loopNests,
      power: best.power,
      job: best.job,
      seed: best.seed,
      final: best.final,
    });
  }
  return out;
}
