// A Logger that writes one line per event to stderr: `time level message key=value…`, or one JSON
// object per line under --json.
import type { Logger } from '../logger.js';
import { escapeControl } from './escape.js';
import type { Output } from './output.js';

// Fields carry values from outside (an event type, an appid from a URL): no control character reaches
// the log as itself.
function formatValue(value: unknown): string {
  const text = escapeControl(typeof value === 'string' ? value : JSON.stringify(value));
  return /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

export function stderrLogger(out: Output, now: () => Date = () => new Date()): Logger {
  const write = (level: string, message: string, fields: Record<string, unknown> = {}) => {
    if (out.json) {
      out.io.stderr.write(`${JSON.stringify({ time: now().toISOString(), level, message, ...fields })}\n`);
      return;
    }
    const kv = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${formatValue(v)}`)
      .join(' ');
    const tag = level === 'error' ? out.ce.red(level) : level === 'warn' ? out.ce.yellow(level) : out.ce.dim(level);
    out.io.stderr.write(`${out.ce.dim(now().toISOString())} ${tag} ${escapeControl(message)}${kv ? ` ${kv}` : ''}\n`);
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    debug: (m, f) => {
      if (out.verbose) write('debug', m, f);
    },
  };
}
