/** Local mode: the sweep's jobs on a pool of N runner processes on this machine, skipping jobs already done. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDone, recordOutcome, stagingDir, writeResults, type SweepSummary } from './results.js';
import { runJobInChild } from './spawn.js';
import { jobLabel, type Sweep } from './spec.js';

export interface LocalOptions {
  workers: number;
  onProgress?: (done: number, total: number, status: string) => void;
}

export async function runLocalSweep(sweep: Sweep, out: string, opts: LocalOptions): Promise<SweepSummary & { skipped: number }> {
  mkdirSync(join(out, 'jobs'), { recursive: true });
  const todo = sweep.jobs.filter((j) => !isDone(out, j));
  const skipped = sweep.jobs.length - todo.length;
  let next = 0;
  let finished = 0;
  opts.onProgress?.(0, todo.length, `${skipped} already done`);
  const lane = async () => {
    while (next < todo.length) {
      const job = todo[next++]!;
      const staged = stagingDir(out, job.id);
      let outcome;
      try {
        outcome = await runJobInChild(job, staged);
      } catch (e) {
        outcome = { id: job.id, status: 'failed' as const, label: jobLabel(job.input), reason: (e as Error).message };
      }
      recordOutcome(out, outcome, { staged });
      finished++;
      opts.onProgress?.(finished, todo.length, `${jobLabel(job.input)}: ${outcome.status}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.workers, todo.length)) }, lane));
  return { ...writeResults(out, sweep), skipped };
}
