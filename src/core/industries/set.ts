// `industry set`: the account's two template-message industries. WeChat allows one change a month and
// deletes the account's templates on a change (wechat-api.md §4.1), so a change within the calendar month
// of the last recorded one is refused unless forced, and WeChat's own refusal (43100) reads the same.
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { writeTransaction } from '../../db/locks.js';
import { IndustryRepository } from '../../db/repositories/industries.js';
import type { IndustryCodeQueryRow, OfficialAccountRow } from '../../db/rows.js';
import { fromSqlDateTime, toSqlDateTime } from '../../db/time.js';
import { FailedError, NotFoundError, UsageError } from '../../errors.js';
import type { WeChatClient } from '../../wechat/client.js';
import { WeChatError } from '../../wechat/errors.js';
import { accountLabel, accountRef, type AccountRef } from '../accounts/view.js';

export interface IndustryChoice {
  code: number;
  main: string | null;
  sub: string | null;
}

export interface SetIndustryResult {
  account: AccountRef;
  primary: IndustryChoice;
  secondary: IndustryChoice;
  previous: { primary: number | null; secondary: number | null } | null;
  /** False when the pair was already the recorded one (WeChat was not called). */
  changed: boolean;
}

export const MONTHLY_RULE =
  "WeChat allows one industry change a month, and a change deletes the account's templates";

/** WeChat's month: calendar months in Beijing time (UTC+8, no daylight saving). */
export function beijingMonth(date: Date): string {
  return new Date(date.getTime() + 8 * 3_600_000).toISOString().slice(0, 7);
}

/** WeChat said 43100: too soon. */
export class IndustryChangeTooSoonError extends FailedError {
  readonly errcode = 43100;
}

export function parseIndustryCode(value: string, what: string): number {
  const text = value.trim();
  if (!/^\d{1,4}$/.test(text)) {
    throw new UsageError(`${what} must be an industry code number (got "${text.slice(0, 20)}")`, '`wxplat industry list` shows the codes');
  }
  return Number(text);
}

function choice(row: IndustryCodeQueryRow): IndustryChoice {
  return { code: Number(row.code_num), main: row.main_industry_code, sub: row.sec_industry_code };
}

export interface IndustryChange {
  account: AccountRef;
  primary: IndustryChoice;
  secondary: IndustryChoice;
  previous: { primary: number | null; secondary: number | null } | null;
  /** False when the pair is already the recorded one: nothing to ask WeChat. */
  changes: boolean;
}

/**
 * Every check `industry set` makes before WeChat is asked — the codes, the pair, the monthly rule —
 * so that a command asks the operator only for a change that would be tried.
 */
export async function planIndustryChange(
  deps: { db: Database; clock: Clock },
  row: OfficialAccountRow,
  input: { primary: number; secondary: number; force: boolean },
): Promise<IndustryChange> {
  const repo = new IndustryRepository(deps.db.knex);
  if (input.primary === input.secondary) {
    throw new UsageError(
      `the primary and secondary industries must differ (both ${input.primary}); WeChat refuses a pair of equal codes`,
    );
  }
  const found = await repo.findByCodes([input.primary, input.secondary]);
  for (const [code, what] of [
    [input.primary, 'primary'],
    [input.secondary, 'secondary'],
  ] as const) {
    if (!found.has(code)) {
      throw new NotFoundError(`unknown ${what} industry code ${code}`, '`wxplat industry list` shows the codes (run `wxplat db seed` if it is empty)');
    }
  }
  const primary = choice(found.get(input.primary)!);
  const secondary = choice(found.get(input.secondary)!);
  const record = await repo.accountRecord(row.official_account_id);
  const previous = record ? { primary: record.industry_id1, secondary: record.industry_id2 } : null;
  const plan = { account: accountRef(row), primary, secondary, previous };

  if (previous && Number(previous.primary) === primary.code && Number(previous.secondary) === secondary.code && !input.force) {
    return { ...plan, changes: false };
  }
  const lastChange = fromSqlDateTime(record?.updated_at ?? record?.created_at);
  if (lastChange && beijingMonth(lastChange) === beijingMonth(deps.clock.now()) && !input.force) {
    throw new UsageError(
      `the industries of account ${accountLabel(row)} were changed on ${lastChange.toISOString().slice(0, 10)}, this month: ${MONTHLY_RULE}`,
      'pass --force to ask WeChat anyway (it refuses with 43100 when the month is not over)',
    );
  }
  return { ...plan, changes: true };
}

export async function setAccountIndustries(
  deps: { db: Database; wechat: WeChatClient; clock: Clock },
  row: OfficialAccountRow,
  input: { primary: number; secondary: number; force: boolean },
): Promise<SetIndustryResult> {
  const { changes, ...result } = await planIndustryChange(deps, row, input);
  if (!changes) return { ...result, changed: false };
  const { primary, secondary } = result;
  const now = deps.clock.now();
  if (!row.appid) throw new FailedError(`account ${row.official_account_id} has no appid`);
  try {
    await deps.wechat.account(row.appid).setIndustry(primary.code, secondary.code);
  } catch (err) {
    if (err instanceof WeChatError && err.errcode === 43100) {
      throw new IndustryChangeTooSoonError(
        `WeChat refused to change the industries of account ${accountLabel(row)} (43100): ${MONTHLY_RULE}`,
        'try again next month; nothing was changed',
      );
    }
    throw err;
  }
  await writeTransaction(deps.db, (trx) =>
    new IndustryRepository(trx).saveAccountRecord(row.official_account_id, primary.code, secondary.code, toSqlDateTime(now)),
  );
  return { ...result, changed: true };
}
