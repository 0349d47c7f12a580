// Completing an authorization: exchange the code, keep the tokens, fetch the account's profile, and
// upsert official_accounts. `account authorize` and the receiver's `authorized` / `updateauthorized`
// handling both come here.
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { lockedTransaction } from '../../db/locks.js';
import { AccountRepository } from '../../db/repositories/accounts.js';
import { AuthorizerStatusRepository } from '../../db/repositories/authorizer-status.js';
import type { OfficialAccountRow } from '../../db/rows.js';
import { toSqlDateTime } from '../../db/time.js';
import { FailedError } from '../../errors.js';
import type { WeChatClient } from '../../wechat/client.js';
import type { GetAuthorizerInfoResponse } from '../../wechat/types.js';
import { accountStatusOf, profileFromAuthorizerInfo } from './profile.js';

export interface AuthorizeDeps {
  db: Database;
  wechat: WeChatClient;
  clock: Clock;
}

export interface AuthorizationResult {
  account: OfficialAccountRow;
  created: boolean;
  /** Permission sets the account granted. */
  funcIds: number[];
}

export async function completeAuthorization(deps: AuthorizeDeps, authorizationCode: string): Promise<AuthorizationResult> {
  const { wechat, clock } = deps;
  const auth = await wechat.queryAuth(authorizationCode);
  const info = auth.authorization_info;
  const appid = info.authorizer_appid;
  if (info.authorizer_access_token && info.authorizer_refresh_token) {
    await wechat.tokens.storeAuthorization(appid, {
      accessToken: info.authorizer_access_token,
      expiresAt: new Date(clock.now().getTime() + (info.expires_in ?? 7200) * 1000),
      refreshToken: info.authorizer_refresh_token,
    });
  }
  return refreshAccountProfile(deps, appid, info.func_info);
}

/** Fetches the account's profile from WeChat and writes it into official_accounts. */
export async function refreshAccountProfile(
  deps: AuthorizeDeps,
  appid: string,
  funcInfo?: Parameters<typeof profileFromAuthorizerInfo>[2],
): Promise<AuthorizationResult> {
  const profileInfo = await deps.wechat.getAuthorizerInfo(appid);
  if (profileInfo.authorizer_info?.MiniProgramInfo !== undefined) {
    throw new FailedError(`${appid} is a mini program, not an official account (公众号); wxplat manages official accounts only`);
  }
  return storeAccountProfile(deps, appid, profileInfo, funcInfo);
}

/** Writes a profile WeChat gave (api_get_authorizer_info) into official_accounts, with the account's standing. */
export async function storeAccountProfile(
  deps: Pick<AuthorizeDeps, 'db' | 'clock'>,
  appid: string,
  profileInfo: GetAuthorizerInfoResponse,
  funcInfo?: Parameters<typeof profileFromAuthorizerInfo>[2],
): Promise<AuthorizationResult> {
  const { db, clock } = deps;
  const profile = profileFromAuthorizerInfo(appid, profileInfo, funcInfo);
  const stamp = toSqlDateTime(clock.now());
  const { id, created } = await lockedTransaction(db, `account:${appid}`, async (trx) => {
    const written = await new AccountRepository(trx).upsertByAppid(profile, stamp);
    await new AuthorizerStatusRepository(trx).record(appid, accountStatusOf(profileInfo), stamp);
    return written;
  });
  const account = (await new AccountRepository(db.knex).findById(id))!;
  const funcIds = (profile.func_ids ?? '').split(',').filter(Boolean).map(Number);
  return { account, created, funcIds };
}
