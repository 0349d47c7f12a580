// Claims read a job's rows one state at a time: `sending` rows whose lease ran out, `pending` rows
// that an earlier attempt may have sent (maybe_sent = 1), then plain `pending` rows, each in
// send_record_id order. With (job_id, state, maybe_sent) each of those is one range of the index, read
// in key order (InnoDB and SQLite keep the primary key at the end of every entry) and left after LIMIT
// rows. With (job_id, state) alone, the planners read the job by primary key from its start — past every
// row already sent, and on MySQL locking each — so a claim cost grew with the job: at 200,000 of
// 1,000,000 sent, sending had slowed from 1,200 to 240 a second in bench/send.
import type { Knex } from 'knex';
import { alterTableIfNeeded } from '../src/db/schema/rerunnable.js';

export const droppedTables: string[] = [];

export async function up(knex: Knex): Promise<void> {
  await alterTableIfNeeded(knex, 'wxplat_send_deliveries', (t) => {
    t.index(['job_id', 'state', 'maybe_sent'], 'wxplat_send_deliveries_claim');
  });
  // (job_id, state) is a prefix of the new index: everything that used it uses the new one.
  await alterTableIfNeeded(knex, 'wxplat_send_deliveries', (t) => {
    t.dropIndex(['job_id', 'state'], 'wxplat_send_deliveries_job_state');
  });
}

export async function down(knex: Knex): Promise<void> {
  await alterTableIfNeeded(knex, 'wxplat_send_deliveries', (t) => {
    t.index(['job_id', 'state'], 'wxplat_send_deliveries_job_state');
  });
  await alterTableIfNeeded(knex, 'wxplat_send_deliveries', (t) => {
    t.dropIndex(['job_id', 'state', 'maybe_sent'], 'wxplat_send_deliveries_claim');
  });
}
