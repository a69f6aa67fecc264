/** What the page sends a worker (one budget point) and what the worker answers: plain, structured-clonable data. */
import type { Mapping } from '../../src/mapping/mapping.js';
import type { FrontJson, FrontPoint } from '../../src/visualization/front.js';
import type { Setup } from './setup.js';
import type { ComponentPower } from './power.js';

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
 * One job of a run: `codesign pareto` on some of the run's budgets with one seed (the page splits the budgets over
 * the workers, and gives an unmet budget more seeds). A job with a warm start skips the priming search.
 */
export interface Job extends Pick<Setup, 'budgets' | 'area' | 'objective' | 'method' | 'time' | 'seed' | 'restarts'> {
  id: number;
  workload: WorkloadInput;
  hardware: HardwareInput;
  /** the tfjs backend to try first (?backend=), else the best the browser has */
  backend: string | null;
  /** an earlier job's primed mappings (its `done.warmStart`), or null to prime as the CLI does */
  warmStart: Mapping[][] | null;
}

/** One point with what the page shows and exports of it. */
export interface PointFiles {
  point: FrontPoint;
  /** its Timeloop files, paths under point.mappings_dir */
  files: [string, string][];
  /** per layer: the loop nest */
  loopNests: Record<string, string>;
  /** per component (storage levels, MACs): dynamic and leakage power */
  power: ComponentPower[];
}

export type WorkerMessage =
  /** the relaxed stage's tfjs backend, and on what it runs (the GPU's name, or CPU) */
  | { type: 'backend'; id: number; backend: string; detail: string }
  | { type: 'progress'; id: number; fraction: number; status: string }
  /** the best point so far of the budget the job is searching (kept if the run is stopped) */
  | ({ type: 'best'; id: number } & PointFiles)
  | {
      type: 'done';
      id: number;
      front: FrontJson;
      /** every point of the front (front.points[i] is points[i].point) */
      points: PointFiles[];
      /** per budget of the job (sorted as the sweep sorts them): why it could not be met, or null */
      infeasible: (string | null)[];
      /** the primed mappings, for other jobs (null on a template of several datawidths) */
      warmStart: Mapping[][] | null;
      seconds: number;
    }
  | { type: 'infeasible'; id: number; message: string }
  | { type: 'error'; id: number; message: string };
