// `template system list | add | remove`: the platform's catalogue of templates (system_message_templates),
// each of one industry, which `template sync` adds to every account of that industry.
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { lockedTransaction } from '../../db/locks.js';
import { IndustryRepository } from '../../db/repositories/industries.js';
import { TemplateRepository } from '../../db/repositories/templates.js';
import { STATUS, type IndustryCodeQueryRow, type SystemMessageTemplateRow } from '../../db/rows.js';
import { isoOrNull, toSqlDateTime } from '../../db/time.js';
import { NotFoundError, UsageError } from '../../errors.js';
import { placeholdersOf } from './placeholders.js';

export interface CatalogueEntry {
  id: number;
  /** WeChat's library number: template_id_short (TM…/OPENTM… or digits for category templates). */
  code: string | null;
  title: string | null;
  industry: { code: number; main: string | null; sub: string | null } | null;
  content: string;
  placeholders: string[];
  /** keyword_name_list for category templates, in order; null when the entry has none. */
  keywords: string[] | null;
  state: 'valid' | 'removed' | 'unknown';
  createdAt: string | null;
  updatedAt: string | null;
}

export interface NewCatalogueEntry {
  code: string;
  title: string;
  /** An industry code (1–41), as `industry list` shows them. */
  industry: number;
  content: string;
  keywords?: string[];
}

type Deps = { db: Database; clock: Clock };

function entry(
  row: SystemMessageTemplateRow,
  industries: Map<number, IndustryCodeQueryRow>,
  keywords: Map<number, string[]>,
): CatalogueEntry {
  const industry = row.industry_code_query_id === null ? undefined : industries.get(Number(row.industry_code_query_id));
  const status = Number(row.status);
  return {
    id: Number(row.system_message_template_id),
    code: row.code,
    title: row.title,
    industry: industry
      ? { code: Number(industry.code_num), main: industry.main_industry_code, sub: industry.sec_industry_code }
      : null,
    content: row.content,
    placeholders: placeholdersOf(row.content),
    keywords: keywords.get(Number(row.system_message_template_id)) ?? null,
    state: status === STATUS.valid ? 'valid' : status === STATUS.deleted ? 'removed' : 'unknown',
    createdAt: isoOrNull(row.created_at),
    updatedAt: isoOrNull(row.updated_at),
  };
}

async function describe(db: Database, rows: SystemMessageTemplateRow[]): Promise<CatalogueEntry[]> {
  const industryRepo = new IndustryRepository(db.knex);
  const industryRows = await Promise.all(
    [...new Set(rows.map((r) => r.industry_code_query_id).filter((id): id is number => id !== null))].map((id) =>
      industryRepo.findById(Number(id)),
    ),
  );
  const industries = new Map(
    industryRows.filter((r): r is IndustryCodeQueryRow => Boolean(r)).map((r) => [Number(r.industry_code_query_id), r]),
  );
  const keywords = await new TemplateRepository(db.knex).keywordsFor(rows.map((r) => Number(r.system_message_template_id)));
  return rows.map((r) => entry(r, industries, keywords));
}

export async function listCatalogue(deps: { db: Database }, options: { includeRemoved: boolean }): Promise<CatalogueEntry[]> {
  return describe(deps.db, await new TemplateRepository(deps.db.knex).listSystem(options.includeRemoved));
}

/** `k1,k2` (ASCII or full-width commas) into names; empty names are an error, not skipped. */
export function parseKeywordList(value: string): string[] {
  const names = value.split(/[,\uFF0C]/).map((s) => s.trim());
  if (names.length === 0 || names.some((n) => n.length === 0)) {
    throw new UsageError('--keywords must be keyword names separated by commas, none empty (e.g. 商户名称,交易时间)');
  }
  for (const n of names) {
    if ([...n].length > 20) throw new UsageError(`keyword name "${n.slice(0, 30)}" is longer than 20 characters`);
  }
  return names;
}

function check(input: NewCatalogueEntry): { warnings: string[] } {
  if (!/^[A-Za-z0-9_-]{1,20}$/.test(input.code)) {
    throw new UsageError(
      `--code must be WeChat's template library number, 1 to 20 letters or digits (got "${input.code.slice(0, 30)}")`,
      'e.g. 47862 for a category template, OPENTM207498902 for a historical one',
    );
  }
  const title = [...input.title.trim()].length;
  if (title < 1 || title > 100) throw new UsageError('--title must be 1 to 100 characters');
  const content = [...input.content].length;
  if (input.content.trim().length === 0 || content > 1000) throw new UsageError('--content must be 1 to 1000 characters');
  const placeholders = placeholdersOf(input.content);
  if (placeholders.length === 0) {
    throw new UsageError('--content has no placeholder: write each value as {{name.DATA}}', 'e.g. "订单号：{{character_string1.DATA}}"');
  }
  const warnings: string[] = [];
  if (input.keywords && input.keywords.length !== placeholders.length) {
    warnings.push(
      `--keywords names ${input.keywords.length} keyword(s) but the content has ${placeholders.length} placeholder(s); WeChat wants one name per keyword, in order`,
    );
  }
  return { warnings };
}

export async function addCatalogueEntry(deps: Deps, input: NewCatalogueEntry): Promise<{ entry: CatalogueEntry; warnings: string[] }> {
  const { warnings } = check(input);
  const industry = (await new IndustryRepository(deps.db.knex).findByCodes([input.industry])).get(input.industry);
  if (!industry) {
    throw new NotFoundError(`unknown industry code ${input.industry}`, '`wxplat industry list` shows the codes (run `wxplat db seed` if it is empty)');
  }
  const stamp = toSqlDateTime(deps.clock.now());
  // Check and insert under one lock, so that two operators cannot add the same code twice.
  const id = await lockedTransaction(deps.db, 'template-catalogue', async (trx) => {
    const repo = new TemplateRepository(trx);
    const existing = await repo.findSystemByCode(input.code);
    if (existing) {
      throw new UsageError(
        `the catalogue has template ${input.code} already (id ${existing.system_message_template_id}, "${existing.title ?? ''}")`,
        `remove it first with \`wxplat template system remove ${input.code}\``,
      );
    }
    return repo.insertSystem(
      {
        code: input.code,
        title: input.title.trim(),
        industryCodeQueryId: Number(industry.industry_code_query_id),
        content: input.content,
        keywords: input.keywords ?? null,
      },
      stamp,
    );
  });
  const row = (await new TemplateRepository(deps.db.knex).findSystemById(id))!;
  return { entry: (await describe(deps.db, [row]))[0], warnings };
}

export async function removeCatalogueEntry(deps: Deps, code: string): Promise<CatalogueEntry> {
  const repo = new TemplateRepository(deps.db.knex);
  const row = await repo.findSystemByCode(code.trim());
  if (!row) throw new NotFoundError(`the catalogue has no template ${code.trim().slice(0, 30)}`, '`wxplat template system list` shows it');
  const id = Number(row.system_message_template_id);
  await repo.removeSystem(id, toSqlDateTime(deps.clock.now()));
  return (await describe(deps.db, [(await repo.findSystemById(id))!]))[0];
}
