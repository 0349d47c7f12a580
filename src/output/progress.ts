// A progress bar on stderr for long work, only when stderr is a terminal: cron and CI get nothing.
// The line is drawn to fit the terminal's width (a line longer than the terminal is cut or wraps into
// a mess as it redraws), and says "starting…" until the total is known instead of "0/0 100%".
import stringWidth from './string-width.js';
import type { IO } from './io.js';

export interface Progress {
  update(done: number, payload?: Record<string, string | number>): void;
  setTotal(total: number): void;
  stop(): void;
}

const silent: Progress = { update() {}, setTotal() {}, stop() {} };

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '…';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** One line of at most `columns - 1` columns (the last column would make some terminals wrap). */
export function progressLine(label: string, done: number, total: number | null, etaSeconds: number, columns: number): string {
  const room = Math.max(10, columns - 1);
  const fit = (text: string) => {
    if (stringWidth(text) <= room) return text;
    let cut = '';
    for (const char of text) {
      if (stringWidth(`${cut}${char}…`) > room) break;
      cut += char;
    }
    return `${cut}…`;
  };
  if (total === null) return fit(done > 0 ? `${label}: ${done.toLocaleString('en-US')} so far…` : `${label}: starting…`);
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const tail = ` ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${Math.floor(ratio * 100)}% | ${formatEta(etaSeconds)} left`;
  const barWidth = Math.min(40, room - stringWidth(label) - stringWidth(tail) - 3);
  if (barWidth < 5) return fit(`${label}${tail}`);
  const full = Math.round(ratio * barWidth);
  return `${label} [${'█'.repeat(full)}${'░'.repeat(barWidth - full)}]${tail}`;
}

/** `total` 0 or less: not known yet ("starting…") until setTotal gives one. */
export async function startProgress(io: IO, label: string, total: number, enabled = true): Promise<Progress> {
  if (!enabled || !io.stderr.isTTY) return silent;
  const { default: cliProgress } = await import('cli-progress');
  let known = total > 0;
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr,
      format: (_options, params) => progressLine(label, params.value, known ? params.total : null, params.eta, io.stderr.columns ?? 80),
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 0), 0);
  return {
    update: (done, payload) => bar.update(done, payload),
    setTotal: (t) => {
      known = true;
      bar.setTotal(t);
    },
    stop: () => bar.stop(),
  };
}
