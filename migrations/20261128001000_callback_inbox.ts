// The callback inbox: every request `wxplat serve` accepted, stored (and committed) before WeChat is
// answered `success`, then processed from here — so that a crash loses nothing that was acknowledged.
// WeChat retries a push up to three times; the unique dedupe key stores each push once, even when the
// copies arrive at the same moment on different processes.
//
// A row is `pending` until a worker has processed it (`done`), decided it has nothing to do
// (`ignored`), or given up after its last retry (`failed`). A worker claims pending rows by writing its
// name into lease_owner and moving next_attempt_at to the end of its lease: a claim that is not
// finished by then (the worker died) makes the row due again.
import type { Knex } from 'knex';
import { tableOptions } from '../src/db/schema/extension.js';
import { createTableIfMissing } from '../src/db/schema/rerunnable.js';

export const droppedTables = ['wxplat_callback_inbox'];

export async function up(knex: Knex): Promise<void> {
  await createTableIfMissing(knex, 'wxplat_callback_inbox', (t) => {
    tableOptions(knex, t);
    t.bigIncrements('id').primary();
    t.string('dedupe_key', 191).notNullable();
    /** `component` (POST /wechat/component) or `account` (POST /wechat/accounts/:appid). */
    t.string('route', 16).notNullable();
    /** The account the event is about: AuthorizerAppid, or the appid of the account URL. */
    t.string('appid', 32).nullable();
    /** InfoType for component events; Event for account events; MsgType for account messages. */
    t.string('event_type', 64).notNullable();
    /** The message's CreateTime. */
    t.datetime('message_time').nullable();
    /** The request's query string (signatures, timestamp, nonce, openid — no secret). */
    t.string('query_string', 1000).nullable();
    t.text('raw_body', 'mediumtext').notNullable();
    t.text('decrypted_xml', 'mediumtext').notNullable();
    /** pending → done | ignored | failed */
    t.string('state', 16).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.datetime('next_attempt_at').notNullable();
    t.string('lease_owner', 100).nullable();
    t.string('last_error', 1000).nullable();
    /** What processing did, in a few words. */
    t.string('outcome', 255).nullable();
    /** Which insert stored the row (tells a new row from a duplicate of an earlier one). */
    t.string('batch_tag', 64).nullable();
    t.datetime('received_at').notNullable();
    t.datetime('processed_at').nullable();
    t.datetime('updated_at').notNullable();
    t.unique(['dedupe_key'], { indexName: 'wxplat_callback_inbox_dedupe' });
    t.index(['state', 'next_attempt_at'], 'wxplat_callback_inbox_due');
    t.index(['appid', 'id'], 'wxplat_callback_inbox_appid');
    t.index(['received_at'], 'wxplat_callback_inbox_received');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('wxplat_callback_inbox');
}
