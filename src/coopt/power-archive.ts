/**
 * A layer's mapping archive for power budgets: non-dominated in (cycles, energy, power = energy / cycles). The plain
 * (cycles, energy) archive drops a slower mapping of about the same energy, yet that is exactly what a tight power
 * budget needs on a large array: the same work spread over more time (fewer PEs busy) draws less power. Without it a
 * large array looks infeasible at a small budget even though it has mappings that meet it.
 */
import { ParetoArchive, type Option } from '../mapper/archive.js';

const dominates = (x: Option, o: Option) => x.cycles <= o.cycles && x.energy <= o.energy && x.energy * o.cycles <= o.energy * x.cycles;

export class PowerParetoArchive extends ParetoArchive {
  /** bumped whenever the options change, so that judgements of a hardware point can be reused until then */
  version = 0;

  override offer(o: Option): boolean {
    if (!Number.isFinite(o.cycles) || !Number.isFinite(o.energy)) return false;
    for (const x of this.options) if (dominates(x, o)) return false;
    this.version++;
    this.options = this.options.filter((x) => !dominates(o, x));
    this.options.push(o);
    if (this.options.length > this.limit) this.spread();
    return true;
  }

  /** Keep an evenly spread subset in log cycles (both extremes included), the lowest-energy option of each stretch. */
  private spread(): void {
    const sorted = [...this.options].sort((a, b) => a.cycles - b.cycles);
    const lo = Math.log(sorted[0]!.cycles);
    const hi = Math.log(sorted[sorted.length - 1]!.cycles);
    const n = this.limit - 2;
    const keep = new Set<Option>([sorted[0]!, sorted[sorted.length - 1]!]);
    const bins: (Option | null)[] = Array.from({ length: n }, () => null);
    for (const o of sorted.slice(1, -1)) {
      const b = Math.min(n - 1, Math.floor(((Math.log(o.cycles) - lo) / Math.max(1e-12, hi - lo)) * n));
      if (!bins[b] || o.energy < bins[b]!.energy) bins[b] = o;
    }
    for (const o of bins) if (o) keep.add(o);
    this.options = sorted.filter((o) => keep.has(o));
  }
}
