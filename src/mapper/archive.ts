/**
 * Per-layer archives of non-dominated (cycles, energy) mappings, filled by the mapping search as it scores, so that
 * co-optimization can later pick one mapping per layer under a power budget.
 */
import type { Point } from '../mapping/mapspace.js';

export interface Option {
  cycles: number;
  energy: number;
  point: Point;
}

/** Non-dominated (cycles, energy) points of one layer; ties keep the first seen. */
export class ParetoArchive {
  options: Option[] = [];
  constructor(readonly limit = 64) {}

  offer(o: Option): boolean {
    if (!Number.isFinite(o.cycles) || !Number.isFinite(o.energy)) return false;
    for (const x of this.options) if (x.cycles <= o.cycles && x.energy <= o.energy) return false;
    this.options = this.options.filter((x) => !(o.cycles <= x.cycles && o.energy <= x.energy));
    this.options.push(o);
    if (this.options.length > this.limit) this.thin();
    return true;
  }

  /** Keep an evenly spread subset (in log cycles) including both extremes. */
  private thin(): void {
    const sorted = [...this.options].sort((a, b) => a.cycles - b.cycles);
    const keep = new Set<Option>([sorted[0]!, sorted[sorted.length - 1]!]);
    const lo = Math.log(sorted[0]!.cycles);
    const hi = Math.log(sorted[sorted.length - 1]!.cycles);
    const n = this.limit - 2;
    let j = 0;
    for (let i = 1; i <= n; i++) {
      const target = lo + ((hi - lo) * i) / (n + 1);
      while (j < sorted.length - 1 && Math.log(sorted[j]!.cycles) < target) j++;
      keep.add(sorted[j]!);
    }
    this.options = sorted.filter((o) => keep.has(o));
  }
}
