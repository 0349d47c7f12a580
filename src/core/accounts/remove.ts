// `account remove`: the account is marked logically deleted (status -2). Its tokens, templates and
// records stay, so that `account authorize` brings it back as it was; WeChat's side is untouched (only
// the account's admin can withdraw the authorization).
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { AccountRepository } from '../../db/repositories/accounts.js';
import { STATUS, type OfficialAccountRow } from '../../db/rows.js';
import { toSqlDateTime } from '../../db/time.js';
import { accountRef, type AccountRef } from './view.js';

export interface RemoveResult {
  account: AccountRef;
  /** False when it was already removed. */
  removed: boolean;
}

/** Whether `account remove` has anything to do (and so anything to confirm). */
export function isRemoved(row: OfficialAccountRow): boolean {
  return Number(row.status) === STATUS.deleted;
}

export async function removeAccount(deps: { db: Database; clock: Clock }, row: OfficialAccountRow): Promise<RemoveResult> {
  if (isRemoved(row)) return { account: accountRef(row), removed: false };
  await new AccountRepository(deps.db.knex).setStatus(row.official_account_id, STATUS.deleted, toSqlDateTime(deps.clock.now()));
  return { account: accountRef(row), removed: true };
}
