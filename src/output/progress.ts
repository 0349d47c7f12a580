// A progress bar on stderr for long work, only when stderr is a terminal: cron and CI get nothing.
import type { IO } from './io.js';

export interface Progress {
  update(done: number, payload?: Record<string, string | number>): void;
  setTotal(total: number): void;
  stop(): void;
}

const silent: Progress = { update() {}, setTotal() {}, stop() {} };

export async function startProgress(io: IO, label: string, total: number, enabled = true): Promise<Progress> {
  if (!enabled || !io.stderr.isTTY) return silent;
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr,
      format: `${label} [{bar}] {value}/{total} {percentage}% | {eta_formatted} left`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update: (done, payload) => bar.update(done, payload),
    setTotal: (t) => bar.setTotal(t),
    stop: () => bar.stop(),
  };
}
