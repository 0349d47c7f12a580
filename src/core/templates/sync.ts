// `template sync`: make an account hold every catalogue template of its industries, and make
// account_message_templates say which WeChat template_id stands for which catalogue entry.
//   1. read the account's private templates from WeChat;
//   2. a mapped template WeChat no longer has becomes status -2 (removed);
//   3. each catalogue entry of the account's industries without a live mapping is mapped to a WeChat
//      template of the same title (and placeholders, when several share the title) when the account
//      has one (added by hand, or by an earlier run whose answer was lost), else added with
//      api_add_template;
//   4. WeChat templates that map to nothing are reported, never deleted.
// --dry-run reads WeChat and the database and writes to neither.
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { writeTransaction } from '../../db/locks.js';
import { AccountRepository } from '../../db/repositories/accounts.js';
import { IndustryRepository } from '../../db/repositories/industries.js';
import { TemplateRepository, type AccountTemplateWithCatalogue } from '../../db/repositories/templates.js';
import { STATUS, type OfficialAccountRow, type SystemMessageTemplateRow } from '../../db/rows.js';
import { toSqlDateTime } from '../../db/time.js';
import { FailedError } from '../../errors.js';
import type { WeChatClient } from '../../wechat/client.js';
import type { PrivateTemplate } from '../../wechat/types.js';
import { accountRef, type AccountRef } from '../accounts/view.js';
import { industryIndex, wechatIndustries } from '../industries/get.js';
import { placeholdersOf, samePlaceholders } from './placeholders.js';

export interface SyncItem {
  /** The catalogue code (template_id_short); null for a mapping with no catalogue entry. */
  code: string | null;
  title: string | null;
  /** WeChat's template_id; null for an add that --dry-run did not make. */
  templateId: string | null;
  /** True when an existing WeChat template was mapped instead of adding a new one. */
  adopted?: boolean;
}

export interface SyncFailure {
  code: string | null;
  title: string | null;
  errcode: number | null;
  error: string;
}

export type SyncOutcome = 'ok' | 'partial' | 'failed';

export interface SyncResult {
  account: AccountRef;
  dryRun: boolean;
  /** The industry codes whose catalogue templates the account should hold. */
  industries: number[];
  /** Where they came from: the local record, WeChat's get_industry, or nowhere. */
  industrySource: 'local' | 'wechat' | 'none';
  added: SyncItem[];
  kept: SyncItem[];
  removed: SyncItem[];
  failed: SyncFailure[];
  /** WeChat templates that no catalogue entry maps to (left alone). */
  unmapped: Array<{ templateId: string; title: string }>;
  warnings: string[];
  outcome: SyncOutcome;
  /** Set when the account could not be synced at all (with --all). */
  error: { message: string; errcode: number | null } | null;
}

export interface SyncDeps {
  db: Database;
  wechat: WeChatClient;
  clock: Clock;
}

function item(row: AccountTemplateWithCatalogue): SyncItem {
  return { code: row.code, title: row.title, templateId: row.template_id };
}

function errorOf(err: unknown): { message: string; errcode: number | null } {
  const errcode = (err as { errcode?: unknown }).errcode;
  return { message: err instanceof Error ? err.message : String(err), errcode: typeof errcode === 'number' ? errcode : null };
}

async function accountIndustries(
  deps: SyncDeps,
  row: OfficialAccountRow,
): Promise<{ codes: number[]; source: SyncResult['industrySource'] }> {
  const repo = new IndustryRepository(deps.db.knex);
  const record = await repo.accountRecord(row.official_account_id);
  const local = [record?.industry_id1, record?.industry_id2].filter((c): c is number => c !== null && c !== undefined).map(Number);
  if (local.length > 0) return { codes: [...new Set(local)], source: 'local' };
  // No local record (an account set up in the MP console): ask WeChat.
  const fromWechat = await wechatIndustries(deps.wechat, row.appid!, industryIndex(await repo.listCodes()));
  const codes = [fromWechat?.primary?.code, fromWechat?.secondary?.code].filter((c): c is number => typeof c === 'number');
  return codes.length > 0 ? { codes: [...new Set(codes)], source: 'wechat' } : { codes: [], source: 'none' };
}

function matches(template: PrivateTemplate, entry: SystemMessageTemplateRow): boolean {
  return (
    (template.title ?? '').trim() === (entry.title ?? '').trim() &&
    samePlaceholders(placeholdersOf(template.content ?? ''), placeholdersOf(entry.content))
  );
}

export async function syncAccountTemplates(
  deps: SyncDeps,
  row: OfficialAccountRow,
  options: { dryRun: boolean },
): Promise<SyncResult> {
  if (!row.appid) throw new FailedError(`account ${row.official_account_id} has no appid`);
  const accountId = Number(row.official_account_id);
  const client = deps.wechat.account(row.appid);
  const repo = new TemplateRepository(deps.db.knex);
  const stamp = () => toSqlDateTime(deps.clock.now());

  const { codes, source } = await accountIndustries(deps, row);
  const industryRows = await new IndustryRepository(deps.db.knex).findByCodes(codes);
  const catalogue = await repo.systemForIndustries([...industryRows.values()].map((r) => Number(r.industry_code_query_id)));
  const keywords = await repo.keywordsFor(catalogue.map((c) => Number(c.system_message_template_id)));
  const onWechat = (await client.listTemplates()).template_list ?? [];
  const byId = new Map(onWechat.map((t) => [t.template_id, t]));
  const mapped = await repo.accountTemplates(accountId, false);

  const result: SyncResult = {
    account: accountRef(row),
    dryRun: options.dryRun,
    industries: codes,
    industrySource: source,
    added: [],
    kept: [],
    removed: [],
    failed: [],
    unmapped: [],
    warnings: [],
    outcome: 'ok',
    error: null,
  };
  if (source === 'none') {
    result.warnings.push('the account has no industries (none recorded, none at WeChat): set them with `wxplat industry set`');
  }

  const gone = mapped.filter((m) => !byId.has(m.template_id));
  const live = mapped.filter((m) => byId.has(m.template_id));
  result.removed = gone.map(item);
  if (!options.dryRun && gone.length > 0) {
    await repo.setAccountTemplateStatus(gone.map((g) => Number(g.account_message_template_id)), STATUS.deleted, stamp());
  }
  // The sender fills the catalogue's placeholders: say so when WeChat's template asks for others.
  const comparePlaceholders = (code: string | null, template: PrivateTemplate, catalogueContent: string | null) => {
    if (catalogueContent === null) return;
    const wechatKeys = placeholdersOf(template.content ?? '');
    const catalogueKeys = placeholdersOf(catalogueContent);
    if (!samePlaceholders(wechatKeys, catalogueKeys)) {
      result.warnings.push(
        `template ${code ?? template.template_id}: WeChat's content asks for ${wechatKeys.join(', ') || 'nothing'}, the catalogue's for ${catalogueKeys.join(', ')}`,
      );
    }
  };
  result.kept = live.map(item);
  for (const m of live) comparePlaceholders(m.code, byId.get(m.template_id)!, m.catalogue_content);

  const used = new Set(live.map((m) => m.template_id));
  const covered = new Set(live.map((m) => Number(m.system_message_template_id)).filter(Number.isFinite));
  for (const entry of catalogue) {
    const entryId = Number(entry.system_message_template_id);
    if (covered.has(entryId)) continue;
    const unused = onWechat.filter((t) => !used.has(t.template_id));
    const sameTitle = unused.filter((t) => (t.title ?? '').trim() === (entry.title ?? '').trim());
    // Same title and placeholders; failing that, the one template of that title (a warning follows).
    const existing = unused.find((t) => matches(t, entry)) ?? (sameTitle.length === 1 ? sameTitle[0] : undefined);
    if (existing) {
      used.add(existing.template_id);
      comparePlaceholders(entry.code, existing, entry.content);
      if (!options.dryRun) await repo.insertAccountTemplate(accountId, existing.template_id, entryId, stamp());
      result.kept.push({ code: entry.code, title: entry.title, templateId: existing.template_id, adopted: true });
      continue;
    }
    if (options.dryRun) {
      result.added.push({ code: entry.code, title: entry.title, templateId: null });
      continue;
    }
    const names = keywords.get(entryId);
    try {
      const res = await client.addTemplate({
        template_id_short: entry.code ?? '',
        ...(names && names.length > 0 ? { keyword_name_list: names } : {}),
      });
      used.add(res.template_id);
      // Mapped at once: a crash after this line loses nothing; one before it is adopted next run.
      await writeTransaction(deps.db, (trx) => new TemplateRepository(trx).insertAccountTemplate(accountId, res.template_id, entryId, stamp()));
      result.added.push({ code: entry.code, title: entry.title, templateId: res.template_id });
    } catch (err) {
      // WeChat's refusal of one template (45026 slots full, 40246, 40247 …) is recorded; anything else stops.
      if (!(err instanceof FailedError)) throw err;
      const e = errorOf(err);
      result.failed.push({ code: entry.code, title: entry.title, errcode: e.errcode, error: e.message });
    }
  }

  result.unmapped = onWechat.filter((t) => !used.has(t.template_id)).map((t) => ({ templateId: t.template_id, title: t.title }));
  // Partly done when some of what the catalogue wants is in place; failed when none of it is.
  const inPlace = result.added.length + result.kept.filter((k) => k.code !== null).length;
  if (result.failed.length > 0) result.outcome = inPlace > 0 ? 'partial' : 'failed';
  return result;
}

/** Several accounts, one after another; one account's failure is recorded and the next one runs. */
/** Every account that is not removed, one after the other (`template sync --all`). */
export async function syncEveryAccount(deps: SyncDeps, options: { dryRun: boolean; signal?: AbortSignal }): Promise<SyncResult[]> {
  return syncAccounts(deps, await new AccountRepository(deps.db.knex).list(false), options);
}

export async function syncAccounts(
  deps: SyncDeps,
  rows: readonly OfficialAccountRow[],
  options: { dryRun: boolean; signal?: AbortSignal },
): Promise<SyncResult[]> {
  const out: SyncResult[] = [];
  for (const row of rows) {
    if (options.signal?.aborted) break;
    try {
      out.push(await syncAccountTemplates(deps, row, options));
    } catch (err) {
      out.push({
        account: accountRef(row),
        dryRun: options.dryRun,
        industries: [],
        industrySource: 'none',
        added: [],
        kept: [],
        removed: [],
        failed: [],
        unmapped: [],
        warnings: [],
        outcome: 'failed',
        error: errorOf(err),
      });
    }
  }
  return out;
}

/** The exit a set of results calls for: everything ok, nothing ok, or some of each. */
export function overallOutcome(results: readonly SyncResult[]): SyncOutcome {
  if (results.every((r) => r.outcome === 'ok')) return 'ok';
  if (results.every((r) => r.outcome === 'failed')) return 'failed';
  return 'partial';
}
