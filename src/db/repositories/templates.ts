// system_message_templates (the platform's catalogue), wxplat_template_keywords (the keyword names a
// category template is added with) and account_message_templates (which WeChat template_id each
// account holds for a catalogue entry).
import type { Knex } from 'knex';
import { STATUS, type AccountMessageTemplateRow, type SystemMessageTemplateRow, type SqlDateTime } from '../rows.js';

const KEYWORDS = 'wxplat_template_keywords';

/** wxplat_template_keywords (migration 20261128002000). */
export interface TemplateKeywordsRow {
  system_message_template_id: number;
  /** JSON array of names. */
  keyword_name_list: string;
  updated_at: SqlDateTime | null;
}

export interface NewSystemTemplate {
  code: string;
  title: string;
  industryCodeQueryId: number;
  content: string;
  keywords: string[] | null;
}

/** An account template row with the catalogue entry it maps to, when there is one. */
export interface AccountTemplateWithCatalogue extends AccountMessageTemplateRow {
  code: string | null;
  title: string | null;
  catalogue_content: string | null;
  catalogue_status: number | null;
}

function parseKeywords(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.map(String) : [];
  } catch {
    return [];
  }
}

export class TemplateRepository {
  constructor(private readonly knex: Knex) {}

  // --- the catalogue ---

  listSystem(includeRemoved: boolean): Promise<SystemMessageTemplateRow[]> {
    const q = this.knex<SystemMessageTemplateRow>('system_message_templates')
      .select('*')
      .orderBy([{ column: 'code' }, { column: 'system_message_template_id' }]);
    if (!includeRemoved) q.where('status', STATUS.valid);
    return q;
  }

  findSystemById(id: number): Promise<SystemMessageTemplateRow | undefined> {
    return this.knex<SystemMessageTemplateRow>('system_message_templates').where('system_message_template_id', id).first();
  }

  /** The valid entry with this code (codes compare as WeChat's: exactly). */
  findSystemByCode(code: string): Promise<SystemMessageTemplateRow | undefined> {
    return this.knex<SystemMessageTemplateRow>('system_message_templates')
      .where({ code, status: STATUS.valid })
      .orderBy('system_message_template_id')
      .first();
  }

  /** Valid catalogue entries of these industries (industry_code_querys ids). */
  systemForIndustries(industryRowIds: readonly number[]): Promise<SystemMessageTemplateRow[]> {
    if (industryRowIds.length === 0) return Promise.resolve([]);
    return this.knex<SystemMessageTemplateRow>('system_message_templates')
      .select('*')
      .whereIn('industry_code_query_id', [...industryRowIds])
      .andWhere('status', STATUS.valid)
      .orderBy([{ column: 'code' }, { column: 'system_message_template_id' }]);
  }

  async keywordsFor(ids: readonly number[]): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>();
    if (ids.length === 0) return out;
    const rows = await this.knex<TemplateKeywordsRow>(KEYWORDS).whereIn('system_message_template_id', [...ids]);
    for (const row of rows) out.set(Number(row.system_message_template_id), parseKeywords(row.keyword_name_list));
    return out;
  }

  async insertSystem(entry: NewSystemTemplate, stamp: string): Promise<number> {
    const [inserted] = await this.knex('system_message_templates').insert({
      code: entry.code,
      title: entry.title,
      industry_code_query_id: entry.industryCodeQueryId,
      content: entry.content,
      status: STATUS.valid,
      created_at: stamp,
      updated_at: stamp,
    });
    const id = Number(inserted);
    if (entry.keywords && entry.keywords.length > 0) {
      await this.knex(KEYWORDS)
        .insert({ system_message_template_id: id, keyword_name_list: JSON.stringify(entry.keywords), updated_at: stamp })
        .onConflict('system_message_template_id')
        .merge();
    }
    return id;
  }

  async removeSystem(id: number, stamp: string): Promise<void> {
    await this.knex('system_message_templates')
      .where('system_message_template_id', id)
      .update({ status: STATUS.deleted, updated_at: stamp });
  }

  // --- each account's templates ---

  accountTemplates(accountId: number, includeRemoved: boolean): Promise<AccountTemplateWithCatalogue[]> {
    const q = this.knex('account_message_templates as a')
      .leftJoin('system_message_templates as s', 's.system_message_template_id', 'a.system_message_template_id')
      .select(
        'a.*',
        's.code as code',
        's.title as title',
        's.content as catalogue_content',
        's.status as catalogue_status',
      )
      .where('a.official_account_id', accountId)
      .orderBy('a.account_message_template_id');
    if (!includeRemoved) q.andWhere('a.status', STATUS.valid);
    return q;
  }

  async insertAccountTemplate(
    accountId: number,
    templateId: string,
    systemTemplateId: number | null,
    stamp: string,
  ): Promise<number> {
    const [inserted] = await this.knex('account_message_templates').insert({
      official_account_id: accountId,
      template_id: templateId,
      system_message_template_id: systemTemplateId,
      status: STATUS.valid,
      created_at: stamp,
      updated_at: stamp,
    });
    return Number(inserted);
  }

  async setAccountTemplateStatus(ids: readonly number[], status: number, stamp: string): Promise<void> {
    if (ids.length === 0) return;
    await this.knex('account_message_templates')
      .whereIn('account_message_template_id', [...ids])
      .update({ status, updated_at: stamp });
  }
}
