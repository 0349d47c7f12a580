// Indexes for `records tail` and `doctor`, on wxplat's own tables only (the production tables stay as
// the seed has them). Both tables are read as a log of changes ordered by updated_at, one state at a
// time: (state, updated_at) gives each state's newest rows in index order, lets a follow poll read
// `state IN (…) AND updated_at >= ?` as a few index ranges that never touch in-flight rows (pending,
// sending), and lets doctor count unknown or stale rows without a table scan.
import type { Knex } from 'knex';

export const droppedTables: string[] = [];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wxplat_send_deliveries', (t) => {
    t.index(['state', 'updated_at'], 'wxplat_send_deliveries_state_updated');
  });
  await knex.schema.alterTable('wxplat_callback_inbox', (t) => {
    t.index(['state', 'updated_at'], 'wxplat_callback_inbox_state_updated');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wxplat_callback_inbox', (t) => {
    t.dropIndex(['state', 'updated_at'], 'wxplat_callback_inbox_state_updated');
  });
  await knex.schema.alterTable('wxplat_send_deliveries', (t) => {
    t.dropIndex(['state', 'updated_at'], 'wxplat_send_deliveries_state_updated');
  });
}
