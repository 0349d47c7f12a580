// Before anything is asked of WeChat for an account: wxplat must hold its tokens. Bad input, found
// before anything changed (exit 2), with the command that fixes it.
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { TokenRepository } from '../../db/repositories/tokens.js';
import type { OfficialAccountRow } from '../../db/rows.js';
import { STATUS } from '../../db/rows.js';
import { UsageError } from '../../errors.js';

export async function requireAuthorized(db: Database, clock: Clock, account: OfficialAccountRow): Promise<void> {
  if (Number(account.status) === STATUS.deleted) {
    throw new UsageError(`account ${account.appid} was removed (status -2)`, 'authorize it again with `wxplat account authorize`, or `wxplat account reconcile` if WeChat still lists it');
  }
  const rec = await new TokenRepository(db.knex, clock).readAuthorizerToken(account.appid ?? '');
  if (!rec?.refreshToken) {
    throw new UsageError(`account ${account.appid} is not authorized (wxplat holds no tokens for it)`, 'run `wxplat account authorize`');
  }
  if (rec.needsReauth) {
    throw new UsageError(`account ${account.appid} needs re-authorization: ${rec.reauthReason ?? ''}`.trim(), 'run `wxplat account authorize`');
  }
}
