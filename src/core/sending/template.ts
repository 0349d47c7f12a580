// `--template` is a catalogue code (system_message_templates.code, mapped to the account's template_id
// by `template sync`) or one of the account's template_ids. WeChat's own list is the last word: the
// template must still be there, and its content gives the placeholders the data must fill.
import type { Database } from '../../db/database.js';
import { STATUS, type AccountMessageTemplateRow, type SystemMessageTemplateRow } from '../../db/rows.js';
import { NotFoundError, UsageError } from '../../errors.js';
import type { AccountClient } from '../../wechat/client.js';

export interface ResolvedTemplate {
  templateId: string;
  /** The catalogue code, when the template came from the catalogue. */
  code: string | null;
  title: string | null;
  content: string;
  placeholders: string[];
}

const PLACEHOLDER = /\{\s*\{\s*(\w+)\.DATA\s*\}\s*\}/g;

export function placeholdersIn(content: string): string[] {
  const keys: string[] = [];
  for (const m of content.matchAll(PLACEHOLDER)) if (!keys.includes(m[1]!)) keys.push(m[1]!);
  return keys;
}

function looksLikeTemplateId(value: string): boolean {
  return /^[A-Za-z0-9_-]{30,}$/.test(value);
}

/** The local mapping only: no WeChat call. */
export async function findAccountTemplate(
  db: Database,
  accountId: number,
  ref: string,
): Promise<{ templateId: string; code: string | null; catalogue: SystemMessageTemplateRow | null }> {
  const k = db.knex;
  if (looksLikeTemplateId(ref)) {
    const row = await k<AccountMessageTemplateRow>('account_message_templates')
      .where({ official_account_id: accountId, template_id: ref, status: STATUS.valid })
      .first();
    if (!row) throw new NotFoundError(`template ${ref} is not one of this account's templates`, 'run `wxplat template list <account>` to see them');
    const catalogue = row.system_message_template_id
      ? ((await k<SystemMessageTemplateRow>('system_message_templates').where('system_message_template_id', row.system_message_template_id).first()) ?? null)
      : null;
    return { templateId: row.template_id, code: catalogue?.code ?? null, catalogue };
  }
  const catalogue = await k<SystemMessageTemplateRow>('system_message_templates').where({ code: ref, status: STATUS.valid }).first();
  if (!catalogue) {
    throw new NotFoundError(`no catalogue template has code "${ref}" and it is not a template_id`, '`wxplat template system list` shows the codes');
  }
  const row = await k<AccountMessageTemplateRow>('account_message_templates')
    .where({ official_account_id: accountId, system_message_template_id: catalogue.system_message_template_id, status: STATUS.valid })
    .orderBy('account_message_template_id', 'desc')
    .first();
  if (!row) {
    throw new NotFoundError(`catalogue template ${ref} is not on this account yet`, 'run `wxplat template sync <account>` first');
  }
  return { templateId: row.template_id, code: catalogue.code, catalogue };
}

export async function resolveTemplate(db: Database, account: AccountClient, accountId: number, ref: string): Promise<ResolvedTemplate> {
  const local = await findAccountTemplate(db, accountId, ref);
  const list = await account.listTemplates();
  const remote = (list.template_list ?? []).find((t) => t.template_id === local.templateId);
  if (!remote) {
    throw new UsageError(
      `template ${local.templateId} is no longer on WeChat for this account (deleted, or the industry changed)`,
      'run `wxplat template sync <account>` to bring the mapping up to date',
    );
  }
  return {
    templateId: local.templateId,
    code: local.code,
    title: remote.title ?? local.catalogue?.title ?? null,
    content: remote.content,
    placeholders: placeholdersIn(remote.content),
  };
}
