// `--template` is a catalogue code (system_message_templates.code, mapped to the account's template_id
// by `template sync`) or one of the account's template_ids. WeChat's own list is the last word: the
// template must still be there, and its content gives the placeholders the data must fill.
import type { Database } from '../../db/database.js';
import { TemplateRepository } from '../../db/repositories/templates.js';
import { NotFoundError, UsageError } from '../../errors.js';
import type { AccountClient } from '../../wechat/client.js';
import { placeholdersOf } from '../templates/placeholders.js';

export interface ResolvedTemplate {
  templateId: string;
  /** The catalogue code, when the template came from the catalogue. */
  code: string | null;
  title: string | null;
  content: string;
  placeholders: string[];
}

function looksLikeTemplateId(value: string): boolean {
  return /^[A-Za-z0-9_-]{30,}$/.test(value);
}

/** The local mapping only: no WeChat call. */
export async function findAccountTemplate(
  db: Database,
  accountId: number,
  ref: string,
): Promise<{ templateId: string; code: string | null; title: string | null }> {
  const templates = new TemplateRepository(db.knex);
  const mine = await templates.accountTemplates(accountId, false);
  if (looksLikeTemplateId(ref)) {
    const row = mine.find((m) => m.template_id === ref);
    if (!row) throw new NotFoundError(`template ${ref} is not one of this account's templates`, 'run `wxplat template list <account>` to see them');
    return { templateId: row.template_id, code: row.code, title: row.title };
  }
  const catalogue = await templates.findSystemByCode(ref);
  if (!catalogue) {
    throw new NotFoundError(`no catalogue template has code "${ref}" and it is not a template_id`, '`wxplat template system list` shows the codes');
  }
  const row = mine.filter((m) => m.system_message_template_id === catalogue.system_message_template_id).pop();
  if (!row) {
    throw new NotFoundError(`catalogue template ${ref} is not on this account yet`, 'run `wxplat template sync <account>` first');
  }
  return { templateId: row.template_id, code: catalogue.code, title: catalogue.title };
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
    title: remote.title ?? local.title,
    content: remote.content,
    placeholders: placeholdersOf(remote.content),
  };
}
