// An index for `records tail events` and `doctor`, on wxplat's own inbox (the production tables stay as
// the seed has them). The inbox is read as a log of changes ordered by updated_at, one state at a time:
// (state, updated_at) gives each state's newest rows in index order and lets a follow poll read
// `state = ? AND updated_at >= ?` from the index alone.
//
// Send rows get no such index: on MySQL, (state, updated_at) on wxplat_send_deliveries made two
// concurrent outcome writes (INSERT … ON DUPLICATE KEY UPDATE moving rows out of adjacent
// ('sending', same second) entries) deadlock in bench/send. Their tail and counts use the indexes the
// send migration already has: (updated_at), (official_account_id, updated_at) and (job_id, state).
import type { Knex } from 'knex';
import { alterTableIfNeeded } from '../src/db/schema/rerunnable.js';

export const droppedTables: string[] = [];

export async function up(knex: Knex): Promise<void> {
  await alterTableIfNeeded(knex, 'wxplat_callback_inbox', (t) => {
    t.index(['state', 'updated_at'], 'wxplat_callback_inbox_state_updated');
  });
}

export async function down(knex: Knex): Promise<void> {
  await alterTableIfNeeded(knex, 'wxplat_callback_inbox', (t) => {
    t.dropIndex(['state', 'updated_at'], 'wxplat_callback_inbox_state_updated');
  });
}
