/** What the page sends a worker (one budget point) and what the worker answers: plain, structured-clonable data. */
import type { FrontJson } from '../../src/visualization/front.js';
import type { Setup } from './setup.js';

export type WorkloadInput =
  | { kind: 'network'; name: string }
  | { kind: 'problem'; text: string; file: string }
  /** an ONNX model's bytes, with `--input-shape` specs (NAME=D1,D2,...) for its dynamic inputs */
  | { kind: 'onnx'; bytes: Uint8Array; file: string; inputShapes: string[] };
export type HardwareInput =
  | { kind: 'template'; name: string }
  | {
      kind: 'timeloop';
      arch: { text: string; file: string };
      ert?: { text: string; file: string };
      art?: { text: string; file: string };
      vary?: string;
    };

/**
 * One worker's share of a run: the whole sweep of every budget, as `codesign pareto` runs it, with its own seed
 * (worker k searches from seed + 1000 k; worker 0 is the CLI's run, the others a portfolio the page picks from).
 */
export interface Job extends Pick<Setup, 'budgets' | 'area' | 'objective' | 'method' | 'time' | 'seed'> {
  id: number;
  workload: WorkloadInput;
  hardware: HardwareInput;
  /** the tfjs backend to try first (?backend=), else the best the browser has */
  backend: string | null;
}

export type WorkerMessage =
  | { type: 'backend'; id: number; backend: string }
  | { type: 'progress'; id: number; fraction: number; status: string }
  | {
      type: 'done';
      id: number;
      front: FrontJson;
      files: [string, string][];
      /** per point (its mappings_dir), per layer: the loop nest */
      loopNests: Record<string, Record<string, string>>;
      /** per budget (sorted as the sweep sorts them): why it could not be met, or null */
      infeasible: (string | null)[];
      seconds: number;
    }
  | { type: 'infeasible'; id: number; message: string }
  | { type: 'error'; id: number; message: string };
