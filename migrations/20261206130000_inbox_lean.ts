// The inbox row the receiver writes for every push, made lean (bench/serve: a row was three times the
// size it needs): the decrypted message is the one body kept — raw_body (the encrypted envelope) and
// query_string (signature, timestamp, nonce) are left empty from now on, and the openid that the query
// carried gets a column of its own. `retries` counts WeChat's copies of a push that arrived after it
// was stored: the receiver's one statement adds one to it instead of reading back which keys were new.
// Safe to run again: each step checks what is there.
import type { Knex } from 'knex';
import { isMysql } from '../src/db/schema/extension.js';

export const droppedTables: string[] = [];

const INBOX = 'wxplat_callback_inbox';

async function rawBodyNullable(knex: Knex): Promise<boolean> {
  if (isMysql(knex)) {
    const [rows] = (await knex.raw(
      'SELECT IS_NULLABLE AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?',
      [INBOX, 'raw_body'],
    )) as [Array<{ n: string }>];
    return rows[0]?.n === 'YES';
  }
  const rows = (await knex.raw(`PRAGMA table_info(${INBOX})`)) as Array<{ name: string; notnull: number }>;
  return rows.find((r) => r.name === 'raw_body')?.notnull === 0;
}

export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn(INBOX, 'retries'))) {
    await knex.schema.alterTable(INBOX, (t) => {
      t.integer('retries').notNullable().defaultTo(0);
    });
  }
  if (!(await knex.schema.hasColumn(INBOX, 'openid'))) {
    await knex.schema.alterTable(INBOX, (t) => {
      t.string('openid', 64).nullable();
    });
    // Openids are case-sensitive.
    if (isMysql(knex)) await knex.raw(`ALTER TABLE ${INBOX} MODIFY openid VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL`);
  }
  if (!(await rawBodyNullable(knex))) {
    if (isMysql(knex)) await knex.raw(`ALTER TABLE ${INBOX} MODIFY raw_body MEDIUMTEXT NULL`);
    // SQLite rebuilds the table (in one transaction) with the column made nullable.
    else await knex.schema.alterTable(INBOX, (t) => t.text('raw_body').nullable().alter());
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex(INBOX).whereNull('raw_body').update({ raw_body: '' });
  if (isMysql(knex)) await knex.raw(`ALTER TABLE ${INBOX} MODIFY raw_body MEDIUMTEXT NOT NULL`);
  else await knex.schema.alterTable(INBOX, (t) => t.text('raw_body').notNullable().alter());
  await knex.schema.alterTable(INBOX, (t) => {
    t.dropColumn('openid');
    t.dropColumn('retries');
  });
}
