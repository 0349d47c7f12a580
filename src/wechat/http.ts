// One HTTP transport for every WeChat endpoint: ofetch over keep-alive connections, a timeout per
// request, the body read as text and parsed without losing 64-bit ids, and any errcode turned into a
// WeChatError. No retries here: retry decisions live in retry.ts.
import { ofetch, type FetchError } from 'ofetch';
import { WeChatError, scrub } from './errors.js';
import { parseJsonLossless } from './json.js';

export interface WeChatRequest {
  method: 'GET' | 'POST';
  /** e.g. `cgi-bin/component/api_component_token` */
  endpoint: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Values to remove from any error text (tokens, secrets in the body). */
  secrets?: readonly (string | undefined)[];
}

export interface HttpOptions {
  apiBase: string;
  timeoutMs?: number;
}

export interface WeChatHttp {
  readonly apiBase: string;
  call<T>(request: WeChatRequest): Promise<T>;
}

/** What went wrong below HTTP, in a few words: undici nests the system error two causes deep. */
function networkReason(err: unknown, timeoutMs: number): string {
  const chain: Array<{ name?: string; code?: unknown; message?: string }> = [];
  for (let e = err as { cause?: unknown } | undefined, i = 0; e && i < 4; e = e.cause as typeof e, i++) chain.push(e as never);
  if (chain.some((e) => e.name === 'TimeoutError' || e.name === 'AbortError')) return `timed out after ${timeoutMs} ms`;
  const code = chain.map((e) => e.code).find((c) => typeof c === 'string');
  return (code) ?? chain[chain.length - 1]?.message ?? 'network error';
}

export function createHttp(options: HttpOptions): WeChatHttp {
  const base = options.apiBase.replace(/\/+$/, '');
  const timeout = options.timeoutMs ?? 15_000;
  return {
    apiBase: base,
    async call<T>(req: WeChatRequest): Promise<T> {
      const secrets = [...(req.secrets ?? []), ...Object.values(req.query ?? {})];
      let text: string;
      try {
        text = await ofetch<string, 'text'>(`${base}/${req.endpoint}`, {
          method: req.method,
          query: req.query,
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
          headers: req.body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
          responseType: 'text',
          timeout,
          retry: 0,
        });
      } catch (err) {
        const e = err as FetchError;
        const status = e.response?.status ?? e.statusCode;
        const reason = status ? `HTTP ${status}` : networkReason(err, timeout);
        throw new WeChatError({
          errcode: null,
          errmsg: scrub(String(reason), secrets),
          endpoint: req.endpoint,
          // 4xx from WeChat's edge means the request itself is wrong: retrying will not help.
          errorClass: status && status >= 400 && status < 500 ? 'permanent' : 'transient',
          httpStatus: status,
        });
      }
      let body: unknown;
      try {
        body = parseJsonLossless(text);
      } catch {
        throw new WeChatError({ errcode: null, errmsg: 'the answer was not JSON', endpoint: req.endpoint, errorClass: 'transient' });
      }
      const errcode = (body as { errcode?: unknown } | null)?.errcode;
      if (errcode !== undefined && errcode !== null && Number(errcode) !== 0) {
        const raw = (body as { errmsg?: unknown }).errmsg;
        const errmsg = typeof raw === 'string' ? raw : raw == null ? '' : JSON.stringify(raw);
        throw new WeChatError({ errcode: Number(errcode), errmsg: scrub(errmsg, secrets), endpoint: req.endpoint });
      }
      return body as T;
    },
  };
}
