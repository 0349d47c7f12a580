// official_account_users: an account's followers by openid (status 1 following, -2 gone). The
// production table has no unique key on (account, openid), so whoever writes a follower first takes
// the account's follower lock (lockFollowers) and then reads before it writes.
import type { Knex } from 'knex';
import type { Dialect } from '../database.js';
import { STATUS, type OfficialAccountUserRow } from '../rows.js';

const USERS = 'official_account_users';
const LOCKS = 'wxplat_locks';

/**
 * Inside a transaction: waits for, and holds until commit, the lock on one account's followers. On
 * SQLite the caller's write transaction already excludes every other writer.
 */
export async function lockFollowers(trx: Knex.Transaction, dialect: Dialect, accountId: number, stamp: string): Promise<void> {
  if (dialect !== 'mysql') return;
  const name = `followers:${accountId}`;
  await trx(LOCKS).insert({ name, updated_at: stamp }).onConflict('name').merge(['name']);
  await trx(LOCKS).select('name').where('name', name).forUpdate();
}

export interface SubscriptionChange {
  /** The follower's row (the oldest, when production holds several for one openid). */
  id: number;
  created: boolean;
  /** The status before, null for a new row. */
  previous: number | null;
}

export class FollowerRepository {
  constructor(private readonly knex: Knex) {}

  /** The oldest row of this openid in this account. */
  find(accountId: number, openid: string): Promise<OfficialAccountUserRow | undefined> {
    return this.knex<OfficialAccountUserRow>(USERS)
      .where({ official_account_id: accountId, openid })
      .orderBy('official_account_user_id')
      .first();
  }

  /**
   * Sets the follower's status (1 following, -2 unfollowed), making the row when there is none. Call it
   * holding lockFollowers for the account.
   */
  async setSubscription(accountId: number, openid: string, status: number, stamp: string): Promise<SubscriptionChange> {
    const existing = await this.find(accountId, openid);
    if (existing) {
      if (existing.status !== status) {
        await this.knex(USERS).where({ official_account_id: accountId, openid }).update({ status });
      }
      return { id: existing.official_account_user_id, created: false, previous: existing.status };
    }
    const [id] = await this.knex(USERS).insert({
      official_account_id: accountId,
      user_wx_info_id: null,
      openid,
      status,
      created_at: stamp,
    });
    return { id: Number(id), created: true, previous: null };
  }
}

export const FOLLOWING = STATUS.valid;
export const UNFOLLOWED = STATUS.deleted;
