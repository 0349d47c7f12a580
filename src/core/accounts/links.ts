// The authorization pages an account's admin opens (wechat-api.md §1.4), and reading the code back
// from what the operator pastes: the code itself or the whole address WeChat redirected to.
import { UsageError } from '../../errors.js';
import type { WeChatClient } from '../../wechat/client.js';

export const WECHAT_API_ORIGIN = 'https://api.weixin.qq.com';
export const WECHAT_PAGES_ORIGIN = 'https://mp.weixin.qq.com';

/** 1: official accounts only, 2: mini programs only, 3: both. wxplat manages official accounts, hence 1. */
export type AuthType = 1 | 2 | 3;
export const DEFAULT_AUTH_TYPE: AuthType = 1;

export interface AuthorizationLinks {
  /** componentloginpage: opened on a computer, the admin scans a QR code with WeChat. */
  pc: string;
  /** bindcomponent: opened inside WeChat on the admin's phone. */
  mobile: string;
  /** Seconds the pre-auth code (and so the links) stays usable. */
  expiresIn: number;
}

/** WeChat serves the pages from mp.weixin.qq.com; any other API origin (the sandbox) serves its own. */
export function authorizationPagesOrigin(apiBase: string): string {
  const origin = new URL(apiBase).origin;
  return origin === WECHAT_API_ORIGIN ? WECHAT_PAGES_ORIGIN : origin;
}

function query(pairs: Array<[string, string]>): string {
  return pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

export function authorizationLinks(input: {
  pagesOrigin: string;
  componentAppid: string;
  preAuthCode: string;
  redirectUri: string;
  authType: AuthType;
  expiresIn: number;
}): AuthorizationLinks {
  const common: Array<[string, string]> = [
    ['component_appid', input.componentAppid],
    ['pre_auth_code', input.preAuthCode],
    ['redirect_uri', input.redirectUri],
    ['auth_type', String(input.authType)],
  ];
  return {
    pc: `${input.pagesOrigin}/cgi-bin/componentloginpage?${query(common)}`,
    mobile: `${input.pagesOrigin}/safe/bindcomponent?${query([['action', 'bindcomponent'], ['no_scan', '1'], ...common])}#wechat_redirect`,
    expiresIn: input.expiresIn,
  };
}

/** A fresh pre-auth code (single use, ~10 minutes) and the two pages built on it. */
export async function startAuthorization(
  wechat: WeChatClient,
  options: { redirectUri: string; authType: AuthType },
): Promise<AuthorizationLinks> {
  const pre = await wechat.createPreauthcode();
  return authorizationLinks({
    pagesOrigin: authorizationPagesOrigin(wechat.http.apiBase),
    componentAppid: wechat.componentAppid,
    preAuthCode: pre.pre_auth_code,
    redirectUri: options.redirectUri,
    authType: options.authType,
    expiresIn: Number(pre.expires_in) || 600,
  });
}

/**
 * When the API base is a `wxplat sandbox` on this machine, its page for the admin's return (so that
 * `account authorize` need not ask for a redirect URI no one has); undefined for anything else. Only a
 * loopback base is asked, and briefly.
 */
export async function sandboxRedirectUri(apiBase: string): Promise<string | undefined> {
  let base: URL;
  try {
    base = new URL(apiBase);
  } catch {
    return undefined;
  }
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname)) return undefined;
  try {
    const res = await fetch(new URL('/sandbox/state', base), { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return undefined;
    const state = (await res.json()) as { componentAppid?: unknown };
    return typeof state.componentAppid === 'string' ? new URL('/sandbox/authorized', base).toString() : undefined;
  } catch {
    return undefined;
  }
}

export function parseAuthType(value: string | undefined): AuthType {
  if (value === undefined) return DEFAULT_AUTH_TYPE;
  if (value === '1' || value === '2' || value === '3') return Number(value) as AuthType;
  throw new UsageError(
    `--auth-type must be 1, 2 or 3 (got "${value.slice(0, 20)}")`,
    '1 shows official accounts only (the default), 2 mini programs only, 3 both',
  );
}

/** `text` as an absolute http(s) URL with a host, or undefined. */
function httpUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname ? url : undefined;
}

/** The page WeChat sends the admin's browser to afterwards: an absolute http(s) URL. */
export function checkRedirectUri(value: string): string {
  const text = value.trim();
  const url = httpUrl(text);
  if (!url) {
    throw new UsageError(
      `--redirect-uri must be an absolute http(s) URL (got "${text.slice(0, 80)}")`,
      "it must be on the platform's 授权发起页域名, e.g. https://platform.example.com/wechat/authorized",
    );
  }
  return text;
}

const CODE = /^[\x21-\x7e]{1,512}$/;
const HINT_URL = 'paste the whole address the browser was sent to, e.g. https://platform.example.com/authorized?auth_code=…&expires_in=600';

/** The auth_code parameter of the address WeChat redirected to. */
export function authCodeFromRedirectUrl(value: string): string {
  const text = value.trim();
  const url = httpUrl(text);
  if (!url) {
    throw new UsageError(`malformed redirect URL "${text.slice(0, 80)}": expected an http(s) address`, HINT_URL);
  }
  const code = url.searchParams.get('auth_code');
  if (!code) throw new UsageError(`the redirect URL has no auth_code parameter`, HINT_URL);
  return checkAuthCode(code);
}

export function checkAuthCode(value: string): string {
  const code = value.trim();
  if (!CODE.test(code)) {
    throw new UsageError(
      'malformed authorization code: expected one word of printable characters',
      'give the auth_code value, or the whole redirect URL with --redirect-url',
    );
  }
  return code;
}

/** What the operator pasted at the prompt: a whole URL or a bare code. */
export function authCodeFromAnswer(value: string): string {
  const text = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /[?&]auth_code=/.test(text)) return authCodeFromRedirectUrl(text);
  return checkAuthCode(text);
}
