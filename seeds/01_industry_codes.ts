// Seeds industry_code_querys with the 41 codes. Idempotent: a row is matched by code_num and updated in
// place (production already has ids 1–41); only a code with no row is inserted.
import type { Knex } from 'knex';
import { INDUSTRY_STATUS, type IndustryCodeQueryRow } from '../src/db/rows.js';
import { toSqlDateTime } from '../src/db/time.js';
import { INDUSTRY_CODES } from './data/industry-codes.js';

export interface SeedResult {
  name: string;
  inserted: number;
  updated: number;
  unchanged: number;
}

/** main_type: the 1-based rank of the main industry, in order of first appearance. */
export function mainTypeRanks(): Map<string, number> {
  const ranks = new Map<string, number>();
  for (const { main } of INDUSTRY_CODES) if (!ranks.has(main)) ranks.set(main, ranks.size + 1);
  return ranks;
}

export async function seed(knex: Knex, now: Date = new Date()): Promise<SeedResult> {
  const ranks = mainTypeRanks();
  const stamp = toSqlDateTime(now);
  const result: SeedResult = { name: 'industry codes', inserted: 0, updated: 0, unchanged: 0 };
  await knex.transaction(async (trx) => {
    const existing = await trx<IndustryCodeQueryRow>('industry_code_querys')
      .select('*')
      .whereIn(
        'code_num',
        INDUSTRY_CODES.map((c) => c.code),
      )
      .orderBy('industry_code_query_id');
    const byCode = new Map<number, IndustryCodeQueryRow>();
    for (const row of existing) if (row.code_num !== null && !byCode.has(row.code_num)) byCode.set(row.code_num, row);

    for (const code of INDUSTRY_CODES) {
      const wanted = {
        main_type: ranks.get(code.main)!,
        main_industry_code: code.main,
        sec_industry_code: code.sub,
        code_num: code.code,
        status: INDUSTRY_STATUS.valid,
      };
      const row = byCode.get(code.code);
      if (!row) {
        await trx('industry_code_querys').insert({ ...wanted, created_at: stamp, updated_at: stamp });
        result.inserted++;
        continue;
      }
      const same =
        row.main_type === wanted.main_type &&
        row.main_industry_code === wanted.main_industry_code &&
        row.sec_industry_code === wanted.sec_industry_code &&
        row.status === wanted.status;
      if (same) {
        result.unchanged++;
        continue;
      }
      await trx('industry_code_querys')
        .where('industry_code_query_id', row.industry_code_query_id)
        .update({ ...wanted, updated_at: stamp, created_at: row.created_at ?? stamp });
      result.updated++;
    }
  });
  return result;
}
