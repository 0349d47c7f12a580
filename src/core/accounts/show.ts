// `account show`: one account in full, with its recorded industries and whether pay settings exist.
import { IndustryRepository } from '../../db/repositories/industries.js';
import { PayParamsRepository } from '../../db/repositories/pay.js';
import { TemplateRepository } from '../../db/repositories/templates.js';
import { AuthorizerStatusRepository } from '../../db/repositories/authorizer-status.js';
import type { OfficialAccountRow } from '../../db/rows.js';
import { isoOrNull } from '../../db/time.js';
import { authorizerStatesByAppid, type ReadDeps } from './list.js';
import { standingOf, type AccountStanding } from './standing.js';
import { accountDetail, funcIdList, type AccountDetail } from './view.js';

export interface AccountShow extends AccountDetail {
  industries: { primary: number | null; secondary: number | null; updatedAt: string | null } | null;
  templates: number;
  pay: { mchId: string | null; name: string | null } | null;
  /** account_status as WeChat last gave it, and the permission sets wxplat uses. */
  standing: AccountStanding;
}

export async function showAccount(deps: ReadDeps, row: OfficialAccountRow): Promise<AccountShow> {
  const knex = deps.db.knex;
  const id = Number(row.official_account_id);
  const [states, industry, templates, pay, status] = await Promise.all([
    authorizerStatesByAppid(deps),
    new IndustryRepository(knex).accountRecord(id),
    new TemplateRepository(knex).accountTemplates(id, false),
    new PayParamsRepository(knex).current(id),
    row.appid ? new AuthorizerStatusRepository(knex).find(row.appid) : Promise.resolve(undefined),
  ]);
  return {
    ...accountDetail(row, row.appid ? states.get(row.appid) : undefined, deps.clock.now()),
    industries: industry
      ? { primary: industry.industry_id1, secondary: industry.industry_id2, updatedAt: isoOrNull(industry.updated_at) }
      : null,
    templates: templates.length,
    // Never the key: only whether the merchant is configured.
    pay: pay ? { mchId: pay.mch_id, name: pay.name } : null,
    standing: standingOf(status, funcIdList(row.func_ids)),
  };
}
