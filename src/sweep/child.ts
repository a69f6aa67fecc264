/**
 * A job runner process: receives one job over IPC, runs it into the given folder, sends the outcome back and exits.
 * One process per job keeps the parent's event loop free (BullMQ lock renewal, progress) and a crash contained.
 */

import { rmSync } from 'node:fs';
import { runJob } from './run-job.js';
import type { Job } from './spec.js';

let staged: string | null = null;
// the parent died (e.g. a SIGKILLed worker): stop too, so that the job runs only where BullMQ retakes it
process.on('disconnect', () => {
  if (staged) rmSync(staged, { recursive: true, force: true });
  process.exit(1);
});

process.once('message', (msg: { job: Job; dir: string }) => {
  staged = msg.dir;
  runJob(msg.job, msg.dir).then(
    (outcome) => {
      staged = null; // the parent owns the folder from here
      process.send!({ outcome }, () => process.exit(0));
    },
    (e: unknown) => process.send!({ error: e instanceof Error ? e.message.split('\n')[0] : String(e) }, () => process.exit(3)),
  );
});
