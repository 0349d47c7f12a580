// Receipts that arrive before their send's msgid is stored: WeChat's TEMPLATESENDJOBFINISH can come
// back within milliseconds, while the sender writes outcomes in batches. Such a receipt waits here
// (the production row is already written) until the sender stores the msgid; whichever side comes
// second links them (src/db/repositories/waiting-receipts.ts).
import type { Knex } from 'knex';
import { tableOptions } from '../src/db/schema/extension.js';
import { createTableIfMissing } from '../src/db/schema/rerunnable.js';

export const droppedTables = ['wxplat_waiting_receipts'];

export async function up(knex: Knex): Promise<void> {
  await createTableIfMissing(knex, 'wxplat_waiting_receipts', (t) => {
    tableOptions(knex, t);
    /** = wechat_message_receipt_records.wechat_message_receipt_record_id */
    t.integer('receipt_record_id').primary();
    t.string('msgid', 32).notNullable();
    t.integer('official_account_id').nullable();
    t.string('status', 64).notNullable();
    t.string('state', 16).notNullable();
    t.datetime('received_at').notNullable();
    t.index(['msgid'], 'wxplat_waiting_receipts_msgid');
    t.index(['received_at'], 'wxplat_waiting_receipts_received');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('wxplat_waiting_receipts');
}
