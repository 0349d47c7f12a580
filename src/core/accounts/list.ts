// `account list`: every account with its token state.
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { AccountRepository } from '../../db/repositories/accounts.js';
import { TokenRepository } from '../../db/repositories/tokens.js';
import { accountSummary, type AccountSummary, type AuthorizerState } from './view.js';

export interface ReadDeps {
  db: Database;
  clock: Clock;
}

export async function authorizerStatesByAppid(deps: ReadDeps): Promise<Map<string, AuthorizerState>> {
  const states = await new TokenRepository(deps.db.knex, deps.clock).authorizerStates();
  return new Map(states.map((s) => [s.appid, s]));
}

export async function listAccounts(deps: ReadDeps, options: { includeRemoved: boolean }): Promise<AccountSummary[]> {
  const [rows, states] = await Promise.all([
    new AccountRepository(deps.db.knex).list(options.includeRemoved),
    authorizerStatesByAppid(deps),
  ]);
  const now = deps.clock.now();
  return rows.map((row) => accountSummary(row, row.appid ? states.get(row.appid) : undefined, now));
}
