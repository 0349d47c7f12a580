// WeChat answers errors with HTTP 200 and an errcode. Every non-zero errcode becomes a WeChatError with
// a class that decides what happens next (DESIGN §3):
//   token-invalid (40001, 40014, 42001): expire exactly that token, refresh, retry once
//   transient (-1, 45011, network failures, HTTP 5xx): back off with jitter, retry a bounded number of times
//   quota (45009): stop for the day, no retry
//   permanent (everything else): report
import { FailedError } from '../errors.js';

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

/** What an operator should do about some errcodes, in one line. */
const ADVICE: Record<number, string> = {
  40125: 'WXPLAT_COMPONENT_APPSECRET is wrong: copy it again from the Open Platform console',
  40013: 'the appid is wrong',
  61004: "this machine's IP is not on the platform's whitelist (开放平台 → 第三方平台 → 开发资料 → 白名单)",
  61005: 'the component_verify_ticket expired: WeChat must reach `wxplat serve` to push a new one',
  61006: 'the component_verify_ticket is invalid: check WXPLAT_COMPONENT_AES_KEY and that `wxplat serve` stores the latest push',
  61003: 'the account is no longer authorized to this platform: run `wxplat account authorize` again',
  61023: 'the refresh token is invalid: the account must authorize again (`wxplat account authorize`)',
  61009: 'the authorization code is invalid or was already used: authorize again',
  61010: 'the authorization code expired: authorize again',
  48001: 'the account has not granted this permission set to the platform (needs 群发与通知 / 用户管理)',
  43100: 'WeChat allows one industry change a month',
  45009: "the account's daily quota for this API is used up; it resets at midnight Beijing time",
  40037: 'the template_id is not one of this account\'s templates: run `wxplat template sync`',
  40247: 'historical TM/OPENTM templates can no longer be added: use a category template id',
};

export class WeChatError extends FailedError {
  /** null when WeChat was not reached or answered with an HTTP error. */
  readonly errcode: number | null;
  readonly errmsg: string;
  /** The API path, e.g. `cgi-bin/message/template/send` — never the query, which carries a token. */
  readonly endpoint: string;
  readonly errorClass: WeChatErrorClass;
  readonly httpStatus?: number;

  constructor(init: {
    errcode: number | null;
    errmsg: string;
    endpoint: string;
    errorClass?: WeChatErrorClass;
    httpStatus?: number;
  }) {
    const cls = init.errorClass ?? (init.errcode === null ? 'transient' : classifyErrcode(init.errcode));
    const what = init.errcode === null ? init.errmsg : `${init.errcode} ${init.errmsg}`;
    super(`WeChat ${init.endpoint}: ${what}`, init.errcode === null ? undefined : ADVICE[init.errcode]);
    this.errcode = init.errcode;
    this.errmsg = init.errmsg;
    this.endpoint = init.endpoint;
    this.errorClass = cls;
    this.httpStatus = init.httpStatus;
  }
}

/** Removes every secret the request carried from text WeChat (or the network layer) sent back. */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 6) out = out.split(s).join('…');
  }
  return out.replace(/(access_token|component_access_token)=[^&\s"]+/g, '$1=…');
}
