// Bulk send jobs. A job is one `template send` invocation (or every invocation with the same
// --idempotency-key). Each recipient is one row of the production table account_message_send_records
// and, beside it, one row of wxplat_send_deliveries (same id) with what exactly-once delivery needs:
// the job, a client_msg_id, the delivery state, WeChat's msgid as a string, the error, attempts, and
// the claim lease. The production table itself is not changed.
import type { Knex } from 'knex';
import { tableOptions } from '../src/db/schema/extension.js';
import { createTableIfMissing } from '../src/db/schema/rerunnable.js';

export const droppedTables = ['wxplat_send_deliveries', 'wxplat_send_jobs'];

export async function up(knex: Knex): Promise<void> {
  await createTableIfMissing(knex, 'wxplat_send_jobs', (t) => {
    tableOptions(knex, t);
    t.bigIncrements('job_id').primary();
    t.string('idempotency_key', 191).nullable().unique();
    t.integer('official_account_id').notNullable();
    t.string('appid', 32).notNullable();
    t.string('template_id', 100).notNullable();
    t.string('template_code', 20).nullable();
    /** The request body minus touser and client_msg_id: data, url, miniprogram. */
    t.text('message_json').notNullable();
    /** The rendered text stored in each record's `content`. */
    t.string('content', 2000).nullable();
    t.string('source', 255).nullable();
    /** Random per job: client_msg_id = j<job>-<this>-<hash of openid>, unique across installations. */
    t.string('client_msg_prefix', 16).notNullable();
    /** preparing → ready → done; or stopped (quota). */
    t.string('state', 16).notNullable();
    t.integer('total').notNullable().defaultTo(0);
    t.string('prepare_owner', 100).nullable();
    t.datetime('prepare_lease_until').nullable();
    /** Quota: not before this time. */
    t.datetime('paused_until').nullable();
    t.string('stop_reason', 255).nullable();
    t.datetime('created_at').nullable();
    t.datetime('prepared_at').nullable();
    t.datetime('finished_at').nullable();
    t.datetime('updated_at').nullable();
    t.index(['official_account_id', 'created_at'], 'wxplat_send_jobs_account_created');
  });
  await createTableIfMissing(knex, 'wxplat_send_deliveries', (t) => {
    tableOptions(knex, t);
    /** = account_message_send_records.account_message_send_record_id */
    t.integer('send_record_id').primary();
    t.bigInteger('job_id').notNullable();
    t.integer('official_account_id').notNullable();
    t.string('openid', 64).notNullable();
    t.string('client_msg_id', 64).notNullable();
    /** pending → sending → sent | failed | unknown; then delivered | blocked | system-failed from receipts. */
    t.string('state', 16).notNullable();
    t.string('msgid', 32).nullable();
    t.integer('errcode').nullable();
    t.string('errmsg', 255).nullable();
    t.smallint('attempts').notNullable().defaultTo(0);
    /** 1 once an attempt ended without an answer (timeout, dropped connection, crash): WeChat may have sent it. */
    t.smallint('maybe_sent').notNullable().defaultTo(0);
    t.datetime('first_attempt_at').nullable();
    t.datetime('last_attempt_at').nullable();
    t.string('lease_owner', 100).nullable();
    t.datetime('lease_until').nullable();
    t.string('receipt_status', 64).nullable();
    t.integer('receipt_record_id').nullable();
    t.datetime('receipt_at').nullable();
    t.datetime('updated_at').notNullable();
    t.unique(['job_id', 'openid'], { indexName: 'wxplat_send_deliveries_job_openid' });
    t.index(['job_id', 'state'], 'wxplat_send_deliveries_job_state');
    t.index(['msgid'], 'wxplat_send_deliveries_msgid');
    t.index(['updated_at'], 'wxplat_send_deliveries_updated');
    t.index(['official_account_id', 'updated_at'], 'wxplat_send_deliveries_account_updated');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('wxplat_send_deliveries');
  await knex.schema.dropTableIfExists('wxplat_send_jobs');
}
