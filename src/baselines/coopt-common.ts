/**
 * What the co-optimization baselines share with each other and with our method: the run's clock and best-result
 * tracker, the evaluator's warm start (mappings on the original hardware), the final mapping search on the winner and
 * the result (or the infeasibility) in the same form as `coOptimize`.
 */
import { InfeasibleError } from '../errors.js';
import type { CoOptOptions, CoOptPoint } from '../coopt/coopt.js';
import type { HardwareEvaluator } from '../coopt/hardware-eval.js';
import { BestTracker } from '../coopt/trace.js';
import type { HardwareTemplate } from '../hardware/template.js';

export interface Run {
  tracker: BestTracker;
  left(): number;
  progress(phase: string, fraction?: number): void;
}

export function startRun(opts: CoOptOptions): Run {
  const tracker = new BestTracker();
  const left = () => opts.timeLimit - tracker.elapsed();
  return {
    tracker,
    left,
    progress(phase) {
      const b = tracker.best;
      opts.onProgress?.(
        Math.min(1, tracker.elapsed() / opts.timeLimit),
        `${phase}${b && Number.isFinite(b.latency_cycles) ? `, best ${(b.latency_cycles / 1e6).toFixed(3)} Mcycles at ${b.power_mW.toFixed(1)} mW` : ''}`,
      );
    },
  };
}

/** Every hardware point the evaluator holds (this method's, or a sweep's other budgets') competes for this goal. */
export function considerCache(ev: HardwareEvaluator, run: Run, opts: CoOptOptions): void {
  run.tracker.consider([...ev.cache.values()].map((hw) => ev.judge(hw, opts.goal)));
}

/**
 * The end of a run: optionally a full mapping search on the winner (what our method does; methods whose inner loop is
 * our mapping search get it too), then the result, or an InfeasibleError with the tightest constraint.
 */
export async function finish(ev: HardwareEvaluator, run: Run, opts: CoOptOptions, visited: number, polish: boolean): Promise<CoOptPoint> {
  considerCache(ev, run, opts);
  const w = run.tracker.best;
  if (polish && w && run.left() > 2) {
    await ev.polish(w.hw, opts.seed, Math.min(run.left(), opts.timeLimit / 3));
    run.tracker.consider([ev.judge(w.hw, opts.goal)]);
    run.progress('mappings polished');
  }
  const best = run.tracker.best;
  if (!best || !best.feasible) throw new InfeasibleError(best?.reason ?? 'no hardware point of the template could be evaluated');
  return { goal: opts.goal, best, mappings: ev.mappings(best), visited, seconds: run.tracker.elapsed(), trace: run.tracker.trace };
}

/** A template point as a vector in [0,1]^V: each variable's log value scaled into its range (and back, legalized). */
export function toUnit(t: HardwareTemplate, values: Record<string, number>): number[] {
  return t.variables.map((v) => (v.max === v.min ? 0 : (Math.log(values[v.name]!) - Math.log(v.min)) / (Math.log(v.max) - Math.log(v.min))));
}
export function fromUnit(t: HardwareTemplate, x: readonly number[]): Record<string, number> {
  return Object.fromEntries(
    t.variables.map((v, i) => [v.name, Math.exp(Math.log(v.min) + Math.min(1, Math.max(0, x[i]!)) * (Math.log(v.max) - Math.log(v.min)))]),
  );
}
