// `industry get`: the account's two industries as WeChat has them (names, mapped back to codes) beside
// the pair wxplat recorded in official_account_industry_codes.
import type { Database } from '../../db/database.js';
import { IndustryRepository } from '../../db/repositories/industries.js';
import type { IndustryCodeQueryRow, OfficialAccountRow } from '../../db/rows.js';
import { isoOrNull } from '../../db/time.js';
import type { WeChatClient } from '../../wechat/client.js';
import { WeChatError } from '../../wechat/errors.js';
import type { IndustryName } from '../../wechat/types.js';
import { accountRef, type AccountRef } from '../accounts/view.js';
import { IndustryNameIndex } from './names.js';

/**
 * One industry, in one shape on both sides: its code and its names. A code WeChat's names map to is
 * named as the code table names it (WeChat writes `互联网|电子商务` where the table has
 * `互联网/电子商务`: one spelling); names that match no code are WeChat's own.
 */
export interface Industry {
  /** null when WeChat's names match no known code. */
  code: number | null;
  main: string | null;
  sub: string | null;
}

export type WeChatIndustry = Industry;

export interface LocalIndustry extends Industry {
  code: number;
}

export interface AccountIndustries {
  account: AccountRef;
  wechat: { primary: WeChatIndustry | null; secondary: WeChatIndustry | null } | null;
  /** Why `wechat` is null or partial. */
  note: string | null;
  local: { primary: LocalIndustry | null; secondary: LocalIndustry | null; updatedAt: string | null } | null;
  /** Both sides known and the same codes; null when a side is unknown. */
  inSync: boolean | null;
}

export function industryIndex(rows: readonly IndustryCodeQueryRow[]): IndustryNameIndex {
  return new IndustryNameIndex(
    rows
      .filter((r) => r.code_num !== null)
      .map((r) => ({ code: Number(r.code_num), main: r.main_industry_code ?? '', sub: r.sec_industry_code ?? '' })),
  );
}

function side(index: IndustryNameIndex, name: IndustryName | undefined): WeChatIndustry | null {
  if (!name || (!name.first_class && !name.second_class)) return null;
  const firstClass = String(name.first_class ?? '');
  const secondClass = String(name.second_class ?? '');
  const code = index.codeOf(firstClass, secondClass);
  const known = code === null ? undefined : index.namesOf(code);
  return known ? { code, ...known } : { code, main: firstClass, sub: secondClass };
}

/** The account's industries as WeChat reports them, with codes. */
export async function wechatIndustries(
  wechat: WeChatClient,
  appid: string,
  index: IndustryNameIndex,
): Promise<{ primary: WeChatIndustry | null; secondary: WeChatIndustry | null } | null> {
  try {
    const res = await wechat.account(appid).getIndustry();
    return { primary: side(index, res.primary_industry), secondary: side(index, res.secondary_industry) };
  } catch (err) {
    // 40102 here: the account has not switched template messages on yet (an industry set does that).
    if (err instanceof WeChatError && err.errcode === 40102) return null;
    throw err;
  }
}

export async function getAccountIndustries(
  deps: { db: Database; wechat: WeChatClient },
  row: OfficialAccountRow,
): Promise<AccountIndustries> {
  const repo = new IndustryRepository(deps.db.knex);
  const [codes, record] = await Promise.all([repo.listCodes(), repo.accountRecord(row.official_account_id)]);
  const byCode = new Map(codes.map((c) => [Number(c.code_num), c]));
  const local = (code: number | null): LocalIndustry | null =>
    code === null ? null : { code: Number(code), main: byCode.get(Number(code))?.main_industry_code ?? null, sub: byCode.get(Number(code))?.sec_industry_code ?? null };

  const wechat = row.appid ? await wechatIndustries(deps.wechat, row.appid, industryIndex(codes)) : null;
  let note: string | null = null;
  if (!wechat) note = 'WeChat has no industries for this account: template messages are not enabled yet (`wxplat industry set` enables them)';
  else if ((wechat.primary && wechat.primary.code === null) || (wechat.secondary && wechat.secondary.code === null)) {
    note = 'an industry name from WeChat matches no known code';
  }

  const localSide = record
    ? { primary: local(record.industry_id1), secondary: local(record.industry_id2), updatedAt: isoOrNull(record.updated_at ?? record.created_at) }
    : null;
  const inSync =
    wechat?.primary?.code != null && wechat.secondary?.code != null && localSide?.primary && localSide.secondary
      ? wechat.primary.code === localSide.primary.code && wechat.secondary.code === localSide.secondary.code
      : null;
  return { account: accountRef(row), wechat, note, local: localSide, inSync };
}
