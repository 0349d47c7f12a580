// WeChat not reached at all (no HTTP answer): the error names WXPLAT_API_BASE, its value and where the
// value came from, since a wrong or stale origin (a sandbox that is not running) is the usual cause.
import type { CommandContext } from '../context.js';
import { FailedError } from '../errors.js';

// Written out (config/load.ts names it too): the command-line front loads no configuration module.
const API_BASE = 'WXPLAT_API_BASE';

const NETWORK = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|timed? ?out|fetch failed|bad port)\b/i;

interface NotReached {
  message: string;
  errcode: null;
  errmsg: string;
  httpStatus?: undefined;
}

/** By shape: the command layer does not import the WeChat client to recognise its errors. */
function notReached(err: unknown): err is NotReached {
  if (!(err instanceof Error)) return false;
  const e = err as Partial<NotReached> & { endpoint?: unknown };
  return e.errcode === null && e.httpStatus === undefined && typeof e.endpoint === 'string' && NETWORK.test(String(e.errmsg));
}

function isLoopback(origin: string): boolean {
  const host = new URL(origin).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

const ORIGIN_WORDS: Record<string, string> = { environment: 'from the environment', '.env': 'from .env in this folder', default: 'the default' };

export function explainUnreachable(err: unknown, ctx: CommandContext): unknown {
  if (!notReached(err)) return err;
  let config;
  try {
    config = ctx.config();
  } catch {
    return err;
  }
  const base = config.apiBase;
  const origin = ORIGIN_WORDS[config.sources[API_BASE] ?? 'default'] ?? 'the default';
  const where = `${API_BASE} is ${base} (${origin})`;
  const hint = isLoopback(base)
    ? `${where}: is the sandbox running? Start it with \`wxplat sandbox\`, or point ${API_BASE} at WeChat`
    : `${where}: check that this host can reach it (DNS, firewall, proxy)`;
  return new FailedError(`${err.message} (WeChat was not reached)`, hint);
}
