// `<account>` on the command line: an official_account_id, an appid (wx…) or an original id (gh_…).
import type { Database } from '../../db/database.js';
import { AccountRepository } from '../../db/repositories/accounts.js';
import { STATUS, type OfficialAccountRow } from '../../db/rows.js';
import { NotFoundError, UsageError } from '../../errors.js';
import { isAppid } from '../../formats.js';

/** An account as the commands hold it between resolving and acting on it. */
export type AccountRow = OfficialAccountRow;

export async function resolveAccount(
  db: Database,
  ref: string,
  options: { includeRemoved?: boolean } = {},
): Promise<OfficialAccountRow> {
  const repo = new AccountRepository(db.knex);
  const value = ref.trim();
  let row: OfficialAccountRow | undefined;
  if (/^\d+$/.test(value)) row = await repo.findById(Number(value));
  else if (isAppid(value)) row = await repo.findByAppid(value);
  else if (/^gh_[0-9a-zA-Z]+$/.test(value)) row = await repo.findByOriginalId(value);
  else {
    throw new UsageError(
      `"${value.slice(0, 60)}" is not an account: give an id, an appid (wx…) or an original id (gh_…)`,
      '`wxplat account list` shows them',
    );
  }
  if (!row) throw new NotFoundError(`no account matches "${value}"`, '`wxplat account list --all` shows every account');
  if (row.status !== STATUS.valid && !options.includeRemoved) {
    throw new NotFoundError(`account ${value} was removed (status ${row.status})`, 'authorize it again with `wxplat account authorize`');
  }
  return row;
}
