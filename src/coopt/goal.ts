/** What co-optimization is asked for: budgets, or a weighted sum for the comparison of the two methods. */
export interface Budgets {
  power_mW: number | null;
  area_mm2: number | null;
}

/**
 * What a hardware point is judged by: the epsilon-constraint goal (fastest within power and area budgets) or a
 * weighted sum of normalized latency and power (area budget still binding), for the comparison of the two methods.
 */
export type Goal =
  | { kind: 'budget'; budgets: Budgets; /** minimized within the budgets (default latency) */ objective?: 'latency' | 'edp' }
  | { kind: 'weighted'; weight: number; norm: { cycles: number; power: number }; area_mm2: number | null };
