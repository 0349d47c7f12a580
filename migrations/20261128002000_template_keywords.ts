// The keyword names a catalogue template needs when it is added to an account: category templates
// (类目模板, numeric ids) are added with `keyword_name_list`, in order (wechat-api.md §4.3). The
// production table system_message_templates has no column for them and its columns must stay as they
// are, so they live here, one row per catalogue entry that has them.
import type { Knex } from 'knex';
import { tableOptions } from '../src/db/schema/extension.js';
import { createTableIfMissing } from '../src/db/schema/rerunnable.js';

export const droppedTables = ['wxplat_template_keywords'];

export async function up(knex: Knex): Promise<void> {
  await createTableIfMissing(knex, 'wxplat_template_keywords', (t) => {
    tableOptions(knex, t);
    /** = system_message_templates.system_message_template_id */
    t.integer('system_message_template_id').primary();
    /** A JSON array of the keyword names, in WeChat's order. */
    t.text('keyword_name_list').notNullable();
    t.datetime('updated_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('wxplat_template_keywords');
}
