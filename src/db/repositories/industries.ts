// industry_code_querys (the catalogue of codes) and official_account_industry_codes (each account's pair).
import type { Knex } from 'knex';
import { INDUSTRY_STATUS, type IndustryCodeQueryRow } from '../rows.js';

export class IndustryRepository {
  constructor(private readonly knex: Knex) {}

  /** The valid codes, by code number. */
  listCodes(): Promise<IndustryCodeQueryRow[]> {
    return this.knex<IndustryCodeQueryRow>('industry_code_querys')
      .select('*')
      .where('status', INDUSTRY_STATUS.valid)
      .orderBy([{ column: 'code_num' }, { column: 'industry_code_query_id' }]);
  }

  async findByCode(code: number): Promise<IndustryCodeQueryRow | undefined> {
    return this.knex<IndustryCodeQueryRow>('industry_code_querys')
      .select('*')
      .where({ code_num: code, status: INDUSTRY_STATUS.valid })
      .orderBy('industry_code_query_id')
      .first();
  }
}
