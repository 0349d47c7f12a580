// What a send asked for, as one digest (account, template, message data, recipients in order), so that
// `template send` without --idempotency-key can refuse to repeat a send of the last 24 hours by
// comparing one indexed column instead of the rows. Null on jobs made before this column.
// Safe to run again after a partial run: each step checks what exists (MySQL cannot roll back DDL).
import type { Knex } from 'knex';
import { alterTableIfNeeded, dropColumnsIfPresent, dropIndexIfPresent } from '../src/db/schema/rerunnable.js';

const JOBS = 'wxplat_send_jobs';
const INDEX = 'wxplat_send_jobs_request_digest';

export async function up(knex: Knex): Promise<void> {
  await alterTableIfNeeded(knex, JOBS, (t) => {
    /** sha256, hex. */
    t.string('request_digest', 64).nullable();
  });
  await alterTableIfNeeded(knex, JOBS, (t) => {
    t.index(['official_account_id', 'request_digest', 'created_at'], INDEX);
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropIndexIfPresent(knex, JOBS, INDEX);
  await dropColumnsIfPresent(knex, JOBS, ['request_digest']);
}
