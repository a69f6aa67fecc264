/**
 * The sweep's output folder, the same in local and distributed mode:
 *   jobs/<id>/       the job's front folder (front.json, report.html, Timeloop files), moved in whole when done
 *   jobs/<id>.json   the job's outcome (done with its front, or failed with its one-line reason)
 *   results.jsonl    one line per budget point of every done job, rebuilt from the outcomes in sweep order, so each
 *                    job's points appear exactly once however often a job was run or collected
 *   sweep.html       every front on shared axes, filterable by network, template and method
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { jobSummary, type JobOutcome } from './run-job.js';
import type { Job, Sweep } from './spec.js';
import { sweepHtml } from './sweep-html.js';

export const jobDir = (out: string, id: string) => join(out, 'jobs', id);
const outcomeFile = (out: string, id: string) => join(out, 'jobs', `${id}.json`);

/** A fresh temp folder next to the job's final one (same file system, so the final move is a rename). */
export function stagingDir(out: string, id: string): string {
  const d = join(out, 'jobs', `.${id}.${process.pid}.${Date.now()}`);
  mkdirSync(d, { recursive: true });
  return d;
}

/** Record a job's outcome; a done job's staged folder (or shipped files) becomes jobs/<id>/. */
export function recordOutcome(out: string, outcome: JobOutcome, front: { staged: string } | { files: Record<string, string> } | null): void {
  const final = jobDir(out, outcome.id);
  mkdirSync(join(out, 'jobs'), { recursive: true });
  if (outcome.status === 'done' && front) {
    rmSync(final, { recursive: true, force: true });
    if ('staged' in front) renameSync(front.staged, final);
    else
      for (const [rel, text] of Object.entries(front.files)) {
        const p = join(final, rel);
        if (!p.startsWith(final + '/')) continue; // a shipped path never leaves the job's folder
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, text);
      }
  } else if (front && 'staged' in front) rmSync(front.staged, { recursive: true, force: true });
  const tmp = `${outcomeFile(out, outcome.id)}.tmp`;
  writeFileSync(tmp, JSON.stringify(outcome) + '\n');
  renameSync(tmp, outcomeFile(out, outcome.id));
}

export function readOutcome(out: string, id: string): JobOutcome | null {
  const f = outcomeFile(out, id);
  if (!existsSync(f)) return null;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as JobOutcome;
  } catch {
    return null; // a torn file counts as not done: the job runs again
  }
}

/** Done = outcome done and its front folder present. */
export function isDone(out: string, job: Job): boolean {
  return readOutcome(out, job.id)?.status === 'done' && existsSync(join(jobDir(out, job.id), 'front.json'));
}

export interface SweepSummary {
  jobs: number;
  done: number;
  failed: { id: string; label: string; reason: string }[];
  missing: number;
  points: number;
}

/** Rebuild results.jsonl and sweep.html from the recorded outcomes of the sweep's jobs. */
export function writeResults(out: string, sweep: Sweep): SweepSummary {
  mkdirSync(out, { recursive: true });
  const lines: string[] = [];
  const summary: SweepSummary = { jobs: sweep.jobs.length, done: 0, failed: [], missing: 0, points: 0 };
  const fronts: Parameters<typeof sweepHtml>[0] = [];
  for (const job of sweep.jobs) {
    const o = readOutcome(out, job.id);
    if (!o) summary.missing++;
    else if (o.status === 'failed') summary.failed.push({ id: o.id, label: o.label, reason: o.reason });
    else {
      summary.done++;
      const info = jobSummary(job.id, job.input);
      for (const p of o.front.points) lines.push(JSON.stringify({ ...info, front_dir: `jobs/${job.id}`, ...p }));
      summary.points += o.front.points.length;
      fronts.push({ ...info, points: o.front.points });
    }
  }
  writeFileSync(join(out, 'results.jsonl'), lines.length ? lines.join('\n') + '\n' : '');
  writeFileSync(join(out, 'sweep.html'), sweepHtml(fronts, summary));
  return summary;
}
