// On SQLite, the inbox's forward index holds only the rows a forwarding rule took (forward_state set):
// most pushes match no rule, and each of their INSERTs paid for an entry nobody reads (0.7-1.4 µs a row
// in a micro-bench of 40-row statements; bench/serve cannot tell it from its noise). The forwarder's
// queue reads `forward_state = 'pending'`, which SQLite knows implies the index's condition. MySQL has
// no partial indexes: its index stays as it is.
// Safe to run again after a partial run: the index is dropped if present, then made.
import type { Knex } from 'knex';
import { isMysql } from '../src/db/schema/extension.js';
import { alterTableIfNeeded, dropIndexIfPresent } from '../src/db/schema/rerunnable.js';

export const droppedTables: string[] = [];

const INBOX = 'wxplat_callback_inbox';
const INDEX = 'wxplat_callback_inbox_forward';

export async function up(knex: Knex): Promise<void> {
  if (isMysql(knex)) return;
  await dropIndexIfPresent(knex, INBOX, INDEX);
  await knex.raw(`CREATE INDEX ${INDEX} ON ${INBOX} (forward_state, id) WHERE forward_state IS NOT NULL`);
}

export async function down(knex: Knex): Promise<void> {
  if (isMysql(knex)) return;
  await dropIndexIfPresent(knex, INBOX, INDEX);
  // As migration 20261206140000 made it.
  await alterTableIfNeeded(knex, INBOX, (t) => {
    t.index(['forward_state', 'id'], INDEX);
  });
}
