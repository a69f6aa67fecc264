/**
 * The co-optimizer's `front.json`: the power-performance Pareto front found under a sweep of budgets, the
 * weighted-sum baseline front, and the hypervolume of each. Numbers are plain JSON numbers; a budget that is absent
 * is `null`.
 */

/** The budget a point was optimized under; `null` where that budget is absent. */
export interface FrontBudget {
  power_mW: number | null;
  area_mm2: number | null;
}

/** Free-form hardware description, e.g. `{template: "eyeriss-like", meshX: 14, meshY: 12, shared_glb_depth: 16384}`. */
export type FrontHardware = Record<string, unknown>;

/** One layer of the network at a point (optional in front.json). */
export interface FrontLayer {
  name: string;
  /** How many times the layer occurs in the network. */
  repeat: number;
  /** Cycles of one occurrence. */
  cycles: number;
  /** Energy of one occurrence, pJ. */
  energy_pJ: number;
  /** MAC utilization, 0..1. */
  utilization: number;
}

/** One design point: a hardware configuration with the per-layer mappings found for it, and what it costs. */
export interface FrontPoint {
  budget: FrontBudget;
  hardware: FrontHardware;
  latency_cycles: number;
  latency_ms: number;
  energy_pJ: number;
  power_mW: number;
  /** power_mW split into dynamic (Timeloop's energy / time) and leakage (static) power; absent in older files */
  power_breakdown_mW?: { dynamic: number; leakage: number };
  area_mm2: number;
  /** Where the point's per-layer Timeloop mappings were written. */
  mappings_dir: string;
  /** Per-layer breakdown, when the optimizer recorded it. */
  layers?: FrontLayer[];
  /** Whether the point meets its budget; absent means feasible. */
  feasible?: boolean;
}

export interface FrontJson {
  /** the co-optimization method that produced the points (`codesign pareto --method`); absent in older files */
  method?: string;
  /** whether leakage power was charged (`--no-leakage` turns it off) */
  leakage?: boolean;
  /** The budget-constrained front, one point per budget. */
  points: FrontPoint[];
  /** The weighted-sum baseline, when it was run. */
  weighted_sum?: { points: FrontPoint[] } | null;
  hypervolume?: { constrained: number | null; weighted_sum: number | null } | null;
  /**
   * When datawidths are swept (`--vary datawidth=4,8,16`): one front per width, each point's `hardware.datawidth`
   * saying which, and each width's hypervolume (top-level `hypervolume` is then null: the widths are not comparable).
   */
  datawidths?: { datawidth: number; template: string; hypervolume: { constrained: number | null; weighted_sum: number | null } }[];
}
