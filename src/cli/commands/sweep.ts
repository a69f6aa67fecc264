import type { Command } from 'commander';
import { cpus } from 'node:os';
import { InfeasibleError, InputError, show } from '../../errors.js';
import { loadSweep } from '../../sweep/spec.js';
import { runLocalSweep } from '../../sweep/local.js';
import { collect, connect, enqueue, follow, queueCounts, startWorker, DEFAULT_LOCK_S } from '../../sweep/queue.js';
import type { SweepSummary } from '../../sweep/results.js';
import { prepareOutputDir } from '../out-dir.js';
import { progress } from '../progress.js';
import { printError } from '../stderr.js';
import { parseSeconds } from './optimize.js';

function count(v: string, flag: string): number {
  const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InputError(flag, flag.replace(/^--/, ''), 'a positive integer', show(v));
  return n;
}

/**
 * A subcommand's options: `sweep status --queue URL` gives --queue to the parent `sweep` (which has its own), so the
 * merged options are read, and the required ones checked here.
 */
function subOpts(cmd: Command, required: string[]): Record<string, unknown> {
  const o = cmd.optsWithGlobals();
  for (const flag of required)
    if (o[flag.slice(2)] === undefined) throw new InputError('command line', flag, `a value (required by sweep ${cmd.name()})`, 'nothing');
  return o;
}

/** The end of a sweep: failed jobs one line each, a summary, exit 1 when any job failed. */
function report(s: SweepSummary, out: string, extra = ''): void {
  for (const f of s.failed) printError(`job ${f.id} (${f.label}) failed: ${f.reason}`);
  process.stdout.write(
    `${s.done} of ${s.jobs} jobs done${s.failed.length ? `, ${s.failed.length} failed` : ''}${s.missing ? `, ${s.missing} not finished` : ''}${extra}: ` +
      `${s.points} Pareto points in ${out}/results.jsonl, fronts in ${out}/jobs/, all on shared axes in ${out}/sweep.html\n`,
  );
  if (s.failed.length) process.exitCode = 1;
}

export function registerSweep(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('Run a design-space sweep file (networks x templates x methods x seeds, one Pareto front each) locally or on BullMQ workers')
    .argument('[file]', 'the sweep YAML file')
    .option('--out <dir>', 'results.jsonl, sweep.html and one front folder per job (jobs/<id>/)')
    .option('--workers <n>', 'local mode: runner processes on this machine', String(Math.max(1, Math.min(4, cpus().length))))
    .option('--queue <url>', 'distributed mode: enqueue on the BullMQ queue at this Redis URL (redis://HOST:PORT)')
    .option('--detach', 'distributed mode: enqueue and return at once (collect later with `codesign sweep collect`)')
    .option('--json', 'print the summary as JSON (no progress bar)')
    .addHelpText(
      'after',
      [
        '',
        'A job is one (network, template, method, seed): one Pareto front over the power budgets. Its id is a hash of',
        'all its inputs (file contents included); jobs already done in --out are skipped (resume).',
        '',
        'Examples:',
        '  $ codesign sweep study.yaml --out out/study --workers 2          # local pool of 2 processes',
        '  $ codesign sweep study.yaml --queue redis://10.0.0.5:6379 --out out/study',
        '  $ codesign worker --queue redis://10.0.0.5:6379 --concurrency 2   # on every machine',
        '  $ codesign sweep status --queue redis://10.0.0.5:6379',
        '  $ codesign sweep collect study.yaml --queue redis://10.0.0.5:6379 --out out/study',
      ].join('\n'),
    )
    .action(async (file: string | undefined, opts: { out?: string; workers: string; queue?: string; detach?: boolean; json?: boolean }) => {
      if (file === undefined) throw new InputError('command line', 'sweep', 'a sweep YAML file (or `sweep status` / `sweep collect`)', 'nothing');
      if (opts.out === undefined) throw new InputError('command line', '--out', 'an output folder', 'nothing');
      const workers = count(opts.workers, '--workers');
      if (opts.detach && !opts.queue) throw new InputError('command line', '--detach', 'only with --queue', 'given alone');
      const s = loadSweep(file);
      const out = prepareOutputDir(opts.out, '--out');
      const bar = progress(`sweep ${s.jobs.length} jobs`, !opts.json);
      let summary: SweepSummary;
      let extra = '';
      if (opts.queue) {
        const redis = await connect(opts.queue);
        try {
          const e = await enqueue(redis, s, out);
          if (opts.detach) {
            process.stdout.write(`enqueued ${e.added} jobs (${e.skipped} already done in ${out}) on ${opts.queue}\n`);
            return;
          }
          summary = await follow(redis, s, out, (f, t) => bar.update(f / t, `${f} of ${t} jobs finished`));
        } finally {
          redis.disconnect();
        }
      } else {
        const r = await runLocalSweep(s, out, { workers, onProgress: (d, t, st) => bar.update(t ? d / t : 1, st) });
        summary = r;
        if (r.skipped) extra = ` (${r.skipped} skipped: already done)`;
      }
      bar.stop();
      if (opts.json) {
        process.stdout.write(JSON.stringify(summary) + '\n');
        if (summary.failed.length) process.exitCode = 1;
      } else report(summary, out, extra);
      if (summary.done === 0 && summary.failed.length) throw new InfeasibleError(`no job of the sweep finished: ${summary.failed[0]!.reason}`);
    });

  sweep
    .command('status')
    .description('Counts of the BullMQ sweep queue: waiting, active, done, failed')
    .option('--queue <url>', 'the Redis URL (redis://HOST:PORT)')
    .option('--json', 'print {"waiting", "active", "done", "failed"}')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = subOpts(cmd, ['--queue']) as { queue: string; json?: boolean };
      const redis = await connect(opts.queue);
      try {
        const c = await queueCounts(redis);
        process.stdout.write(opts.json ? JSON.stringify(c) + '\n' : `waiting ${c.waiting}, active ${c.active}, done ${c.done}, failed ${c.failed}\n`);
      } finally {
        redis.disconnect();
      }
    });

  sweep
    .command('collect')
    .description("Write the results of a sweep's finished jobs from the queue to --out")
    .argument('<file>', 'the sweep YAML file')
    .option('--queue <url>', 'the Redis URL (redis://HOST:PORT)')
    .option('--out <dir>', 'output folder')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const opts = subOpts(cmd, ['--queue', '--out']) as { queue: string; out: string; json?: boolean };
      const s = loadSweep(file);
      const out = prepareOutputDir(opts.out, '--out');
      const redis = await connect(opts.queue);
      try {
        const r = await collect(redis, s, out);
        if (opts.json) process.stdout.write(JSON.stringify(r) + '\n');
        else report(r, out, r.pending ? ` (${r.pending} still waiting or running)` : '');
      } finally {
        redis.disconnect();
      }
    });
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('Run sweep jobs from the BullMQ queue (on any number of machines) until stopped (SIGINT/SIGTERM)')
    .requiredOption('--queue <url>', 'the Redis URL (redis://HOST:PORT)')
    .option('--concurrency <n>', 'jobs at a time, each in its own process', '1')
    .option('--lock <s>', "job lock duration in seconds: a dead worker's job is retaken after about twice this", String(DEFAULT_LOCK_S))
    .action(async (opts: { queue: string; concurrency: string; lock: string }) => {
      const concurrency = count(opts.concurrency, '--concurrency');
      const lockS = parseSeconds(opts.lock, '--lock');
      const redis = await connect(opts.queue);
      const w = await startWorker(redis, { concurrency, lockS, onEvent: (l) => process.stderr.write(`codesign worker: ${l}\n`) });
      process.stderr.write(`codesign worker: waiting for jobs on ${opts.queue} (concurrency ${concurrency})\n`);
      await new Promise<void>((resolveStop) => {
        const stop = () => {
          w.close().finally(() => {
            redis.disconnect();
            resolveStop();
          });
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
