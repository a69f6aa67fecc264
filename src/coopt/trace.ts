/**
 * The best budgeted result of a co-optimization run and its trace over time (when each improvement was found), shared
 * by our method and the baselines so that "time to reach a result" is measured the same way for all.
 */
import type { BudgetedResult } from './hardware-eval.js';

/** Better = feasible before infeasible; among feasible, a lower objective; among infeasible, a smaller overflow. */
export function better(a: BudgetedResult, b: BudgetedResult | null): boolean {
  if (!b) return true;
  if (a.feasible !== b.feasible) return a.feasible;
  if (a.feasible) return a.objective < b.objective * (1 - 1e-9) || (a.objective <= b.objective && a.energy_pJ < b.energy_pJ);
  return a.violation < b.violation;
}

export interface TracePoint {
  /** seconds since the run started */
  t: number;
  objective: number;
  latency_cycles: number;
  power_mW: number;
  area_mm2: number;
}

export class BestTracker {
  best: BudgetedResult | null = null;
  readonly trace: TracePoint[] = [];
  private readonly t0 = performance.now();

  elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }

  consider(rs: readonly BudgetedResult[]): void {
    for (const x of rs) {
      if (!better(x, this.best)) continue;
      this.best = x;
      if (x.feasible)
        this.trace.push({ t: this.elapsed(), objective: x.objective, latency_cycles: x.latency_cycles, power_mW: x.power_mW, area_mm2: x.area_mm2 });
    }
  }
}
