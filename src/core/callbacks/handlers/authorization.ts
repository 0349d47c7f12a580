// authorized / updateauthorized → exchange the authorization code, store the tokens, fetch the
// account's profile and upsert official_accounts: the same path as `account authorize`
// (core/accounts/authorize.ts).
//
// An authorization code is single use. If an earlier attempt got through api_query_auth and then
// failed (a timeout, a crash), WeChat now refuses the code (61009) or it has expired (61010): the
// tokens are then either already stored, or recovered from api_get_authorizer_list, and the profile is
// fetched with them. An authorization that WeChat made before a later `unauthorized` of the same
// account (and is processed after it) changes nothing.
import { completeAuthorization, refreshAccountProfile, type AuthorizationResult } from '../../accounts/authorize.js';
import { InboxRepository } from '../../../db/repositories/inbox.js';
import { TokenRepository } from '../../../db/repositories/tokens.js';
import type { Clock } from '../../../clock.js';
import type { Database } from '../../../db/database.js';
import { FailedError } from '../../../errors.js';
import type { WeChatClient } from '../../../wechat/client.js';
import { WeChatError } from '../../../wechat/errors.js';
import { UnprocessableEventError, required, type WeChatHandler } from './types.js';

const CODE_SPENT = new Set([61009, 61010]);

/** True when we hold (or could recover) a refresh token for the account. */
async function recoverTokens(db: Database, wechat: WeChatClient, clock: Clock, appid: string): Promise<boolean> {
  const held = await new TokenRepository(db.knex, clock).readAuthorizerToken(appid);
  if (held?.refreshToken && !held.needsReauth) return true;
  for (let offset = 0; ; ) {
    const page = await wechat.getAuthorizerList(offset);
    const hit = page.list.find((a) => a.authorizer_appid === appid);
    if (hit?.refresh_token) {
      // No access token yet: the token keeper refreshes one from the refresh token on first use.
      await wechat.tokens.storeAuthorization(appid, { accessToken: '', expiresAt: new Date(0), refreshToken: hit.refresh_token });
      return true;
    }
    if (hit) return false;
    offset += page.list.length;
    if (page.list.length === 0 || offset >= page.total_count) return false;
  }
}

export const authorizationHandler: WeChatHandler = {
  kind: 'wechat',
  async run({ db, wechat, clock }, { entry, fields }) {
    const what = `the ${entry.eventType} event`;
    const appid = required(fields, 'AuthorizerAppid', what);
    const code = required(fields, 'AuthorizationCode', what);
    if (entry.messageTime) {
      const later = await new InboxRepository(db.knex, db.dialect).laterEvent(appid, ['unauthorized'], entry.messageTime, entry.id);
      if (later !== null) return { state: 'ignored', outcome: `superseded by the later unauthorized event in inbox row ${later}` };
    }
    const client = await wechat();
    const deps = { db, wechat: client, clock };
    let result: AuthorizationResult;
    try {
      try {
        result = await completeAuthorization(deps, code);
      } catch (err) {
        if (!(err instanceof WeChatError && err.errcode !== null && CODE_SPENT.has(err.errcode))) throw err;
        if (!(await recoverTokens(db, client, clock, appid))) {
          throw new UnprocessableEventError(
            `WeChat refused the authorization code (${err.errcode}) and lists no authorization for ${appid}: its admin must authorize again`,
          );
        }
        result = await refreshAccountProfile(deps, appid);
      }
    } catch (err) {
      if (err instanceof FailedError && !(err instanceof WeChatError) && /mini program/.test(err.message)) {
        return { state: 'ignored', outcome: `${appid} is a mini program; wxplat manages official accounts only` };
      }
      throw err;
    }
    const a = result.account;
    return {
      state: 'done',
      outcome: `account ${a.official_account_id} (${a.appid}) ${result.created ? 'created' : 'updated'}; permissions ${result.funcIds.join(',') || 'none'}`,
    };
  },
};
