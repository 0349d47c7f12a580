// What WeChat last said of each authorized account's standing: account_status from
// api_get_authorizer_info (1 normal; 14 cancelled, 16 banned, 18 warned, 19 frozen), recorded whenever
// wxplat fetches the profile (authorize, refresh, reconcile), for `account show` and `doctor`.
// The seed's official_accounts has no column for it, and its columns are never changed.
// Safe to run again after a partial run: MySQL cannot roll back DDL.
import type { Knex } from 'knex';
import { tableOptions } from '../src/db/schema/extension.js';

export const droppedTables = ['wxplat_authorizer_status'];

export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('wxplat_authorizer_status')) return;
  await knex.schema.createTable('wxplat_authorizer_status', (t) => {
    tableOptions(knex, t);
    t.string('authorizer_appid', 32).primary();
    /** null: WeChat's answer had no account_status. */
    t.integer('account_status').nullable();
    t.datetime('checked_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('wxplat_authorizer_status');
}
