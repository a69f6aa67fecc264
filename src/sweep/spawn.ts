/** Run one job in a child process (child.ts), bounded by the job's time limit. */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { JobOutcome } from './run-job.js';
import { jobLabel, jobTimeLimitS, type Job } from './spec.js';

// under tsx the sources are .ts, in dist/ .js: the child is the sibling file of this one
const here = fileURLToPath(import.meta.url);
const childPath = here.replace(/spawn\.(ts|js)$/, 'child.$1');

export class JobCrash extends Error {}

export function runJobInChild(job: Job, dir: string, timeLimitS = jobTimeLimitS(job.input)): Promise<JobOutcome> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(childPath, [], {
      execArgv: process.execArgv.filter((a) => !a.startsWith('--test')),
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let settled = false;
    const done = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(() =>
        resolvePromise({
          id: job.id,
          status: 'failed',
          label: jobLabel(job.input),
          reason: `timed out: the job's time limit of ${timeLimitS} s was exceeded`,
        }),
      );
    }, timeLimitS * 1000);
    child.on('message', (m: { outcome?: JobOutcome; error?: string }) => {
      if (m.outcome) done(() => resolvePromise(m.outcome!));
      else done(() => reject(new JobCrash(`job ${job.id}: ${m.error}`)));
    });
    child.on('exit', (code, signal) => done(() => reject(new JobCrash(`job ${job.id}: runner exited (${signal ?? code}) without a result`))));
    child.on('error', (e) => done(() => reject(e)));
    child.send({ job, dir });
  });
}
