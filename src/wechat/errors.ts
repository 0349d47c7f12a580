// WeChat answers errors with HTTP 200 and an errcode. Every non-zero errcode becomes a WeChatError with
// a class that decides what happens next (DESIGN §3):
//   token-invalid (40001, 40014, 42001): expire exactly that token, refresh, retry once
//   transient (-1, 45011, network failures, HTTP 5xx): back off with jitter, retry a bounded number of times
//   quota (45009): stop for the day, no retry
//   permanent (everything else): report
import { FailedError } from '../errors.js';
import { bareErrmsg, ERRCODES, ridOf, ridSuggestion } from './errcodes.js';

export type WeChatErrorClass = 'token-invalid' | 'transient' | 'quota' | 'permanent';

const TOKEN_INVALID = new Set([40001, 40014, 42001]);
const TRANSIENT = new Set([-1, 45011]);
const QUOTA = new Set([45009]);

export function classifyErrcode(errcode: number): WeChatErrorClass {
  if (TOKEN_INVALID.has(errcode)) return 'token-invalid';
  if (TRANSIENT.has(errcode)) return 'transient';
  if (QUOTA.has(errcode)) return 'quota';
  return 'permanent';
}

export class WeChatError extends FailedError {
  /** null when WeChat was not reached or answered with an HTTP error. */
  readonly errcode: number | null;
  readonly errmsg: string;
  /** The API path, e.g. `cgi-bin/message/template/send` — never the query, which carries a token. */
  readonly endpoint: string;
  readonly errorClass: WeChatErrorClass;
  readonly httpStatus?: number;
  /** WeChat's request id (from errmsg), for `wxplat rid`. */
  readonly rid: string | null;

  constructor(init: {
    errcode: number | null;
    errmsg: string;
    endpoint: string;
    errorClass?: WeChatErrorClass;
    httpStatus?: number;
  }) {
    const cls = init.errorClass ?? (init.errcode === null ? 'transient' : classifyErrcode(init.errcode));
    const rid = ridOf(init.errmsg);
    const what = init.errcode === null ? init.errmsg : `${init.errcode} ${bareErrmsg(init.errmsg)}`.trim();
    super(`WeChat ${init.endpoint}: ${what}${rid ? ` (rid ${rid})` : ''}`, weChatHint(init.errcode, rid));
    this.errcode = init.errcode;
    this.errmsg = init.errmsg;
    this.endpoint = init.endpoint;
    this.errorClass = cls;
    this.httpStatus = init.httpStatus;
    this.rid = rid;
  }
}

/** The errcode table's sentence and advice, and where to look the request up: the hint of every WeChat error. */
export function weChatHint(errcode: number | null, rid: string | null): string | undefined {
  const entry = errcode === null ? undefined : ERRCODES[errcode];
  const parts = [entry ? `${entry.meaning}: ${entry.action}` : null, ridSuggestion(rid)].filter((p): p is string => p !== null);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** Removes every secret the request carried from text WeChat (or the network layer) sent back. */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 6) out = out.split(s).join('…');
  }
  return out.replace(/(access_token|component_access_token)=[^&\s"]+/g, '$1=…');
}

/** Names under which WeChat's requests carry a token or a secret. */
const SECRET_FIELDS =
  'access_token|component_access_token|authorizer_access_token|authorizer_refresh_token|refresh_token|appsecret|component_appsecret|component_secret|secret|component_verify_ticket|authorization_code|auth_code|pre_auth_code|ticket';

/**
 * Masks the value of every token or secret in text WeChat shows back (a rid's request and answer):
 * `access_token=…` in a query, `"authorizer_refresh_token":"…"` in JSON.
 */
export function maskSecretFields(text: string): string {
  return text
    .replace(new RegExp(`\\b(${SECRET_FIELDS})=[^&\\s"]*`, 'g'), '$1=…')
    .replace(new RegExp(`("(?:${SECRET_FIELDS})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'g'), '$1"…"');
}
