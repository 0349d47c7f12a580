// A Logger that writes one line per event to stderr: `time level message key=value…`, or one JSON
// object per line under --json.
//
// For `serve`, lines are gathered and written together once per turn of the event loop (`batched`):
// stderr on a file or a pipe is written synchronously, and `serve` logs every request — one write call
// for each was a tenth of the receiver's CPU in bench/serve. What is gathered is written before the
// command ends (flush), and when it grows past 64 KiB. Every other command writes each line at once, so
// that a line says what is happening as it happens.
import type { Logger } from '../logger.js';
import { escapeControl } from './escape.js';
import type { Output } from './output.js';

// Fields carry values from outside (an event type, an appid from a URL): no control character reaches
// the log as itself.
function formatValue(value: unknown): string {
  const text = escapeControl(typeof value === 'string' ? value : JSON.stringify(value));
  return /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

const FLUSH_AT = 64 * 1024;

export function stderrLogger(out: Output, now: () => Date = () => new Date(), options: { batched?: boolean } = {}): Logger & { flush(): void } {
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    out.io.stderr.write(text);
  };
  const emit = (line: string) => {
    if (!options.batched) {
      out.io.stderr.write(line);
      return;
    }
    pending += line;
    if (pending.length >= FLUSH_AT) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  const write = (level: string, message: string, fields: Record<string, unknown> = {}) => {
    if (out.json) {
      emit(`${JSON.stringify({ time: now().toISOString(), level, message, ...fields })}\n`);
      return;
    }
    let kv = '';
    for (const k in fields) {
      const v = fields[k];
      if (v !== undefined) kv += ` ${k}=${formatValue(v)}`;
    }
    const tag = level === 'error' ? out.ce.red(level) : level === 'warn' ? out.ce.yellow(level) : out.ce.dim(level);
    emit(`${out.ce.dim(now().toISOString())} ${tag} ${escapeControl(message)}${kv}\n`);
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    debug: (m, f) => {
      if (out.verbose) write('debug', m, f);
    },
    flush,
  };
}
