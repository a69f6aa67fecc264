/**
 * The co-optimization methods `codesign pareto --method` takes: ours (`codesign`, the default) and the baselines we
 * compare against (src/baselines/coopt-*.ts). Sweep files, the web app and the CLI validate method names against this
 * one list.
 */
export const COOPT_METHODS = ['codesign', 'digamma', 'gradient', 'bayes', 'random'] as const;
export type CoOptMethod = (typeof COOPT_METHODS)[number];

export function isCoOptMethod(name: string): name is CoOptMethod {
  return (COOPT_METHODS as readonly string[]).includes(name);
}
