// subscribe / unsubscribe → the follower's official_account_users row: status 1 / -2 (made if missing).
// The account must be known; until its `authorized` event is processed the row waits and is retried.
import { AccountRepository } from '../../../db/repositories/accounts.js';
import { FOLLOWING, FollowerRepository, UNFOLLOWED, lockFollowers } from '../../../db/repositories/followers.js';
import { toSqlDateTime } from '../../../db/time.js';
import { required, type DbHandler } from './types.js';

export const subscriptionHandler: DbHandler = {
  kind: 'db',
  async run(trx, dialect, { entry, fields, now }) {
    const subscribe = entry.eventType.toLowerCase() === 'subscribe';
    const openid = required(fields, 'FromUserName', `the ${entry.eventType} event`);
    const appid = entry.appid ?? '';
    const account = await new AccountRepository(trx).findByAppid(appid);
    if (!account) throw new Error(`no account with appid ${appid} (yet): authorize it, or wait for its authorized event`);
    const stamp = toSqlDateTime(now);
    await lockFollowers(trx, dialect, account.official_account_id, stamp);
    const status = subscribe ? FOLLOWING : UNFOLLOWED;
    const change = await new FollowerRepository(trx).setSubscription(account.official_account_id, openid, status, stamp);
    const what = change.created ? 'new follower' : change.previous === status ? 'follower unchanged' : 'follower';
    return { state: 'done', outcome: `${what} ${change.id} of account ${account.official_account_id}: status ${status}` };
  },
};
