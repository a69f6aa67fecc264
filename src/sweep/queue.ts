/**
 * Distributed mode on BullMQ (Redis). The queue holds self-contained jobs (every input file inside), keyed by the
 * job id, so that enqueuing the same sweep twice adds nothing: BullMQ ignores an add whose jobId exists.
 *
 * Settings (see README "Sweeps"):
 * - lockDuration (default 30 s) / stalledInterval (= lockDuration): a worker holds a lock on its active job, renewed
 *   every lockDuration/2 by its event loop, which stays free because the job runs in a child process. A worker
 *   killed with SIGKILL stops renewing; the next stalled check of any live worker moves its job back to waiting,
 *   where another worker takes it. So a dead worker's job restarts after at most about 2 x lockDuration.
 * - maxStalledCount 2: a job whose worker died three times is failed ("job stalled more than allowable limit")
 *   rather than retaken forever.
 * - attempts 3 with a 5 s backoff for crashes of the runner (an error that may not repeat); bad input, infeasible
 *   budgets and time-outs throw UnrecoverableError: failed at once with the one-line reason.
 * - removeOnComplete/removeOnFail false: results stay in Redis until collected (and after: collect is repeatable).
 *   With Redis persistence on (appendonly yes) a Redis restart loses no finished result.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { InputError, show } from '../errors.js';
import { readFolder, type JobOutcome } from './run-job.js';
import { runJobInChild } from './spawn.js';
import { jobLabel, type Job, type Sweep } from './spec.js';
import { recordOutcome, writeResults, type SweepSummary, isDone } from './results.js';

export const QUEUE_NAME = 'codesign-sweep';
export const DEFAULT_LOCK_S = 30;

/** The job's return value in Redis: the outcome and its front folder's files. */
interface Shipped {
  outcome: JobOutcome & { status: 'done' };
  files: Record<string, string>;
}

/** `redis://HOST:PORT` (optionally `redis://:password@HOST:PORT/DB`), checked before anything connects. */
export function parseQueueUrl(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InputError('--queue', 'queue', 'a Redis URL redis://HOST:PORT', show(v));
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new InputError('--queue', 'queue', 'a Redis URL redis://HOST:PORT', show(v));
  return v;
}

/** A connection for BullMQ; the first ping is bounded so that an unreachable server is one error line, not a hang. */
export async function connect(url: string, timeoutS = 10): Promise<Redis> {
  const redis = new Redis(parseQueueUrl(url), { maxRetriesPerRequest: null, lazyConnect: true });
  redis.on('error', () => {}); // reconnects are ioredis' job; a failed first ping is reported below
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutS * 1000)),
    ]);
  } catch {
    redis.disconnect();
    throw new InputError('--queue', 'queue', `a reachable Redis server (none answered within ${timeoutS} s)`, show(url));
  }
  return redis;
}

export async function enqueue(redis: Redis, sweep: Sweep, out: string | null): Promise<{ added: number; skipped: number }> {
  const queue = new Queue(QUEUE_NAME, { connection: redis as ConnectionOptions });
  const todo = sweep.jobs.filter((j) => out === null || !isDone(out, j));
  // BullMQ ignores an add whose jobId exists (waiting, active, done or failed): an identical job is never run twice
  await queue.addBulk(
    todo.map((j) => ({
      name: 'front',
      data: j,
      opts: { jobId: j.id, attempts: 3, backoff: { type: 'fixed', delay: 5000 }, removeOnComplete: false, removeOnFail: false },
    })),
  );
  await queue.close();
  return { added: todo.length, skipped: sweep.jobs.length - todo.length };
}

export interface Counts {
  waiting: number;
  active: number;
  done: number;
  failed: number;
}

export async function queueCounts(redis: Redis): Promise<Counts> {
  const queue = new Queue(QUEUE_NAME, { connection: redis as ConnectionOptions });
  const c = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed');
  await queue.close();
  return { waiting: c.waiting! + c.delayed! + c.prioritized!, active: c.active!, done: c.completed!, failed: c.failed! };
}

/**
 * Write the results of the sweep's finished jobs to `out` (front folders, outcomes, results.jsonl, sweep.html).
 * Returns the summary and how many of the sweep's jobs are still waiting or running.
 */
export async function collect(redis: Redis, sweep: Sweep, out: string): Promise<SweepSummary & { pending: number }> {
  const queue = new Queue(QUEUE_NAME, { connection: redis as ConnectionOptions });
  let pending = 0;
  for (const job of sweep.jobs) {
    if (isDone(out, job)) continue;
    const j = await queue.getJob(job.id);
    const state = j ? await j.getState() : 'unknown';
    if (j && state === 'completed') {
      const r = j.returnvalue as Shipped;
      recordOutcome(out, r.outcome, { files: r.files });
    } else if (j && state === 'failed') {
      recordOutcome(out, { id: job.id, status: 'failed', label: jobLabel(job.input), reason: j.failedReason }, null);
    } else if (state !== 'unknown') pending++;
  }
  await queue.close();
  return { ...writeResults(out, sweep), pending };
}

/** Follow the sweep's jobs until none is waiting or running, collecting as they finish. */
export async function follow(
  redis: Redis,
  sweep: Sweep,
  out: string,
  onProgress: (finished: number, total: number) => void,
  pollS = 1,
): Promise<SweepSummary> {
  for (;;) {
    const s = await collect(redis, sweep, out);
    onProgress(s.jobs - s.pending, s.jobs);
    if (s.pending === 0) return s;
    await new Promise((r) => setTimeout(r, pollS * 1000));
  }
}

export interface WorkerOptions {
  concurrency: number;
  lockS?: number;
  onEvent?: (line: string) => void;
}

/** A BullMQ worker running sweep jobs, each in its own runner process. Resolves with a close function. */
export async function startWorker(redis: Redis, opts: WorkerOptions): Promise<{ close: () => Promise<void> }> {
  const lockDuration = (opts.lockS ?? DEFAULT_LOCK_S) * 1000;
  const worker = new Worker<Job, Shipped>(
    QUEUE_NAME,
    async (bj) => {
      const job = bj.data;
      const staged = mkdtempSync(join(tmpdir(), `codesign-job-${job.id}-`));
      try {
        const outcome = await runJobInChild(job, staged);
        if (outcome.status === 'failed') throw new UnrecoverableError(outcome.reason);
        return { outcome, files: readFolder(staged) };
      } finally {
        rmSync(staged, { recursive: true, force: true });
      }
    },
    {
      connection: redis as ConnectionOptions,
      concurrency: opts.concurrency,
      lockDuration,
      stalledInterval: lockDuration,
      maxStalledCount: 2,
    },
  );
  worker.on('active', (j) => opts.onEvent?.(`started ${j.id} (${jobLabel(j.data.input)})`));
  worker.on('completed', (j) => opts.onEvent?.(`done ${j.id}`));
  worker.on('failed', (j, e) => opts.onEvent?.(`failed ${j?.id}: ${e.message.split('\n')[0]}`));
  worker.on('error', (e) => opts.onEvent?.(`worker error: ${e.message.split('\n')[0]}`));
  await worker.waitUntilReady();
  return { close: () => worker.close() };
}
