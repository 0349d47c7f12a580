// `quota get` and `quota clear`: a day's quota of one API (openapi/quota/get) and resetting the day's
// counts — for an account with its authorizer token (clear_quota), for the platform with the
// appsecret (component/clear_quota/v2, which works even when the token API's own quota is spent).
import { UsageError } from '../../errors.js';
import type { WeChatClient } from '../../wechat/client.js';
import type { RateLimit } from '../../wechat/types.js';
import type { QuotaTarget } from './target.js';

/** Resets WeChat allows each account (and the platform) a month, clear_quota and clear_quota/v2 together. */
export const RESETS_A_MONTH = 10;

export const DEFAULT_API = { account: '/cgi-bin/message/template/send', component: '/cgi-bin/component/api_authorizer_token' } as const;

export interface QuotaReport {
  target: QuotaTarget;
  api: string;
  dailyLimit: number;
  used: number;
  remaining: number;
  /** Calls allowed per period, where WeChat gives it. */
  rateLimit: { calls: number; seconds: number } | null;
  /** The limit on the calls a third-party platform makes for the account, where given. */
  componentRateLimit: { calls: number; seconds: number } | null;
}

/**
 * The API's path as WeChat wants it: a leading slash, no host, no query (76003 otherwise). A whole
 * URL copied from a doc is accepted and cut down to its path.
 */
export function apiPath(input: string): string {
  let path = input.trim();
  if (/^https?:\/\//i.test(path)) {
    try {
      path = new URL(path).pathname;
    } catch {
      throw new UsageError(`--api "${input.slice(0, 80)}" is not a URL or an API path`);
    }
  }
  path = path.replace(/\?.*$/, '');
  if (!path.startsWith('/')) path = `/${path}`;
  if (!/^\/[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)+$/.test(path)) {
    throw new UsageError(`--api "${input.slice(0, 80)}" is not an API path`, 'give the path of the API\'s URL, e.g. /cgi-bin/message/template/send');
  }
  return path;
}

function rate(r: RateLimit | undefined): QuotaReport['rateLimit'] {
  if (!r || typeof r.call_count !== 'number' || typeof r.refresh_second !== 'number') return null;
  return { calls: r.call_count, seconds: r.refresh_second };
}

export async function getQuota(wechat: WeChatClient, target: QuotaTarget, api: string): Promise<QuotaReport> {
  const res = target.kind === 'component' ? await wechat.componentQuota(api) : await wechat.account(target.appid).quota(api);
  return {
    target,
    api,
    dailyLimit: Number(res.quota?.daily_limit ?? 0),
    used: Number(res.quota?.used ?? 0),
    remaining: Number(res.quota?.remain ?? 0),
    rateLimit: rate(res.rate_limit),
    componentRateLimit: rate(res.component_rate_limit),
  };
}

export interface QuotaCleared {
  target: QuotaTarget;
  cleared: true;
  /** How the reset was asked for. */
  via: 'cgi-bin/clear_quota' | 'cgi-bin/component/clear_quota/v2';
  resetsAMonth: number;
}

export async function clearQuota(wechat: WeChatClient, target: QuotaTarget): Promise<QuotaCleared> {
  if (target.kind === 'component') {
    await wechat.clearComponentQuota();
    return { target, cleared: true, via: 'cgi-bin/component/clear_quota/v2', resetsAMonth: RESETS_A_MONTH };
  }
  await wechat.account(target.appid).clearQuota();
  return { target, cleared: true, via: 'cgi-bin/clear_quota', resetsAMonth: RESETS_A_MONTH };
}
