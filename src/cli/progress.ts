import cliProgress from 'cli-progress';

export interface Progress {
  update(fraction: number, status: string): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal; silent otherwise (pipes, CI, --json). */
export function progress(label: string, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {status}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1000, 0, { status: '' });
  return {
    update(fraction, status) {
      bar.update(Math.round(Math.min(1, Math.max(0, fraction)) * 1000), { status });
    },
    stop() {
      bar.stop();
    },
  };
}
