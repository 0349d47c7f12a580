// `account pay set / show`: the account's WeChat Pay merchant number, company name and pay key. The key
// arrives as a Secret (read from stdin or a hidden prompt by the command, never from a flag) and is
// shown only masked.
import type { Clock } from '../../clock.js';
import { mask, type Secret } from '../../config/secret.js';
import type { Database } from '../../db/database.js';
import { writeTransaction } from '../../db/locks.js';
import { PayParamsRepository } from '../../db/repositories/pay.js';
import type { OfficialAccountRow, OfficialAccountsPayParamRow } from '../../db/rows.js';
import { isoOrNull, toSqlDateTime } from '../../db/time.js';
import { UsageError } from '../../errors.js';
import { accountRef, type AccountRef } from './view.js';

export interface PayView {
  account: AccountRef;
  configured: boolean;
  mchId: string | null;
  name: string | null;
  /** Masked: the first and last four characters. */
  key: string | null;
  updatedAt: string | null;
}

export interface PayInput {
  mchId: string;
  name: string;
  key: Secret;
}

/** WeChat Pay merchant numbers are digits (column varchar(30)). */
export function checkMchId(value: string): string | true {
  return /^\d{1,30}$/.test(value.trim()) ? true : '--mch-id must be the merchant number: digits only, at most 30';
}

export function checkPayName(value: string): string | true {
  const n = [...value.trim()].length;
  return n >= 1 && n <= 100 ? true : '--name must be 1 to 100 characters';
}

/** The APIv2 pay key (商户支付密钥) is 32 letters or digits. */
export function checkPayKey(value: string): string | true {
  return /^[0-9A-Za-z]{32}$/.test(value) ? true : `the pay key must be exactly 32 letters or digits (got ${value.length} characters)`;
}

function view(row: Pick<OfficialAccountRow, 'official_account_id' | 'appid' | 'nickname'>, pay: OfficialAccountsPayParamRow | undefined): PayView {
  return {
    account: accountRef(row),
    configured: Boolean(pay),
    mchId: pay?.mch_id ?? null,
    name: pay?.name ?? null,
    key: pay?.appkey ? mask(pay.appkey) : null,
    updatedAt: isoOrNull(pay?.updated_at),
  };
}

export async function showPayParams(deps: { db: Database }, row: OfficialAccountRow): Promise<PayView> {
  return view(row, await new PayParamsRepository(deps.db.knex).current(row.official_account_id));
}

export async function setPayParams(
  deps: { db: Database; clock: Clock },
  row: OfficialAccountRow,
  input: PayInput,
): Promise<PayView & { created: boolean }> {
  // Everything is checked before anything is written.
  for (const problem of [checkMchId(input.mchId), checkPayName(input.name), checkPayKey(input.key.reveal())]) {
    if (problem !== true) throw new UsageError(problem);
  }
  const repo = new PayParamsRepository(deps.db.knex);
  const { created } = await writeTransaction(deps.db, (trx) =>
    new PayParamsRepository(trx).save(
      row.official_account_id,
      { mchId: input.mchId.trim(), name: input.name.trim(), appkey: input.key.reveal() },
      toSqlDateTime(deps.clock.now()),
    ),
  );
  return { ...view(row, await repo.current(row.official_account_id)), created };
}
