// Named row locks: a transaction that must not run twice at once (an account upsert by appid, a job's
// setup) locks its row here first. On MySQL that is SELECT … FOR UPDATE; on SQLite a write, which takes
// the database's write lock at once instead of failing later on an upgrade.
import type { Knex } from 'knex';
import { tableOptions } from '../src/db/schema/extension.js';
import { createTableIfMissing } from '../src/db/schema/rerunnable.js';

export const droppedTables = ['wxplat_locks'];

export async function up(knex: Knex): Promise<void> {
  await createTableIfMissing(knex, 'wxplat_locks', (t) => {
    tableOptions(knex, t);
    t.string('name', 191).primary();
    t.datetime('updated_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('wxplat_locks');
}
