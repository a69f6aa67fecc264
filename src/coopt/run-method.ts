/** One budget point by any co-optimization method of COOPT_METHODS, on a shared evaluator. */
import { bayesCoOpt } from '../baselines/coopt-bayes.js';
import { digammaCoOpt } from '../baselines/coopt-digamma.js';
import { gradientCoOpt } from '../baselines/coopt-gradient.js';
import { randomCoOpt } from '../baselines/coopt-random.js';
import { coOptimize, type CoOptOptions, type CoOptPoint } from './coopt.js';
import type { HardwareEvaluator } from './hardware-eval.js';
import type { CoOptMethod } from './methods.js';

export const COOPT_RUNNERS: Record<CoOptMethod, (ev: HardwareEvaluator, opts: CoOptOptions) => Promise<CoOptPoint>> = {
  codesign: coOptimize,
  digamma: digammaCoOpt,
  gradient: gradientCoOpt,
  bayes: bayesCoOpt,
  random: randomCoOpt,
};

export function runCoOptMethod(method: CoOptMethod, ev: HardwareEvaluator, opts: CoOptOptions): Promise<CoOptPoint> {
  return COOPT_RUNNERS[method](ev, opts);
}
