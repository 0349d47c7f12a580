// `template list`: the templates wxplat has mapped for an account, with their catalogue code and the
// placeholders each expects (from the catalogue content). Read from the database only: `template sync`
// is what compares with WeChat.
import type { Database } from '../../db/database.js';
import { TemplateRepository } from '../../db/repositories/templates.js';
import { STATUS, type OfficialAccountRow } from '../../db/rows.js';
import { isoOrNull } from '../../db/time.js';
import { accountRef, type AccountRef } from '../accounts/view.js';
import { placeholdersOf } from './placeholders.js';

export interface AccountTemplateView {
  id: number;
  templateId: string;
  code: string | null;
  title: string | null;
  placeholders: string[];
  state: 'valid' | 'removed' | 'unknown';
  /** False when the catalogue entry was removed (or never existed). */
  inCatalogue: boolean;
  createdAt: string | null;
  updatedAt: string | null;
}

export async function listAccountTemplates(
  deps: { db: Database },
  row: OfficialAccountRow,
  options: { includeRemoved: boolean },
): Promise<{ account: AccountRef; templates: AccountTemplateView[] }> {
  const rows = await new TemplateRepository(deps.db.knex).accountTemplates(Number(row.official_account_id), options.includeRemoved);
  return {
    account: accountRef(row),
    templates: rows.map((r) => {
      const status = Number(r.status);
      return {
        id: Number(r.account_message_template_id),
        templateId: r.template_id,
        code: r.code,
        title: r.title,
        placeholders: r.catalogue_content === null ? [] : placeholdersOf(r.catalogue_content),
        state: status === STATUS.valid ? 'valid' : status === STATUS.deleted ? 'removed' : 'unknown',
        inCatalogue: r.catalogue_content !== null && Number(r.catalogue_status) === STATUS.valid,
        createdAt: isoOrNull(r.created_at),
        updatedAt: isoOrNull(r.updated_at),
      };
    }),
  };
}
