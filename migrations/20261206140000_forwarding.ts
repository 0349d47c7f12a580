// Forwarding (core/forwarding): the rules, the deliveries, and what an inbox row says about them.
// The receiver writes, in the inbox row's own INSERT, which async rules took the push (forward_rules)
// and that their deliveries are still to be made (forward_state 'pending'); a forwarder makes the
// delivery rows and marks the inbox row 'queued'. Safe to run again: each step checks what exists.
import type { Knex } from 'knex';
import { tableOptions } from '../src/db/schema/extension.js';
import { alterTableIfNeeded, createTableIfMissing, dropColumnsIfPresent, dropIndexIfPresent } from '../src/db/schema/rerunnable.js';

export const droppedTables = ['wxplat_forward_rules', 'wxplat_forward_deliveries'];

const INBOX = 'wxplat_callback_inbox';

export async function up(knex: Knex): Promise<void> {
  await createTableIfMissing(knex, 'wxplat_forward_rules', (t) => {
    tableOptions(knex, t);
    t.increments('id').primary();
    t.string('name', 64).nullable();
    /** The URL, `$APPID$` standing for the account's appid. */
    t.string('target', 2000).notNullable();
    /** account | component */
    t.string('route', 16).notNullable();
    /** Comma-separated; null: every account. */
    t.string('appids', 2000).nullable();
    t.string('msg_types', 500).nullable();
    t.string('events', 2000).nullable();
    t.string('info_types', 1000).nullable();
    /** async | reply */
    t.string('mode', 8).notNullable();
    /** xml | json */
    t.string('format', 8).notNullable();
    /** Signs each forwarded request (HMAC-SHA256): a secret. */
    t.string('secret', 128).notNullable();
    t.integer('retry_for_seconds').notNullable();
    /** 1 in force, -2 removed */
    t.smallint('status').notNullable();
    t.datetime('created_at').notNullable();
    t.datetime('updated_at').notNullable();
    t.index(['name'], 'wxplat_forward_rules_name');
  });
  await createTableIfMissing(knex, 'wxplat_forward_deliveries', (t) => {
    tableOptions(knex, t);
    t.bigIncrements('id').primary();
    t.integer('rule_id').notNullable();
    t.bigInteger('inbox_id').notNullable();
    /** async | reply */
    t.string('mode', 8).notNullable();
    /** pending → delivered | dead; a reply that gave no answer: failed */
    t.string('state', 16).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.datetime('next_attempt_at').notNullable();
    t.string('lease_owner', 100).nullable();
    /** Where the retry window starts: made, or `forward retry`. */
    t.datetime('retry_from').notNullable();
    t.datetime('last_attempt_at').nullable();
    t.datetime('delivered_at').nullable();
    t.integer('last_status').nullable();
    t.string('last_error', 255).nullable();
    t.integer('latency_ms').nullable();
    t.datetime('created_at').notNullable();
    t.datetime('updated_at').notNullable();
    t.unique(['inbox_id', 'rule_id'], { indexName: 'wxplat_forward_deliveries_event' });
    t.index(['state', 'next_attempt_at'], 'wxplat_forward_deliveries_due');
    t.index(['rule_id', 'state'], 'wxplat_forward_deliveries_rule');
    t.index(['updated_at'], 'wxplat_forward_deliveries_updated');
  });
  await alterTableIfNeeded(knex, INBOX, (t) => {
    t.string('forward_rules', 255).nullable();
    t.string('forward_state', 16).nullable();
  });
  await alterTableIfNeeded(knex, INBOX, (t) => {
    t.index(['forward_state', 'id'], 'wxplat_callback_inbox_forward');
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropIndexIfPresent(knex, INBOX, 'wxplat_callback_inbox_forward');
  await dropColumnsIfPresent(knex, INBOX, ['forward_state', 'forward_rules']);
  await knex.schema.dropTableIfExists('wxplat_forward_deliveries');
  await knex.schema.dropTableIfExists('wxplat_forward_rules');
}
