// industry_code_querys (the catalogue of codes) and official_account_industry_codes (each account's pair).
import type { Knex } from 'knex';
import { INDUSTRY_STATUS, STATUS, type IndustryCodeQueryRow, type OfficialAccountIndustryCodeRow } from '../rows.js';

export class IndustryRepository {
  constructor(private readonly knex: Knex) {}

  /** The valid codes, by code number. */
  listCodes(): Promise<IndustryCodeQueryRow[]> {
    return this.knex<IndustryCodeQueryRow>('industry_code_querys')
      .select('*')
      .where('status', INDUSTRY_STATUS.valid)
      .orderBy([{ column: 'code_num' }, { column: 'industry_code_query_id' }]);
  }

  /** The valid rows for these code numbers (one per code, the oldest when production holds duplicates). */
  async findByCodes(codes: readonly number[]): Promise<Map<number, IndustryCodeQueryRow>> {
    const rows =
      codes.length === 0
        ? []
        : await this.knex<IndustryCodeQueryRow>('industry_code_querys')
            .select('*')
            .whereIn('code_num', [...codes])
            .andWhere('status', INDUSTRY_STATUS.valid)
            .orderBy('industry_code_query_id');
    const byCode = new Map<number, IndustryCodeQueryRow>();
    for (const row of rows) if (row.code_num !== null && !byCode.has(row.code_num)) byCode.set(row.code_num, row);
    return byCode;
  }

  findById(id: number): Promise<IndustryCodeQueryRow | undefined> {
    return this.knex<IndustryCodeQueryRow>('industry_code_querys').where('industry_code_query_id', id).first();
  }

  /** The account's recorded pair: its valid row, the newest if production holds several. */
  accountRecord(accountId: number): Promise<OfficialAccountIndustryCodeRow | undefined> {
    return this.knex<OfficialAccountIndustryCodeRow>('official_account_industry_codes')
      .where({ official_account_id: accountId, status: STATUS.valid })
      .orderBy('official_account_industry_code_id', 'desc')
      .first();
  }

  /** Records the pair WeChat accepted: the current row is updated (or one made); older valid rows retire. */
  async saveAccountRecord(accountId: number, primary: number, secondary: number, stamp: string): Promise<void> {
    const existing = await this.accountRecord(accountId);
    const values = { industry_id1: primary, industry_id2: secondary, status: STATUS.valid, updated_at: stamp };
    let id: number;
    if (existing) {
      id = existing.official_account_industry_code_id;
      await this.knex('official_account_industry_codes').where('official_account_industry_code_id', id).update(values);
    } else {
      const [inserted] = await this.knex('official_account_industry_codes').insert({
        ...values,
        official_account_id: accountId,
        created_at: stamp,
      });
      id = Number(inserted);
    }
    await this.knex('official_account_industry_codes')
      .where({ official_account_id: accountId, status: STATUS.valid })
      .whereNot('official_account_industry_code_id', id)
      .update({ status: STATUS.deleted, updated_at: stamp });
  }
}
