// The credentials the production schema has no place for: the component ticket and token, and each
// authorized account's access and refresh tokens, each with a version for compare-and-set and a
// refresh lease (src/wechat/tokens.ts).
import type { Knex } from 'knex';
import { tableOptions } from '../src/db/schema/extension.js';
import { createTableIfMissing } from '../src/db/schema/rerunnable.js';

export const droppedTables = ['wxplat_component_credentials', 'wxplat_authorizer_tokens'];

export async function up(knex: Knex): Promise<void> {
  await createTableIfMissing(knex, 'wxplat_component_credentials', (t) => {
    tableOptions(knex, t);
    t.string('component_appid', 32).primary();
    t.string('verify_ticket', 512).nullable();
    t.datetime('ticket_received_at').nullable();
    t.string('access_token', 512).nullable();
    t.datetime('access_token_expires_at').nullable();
    t.integer('version').notNullable().defaultTo(0);
    t.string('lease_owner', 100).nullable();
    t.datetime('lease_until').nullable();
    t.datetime('updated_at').nullable();
  });
  await createTableIfMissing(knex, 'wxplat_authorizer_tokens', (t) => {
    tableOptions(knex, t);
    t.string('authorizer_appid', 32).primary();
    t.string('access_token', 512).nullable();
    t.datetime('access_token_expires_at').nullable();
    t.string('refresh_token', 512).nullable();
    t.integer('version').notNullable().defaultTo(0);
    t.string('lease_owner', 100).nullable();
    t.datetime('lease_until').nullable();
    t.smallint('needs_reauth').notNullable().defaultTo(0);
    t.string('reauth_reason', 255).nullable();
    t.datetime('authorized_at').nullable();
    t.datetime('updated_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('wxplat_authorizer_tokens');
  await knex.schema.dropTableIfExists('wxplat_component_credentials');
}
