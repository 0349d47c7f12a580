// `industry list`: the template-message industry codes the platform knows.
import type { Database } from '../../db/database.js';
import { IndustryRepository } from '../../db/repositories/industries.js';

export interface IndustryCodeView {
  code: number;
  main: string;
  sub: string;
  mainType: number | null;
  id: number;
}

export async function listIndustryCodes(db: Database): Promise<IndustryCodeView[]> {
  const rows = await new IndustryRepository(db.knex).listCodes();
  return rows.map((r) => ({
    code: r.code_num ?? 0,
    main: r.main_industry_code ?? '',
    sub: r.sec_industry_code ?? '',
    mainType: r.main_type,
    id: r.industry_code_query_id,
  }));
}
