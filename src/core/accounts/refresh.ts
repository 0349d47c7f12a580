// `account refresh`: fetch each account's profile from WeChat again and rewrite its row. With several
// accounts, one failure does not stop the others; the result says which failed.
import { AccountRepository } from '../../db/repositories/accounts.js';
import type { OfficialAccountRow } from '../../db/rows.js';
import { FailedError } from '../../errors.js';
import { refreshAccountProfile, type AuthorizeDeps } from './authorize.js';
import { accountRef, accountSummary, type AccountRef, type AccountSummary } from './view.js';
import { authorizerStatesByAppid } from './list.js';

/** Columns whose change is worth telling the operator about. */
const WATCHED: Array<keyof OfficialAccountRow> = [
  'nickname',
  'original_id',
  'service_type_id',
  'verify_type_id',
  'principal_name',
  'alias',
  'func_ids',
  'qrcode_url',
  'avartar_url',
];

export interface Refreshed {
  account: AccountRef;
  profile: AccountSummary;
  /** The row's columns that WeChat's answer changed. */
  changed: string[];
}

export type RefreshOutcome = ({ ok: true } & Refreshed) | { account: AccountRef; ok: false; error: string; errcode: number | null };

/** One account: WeChat's failure is thrown as it came. */
export async function refreshAccount(deps: AuthorizeDeps, row: OfficialAccountRow): Promise<Refreshed> {
  if (!row.appid) throw new FailedError(`account ${row.official_account_id} has no appid to ask WeChat about`);
  const { account } = await refreshAccountProfile(deps, row.appid);
  const changed = WATCHED.filter((k) => String(row[k] ?? '') !== String(account[k] ?? '')) as string[];
  const states = await authorizerStatesByAppid(deps);
  return { account: accountRef(account), profile: accountSummary(account, states.get(row.appid), deps.clock.now()), changed };
}

export async function refreshAccounts(
  deps: AuthorizeDeps,
  rows: readonly OfficialAccountRow[],
  signal?: AbortSignal,
): Promise<RefreshOutcome[]> {
  const out: RefreshOutcome[] = [];
  for (const row of rows) {
    if (signal?.aborted) break;
    try {
      out.push({ ok: true, ...(await refreshAccount(deps, row)) });
    } catch (err) {
      const errcode = (err as { errcode?: unknown }).errcode;
      out.push({
        account: accountRef(row),
        ok: false,
        error: err instanceof Error ? err.message : String(err),
        errcode: typeof errcode === 'number' ? errcode : null,
      });
    }
  }
  return out;
}

/** Every valid account, for --all. */
export function refreshableAccounts(deps: Pick<AuthorizeDeps, 'db'>): Promise<OfficialAccountRow[]> {
  return new AccountRepository(deps.db.knex).list(false);
}
