// /cgi-bin/message/template/send (wechat-api.md §4.6): the hot path of every benchmark, so it does the
// checks in O(1) with no more allocation than parsing the body takes. Refusals: 40036/40037 template,
// 40003 openid of another account, 43004 not following, a refusal set by the test (43101 …), 47003 a
// typed keyword value out of its rule, 45009 the daily quota. The same (openid, client_msg_id) within
// 10 minutes of the first answers the first msgid again and delivers nothing. Each delivery queues a
// TEMPLATESENDJOBFINISH push.
import { ApiError } from './errors.js';
import { Membership } from './followers.js';
// WeChat's rules for typed values, the same that wxplat checks before a send.
import { keywordValueOk } from '../wechat/values.js';
import { jsonBody, type Route, type Sim } from './routes.js';
import { SandboxTime } from './time.js';

export const DEDUPE_WINDOW_MS = 10 * 60 * 1000;
const SWEEP_EVERY = 1024;

export function sendRoutes(sim: Sim): Record<string, Route> {
  const { world, faults, pusher } = sim;
  let sinceSweep = 0;

  return {
    'cgi-bin/message/template/send': {
      method: 'POST',
      auth: 'account',
      needs: 'template',
      // Counted by the send quota (quotaUsed), on the hot path.
      uncounted: true,
      handle(req, account) {
        const body = jsonBody(req);
        const templateId = body.template_id;
        if (typeof templateId !== 'string' || templateId.length === 0 || templateId.length > 64) throw new ApiError(40036);
        const template = account.templates.get(templateId);
        if (template === undefined) throw new ApiError(40037);

        const touser = body.touser;
        if (typeof touser !== 'string' || touser.length === 0) throw new ApiError(40003);
        const index = account.followers.derivedIndex(touser);
        const membership = account.followers.membership(touser, index);
        if (membership === Membership.Foreign) throw new ApiError(40003);
        if (membership === Membership.NotFollowing) throw new ApiError(43004);
        if (account.refusals.size !== 0) {
          const refusal = account.refusals.get(touser);
          if (refusal !== undefined) throw new ApiError(refusal);
        }

        const data = body.data;
        if (data !== undefined && (typeof data !== 'object' || data === null)) throw new ApiError(47001);
        if (data) {
          for (const { key } of template.keywords) {
            const item = (data as Record<string, unknown>)[key];
            if (item === undefined) continue;
            const value = (item as { value?: unknown } | null | undefined)?.value;
            if (typeof value !== 'string' || !keywordValueOk(key, value)) {
              throw new ApiError(47003, `argument invalid! data.${key}.value invalid`);
            }
          }
        }
        const mp = body.miniprogram;
        if (mp !== undefined && (typeof mp !== 'object' || mp === null || typeof (mp as { appid?: unknown }).appid !== 'string')) {
          throw new ApiError(47001);
        }

        const now = world.time.now();
        const clientMsgId = body.client_msg_id;
        let key: string | undefined;
        if (typeof clientMsgId === 'string' && clientMsgId !== '') {
          key = `${touser}\n${clientMsgId}`;
          const first = account.recentSends.get(key);
          if (first !== undefined) {
            if (now - first.at < DEDUPE_WINDOW_MS) return okBody(first.msgid);
            account.recentSends.delete(key);
          }
        }

        const today = SandboxTime.day(now);
        if (account.quotaDay !== today) {
          account.quotaDay = today;
          account.quotaUsed = 0;
        }
        if (account.quotaUsed >= world.dailySendQuota || faults.quotaExhaustedFor(account.appid)) throw new ApiError(45009);
        account.quotaUsed++;

        const msgid = world.nextMsgid();
        if (key !== undefined) {
          account.recentSends.set(key, { msgid, at: now });
          if (++sinceSweep >= SWEEP_EVERY) {
            sinceSweep = 0;
            sweep(sim, now);
          }
        }
        account.deliveries.add(touser, index);
        const status = account.failures.size !== 0 ? (account.failures.get(touser) ?? 'success') : 'success';
        pusher.pushSendReceipt(account.appid, account.userName, touser, msgid, status, Math.floor(now / 1000));
        return okBody(msgid);
      },
    },
  };
}

/** The msgid as a bare JSON number: 19 digits that a JS number would round, so written as text. */
function okBody(msgid: string): string {
  return `{"errcode":0,"errmsg":"ok","msgid":${msgid}}`;
}

/** Forgets sends older than the window (the maps are in insertion order, so oldest first). */
function sweep(sim: Sim, now: number): void {
  const cutoff = now - DEDUPE_WINDOW_MS;
  for (const account of sim.world.accounts.values()) {
    for (const [key, sent] of account.recentSends) {
      if (sent.at > cutoff) break;
      account.recentSends.delete(key);
    }
  }
}
