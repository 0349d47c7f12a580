// The inbox row the receiver writes for every push, made lean (bench/serve: a row was three times the
// size it needs): the decrypted message is the one body kept — raw_body (the encrypted envelope) is
// written empty and query_string (signature, timestamp, nonce) left null from now on, and the openid
// that the query carried gets a column of its own. `retries` counts WeChat's copies of a push that
// arrived after it was stored: the receiver's one statement adds one to it instead of reading back
// which keys were new. No column is altered (on MySQL that would rebuild a large table): two are added.
// Safe to run again: each step checks what is there.
import type { Knex } from 'knex';
import { isMysql } from '../src/db/schema/extension.js';
import { alterTableIfNeeded, dropColumnsIfPresent } from '../src/db/schema/rerunnable.js';

export const droppedTables: string[] = [];

const INBOX = 'wxplat_callback_inbox';

export async function up(knex: Knex): Promise<void> {
  await alterTableIfNeeded(knex, INBOX, (t) => {
    t.integer('retries').notNullable().defaultTo(0);
    t.string('openid', 64).nullable();
  });
  // Openids are case-sensitive. (MODIFY states the whole column: running it again changes nothing.)
  if (isMysql(knex)) await knex.raw(`ALTER TABLE ${INBOX} MODIFY openid VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await dropColumnsIfPresent(knex, INBOX, ['openid', 'retries']);
}
