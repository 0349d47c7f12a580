// The token service (`serve` with WXPLAT_TOKENS_LISTEN, `token …`): each account's jsapi_ticket, kept
// and refreshed like its access token (a version for compare-and-set and a refresh lease, see
// src/wechat/tokens.ts), and the keys the platform's own services present. A key is stored as its
// SHA-256 only; `token keys add` shows the key once. Removed keys stay as rows (status -2), so that
// their names can be read in old log lines; adding the name again revives the row with a new key.
//
// Every step checks what exists first: MySQL cannot roll DDL back, and knex adds a unique index with a
// statement of its own after CREATE TABLE, so a run cut off between them must be able to run again.
import type { Knex } from 'knex';
import { hasIndex, tableOptions } from '../src/db/schema/extension.js';

export const droppedTables = ['wxplat_jsapi_tickets', 'wxplat_token_keys'];

export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable('wxplat_jsapi_tickets'))) {
    await knex.schema.createTable('wxplat_jsapi_tickets', (t) => {
      tableOptions(knex, t);
      t.string('authorizer_appid', 32).primary();
      t.string('ticket', 512).nullable();
      t.datetime('ticket_expires_at').nullable();
      t.integer('version').notNullable().defaultTo(0);
      t.string('lease_owner', 100).nullable();
      t.datetime('lease_until').nullable();
      t.datetime('updated_at').nullable();
    });
  }
  if (!(await knex.schema.hasTable('wxplat_token_keys'))) {
    await knex.schema.createTable('wxplat_token_keys', (t) => {
      tableOptions(knex, t);
      t.increments('id').primary();
      t.string('name', 64).notNullable();
      /** Hex SHA-256 of the key. */
      t.string('key_hash', 64).notNullable();
      /** Comma-separated appids the key may ask for; null: every account and the component token. */
      t.text('appids').nullable();
      /** 1 valid, -2 removed (the seed's values). */
      t.smallint('status').notNullable();
      t.datetime('created_at').notNullable();
      t.datetime('last_used_at').nullable();
      t.datetime('removed_at').nullable();
      t.datetime('updated_at').notNullable();
    });
  }
  if (!(await hasIndex(knex, 'wxplat_token_keys', 'wxplat_token_keys_name'))) {
    await knex.schema.alterTable('wxplat_token_keys', (t) => {
      t.unique(['name'], { indexName: 'wxplat_token_keys_name' });
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('wxplat_token_keys');
  await knex.schema.dropTableIfExists('wxplat_jsapi_tickets');
}
