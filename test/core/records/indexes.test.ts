// The tail's and the doctor's statements use indexes: EXPLAIN on MariaDB/MySQL and EXPLAIN QUERY PLAN
// on SQLite, run on exactly the statements the repositories execute, over tables with enough rows
// that the planners have a choice. Send rows have no (state, updated_at) index (it made concurrent
// outcome writes deadlock on MySQL): they use the send migrations' own.
import t from 'tap';
import type { Knex } from 'knex';
import type { Database } from '../../../src/db/database.js';
import { HealthRepository } from '../../../src/db/repositories/health.js';
import { RecordsRepository } from '../../../src/db/repositories/records.js';
import { SendRepository } from '../../../src/db/repositories/sends.js';
import { toSqlDateTime } from '../../../src/db/time.js';
import { eachDatabase, openTestDatabase } from '../../helpers/databases.js';
import { APPID, addAccounts, addDeliveries, addEvents, addJob, addReceipts, at } from './fixtures.js';

const T0 = new Date('2026-11-28T08:00:00Z');
const SEND_STATES = ['pending', 'pending', 'pending', 'sent', 'delivered', 'delivered', 'failed', 'unknown'];
const EVENT_STATES = ['done', 'done', 'done', 'ignored', 'failed', 'pending'];

interface Plan {
  /** MySQL: the row of each table; SQLite: the plan's lines. */
  text: string;
  rows: Array<Record<string, unknown>>;
}

async function explain(db: Database, q: Knex.QueryBuilder): Promise<Plan> {
  const { sql, bindings } = q.toSQL();
  if (db.dialect === 'mysql') {
    const [rows] = (await db.knex.raw(`EXPLAIN ${sql}`, bindings as Knex.RawBinding[])) as unknown as [Array<Record<string, unknown>>];
    return { rows, text: rows.map((r) => `${String(r.table)}: type=${String(r.type)} key=${String(r.key)} extra=${String(r.Extra)}`).join(' | ') };
  }
  const rows: Array<Record<string, unknown>> = await db.knex.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as Knex.RawBinding[]);
  return { rows, text: rows.map((r) => String(r.detail)).join(' | ') };
}

t.test('the queries of records tail and doctor use indexes', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const { accountId, otherId } = await addAccounts(db);
    const jobs: number[] = [];
    for (let i = 0; i < 200; i++) jobs.push(await addJob(db, accountId));
    // Most jobs finished long ago; five changed lately (what the doctor looks at).
    await db.knex('wxplat_send_jobs').update({ updated_at: at(T0, -30 * 86_400) });
    await db.knex('wxplat_send_jobs').whereIn('job_id', jobs.slice(-5)).update({ updated_at: at(T0, 400) });
    const rows = Array.from({ length: 8000 }, (_, i) => ({
      id: i + 1,
      state: SEND_STATES[i % SEND_STATES.length],
      updatedAt: at(T0, Math.floor(i / 10)),
      accountId: i % 5 === 0 ? otherId : accountId,
      jobId: jobs[i % jobs.length],
      msgid: String(3717005636572528642n + BigInt(i)),
    }));
    await addDeliveries(db, rows);
    await addEvents(db, Array.from({ length: 3000 }, (_, i) => ({ id: i + 1, state: EVENT_STATES[i % EVENT_STATES.length], updatedAt: at(T0, Math.floor(i / 10)) })));
    await addReceipts(db, Array.from({ length: 5000 }, (_, i) => ({ id: i + 1, createdAt: at(T0, Math.floor(i / 10)) })));
    if (db.dialect === 'mysql') {
      for (const table of ['wxplat_send_deliveries', 'wxplat_callback_inbox', 'wechat_message_receipt_records', 'wxplat_send_jobs']) await db.knex.raw(`ANALYZE TABLE ${table}`);
    } else {
      await db.knex.raw('ANALYZE');
    }

    const repo = new RecordsRepository(db);
    const health = new HealthRepository(db.knex);
    const since = at(T0, 300);
    // A follow poll reads the last few seconds.
    const recent = at(T0, 795);
    const mysql = db.dialect === 'mysql';

    /** The plan reads `table` through one of `keys`, and sorts nothing when `ordered`. */
    const uses = async (what: string, q: Knex.QueryBuilder, table: string, keys: string[], ordered = true) => {
      const plan = await explain(db, q);
      if (mysql) {
        const row = plan.rows.find((r) => r.table === table || r.table === table.split(' as ')[1]);
        t.ok(row, `${what}: ${plan.text}`);
        t.ok(keys.includes(String(row?.key)), `${what} uses ${keys.join(' or ')}: ${plan.text}`);
        t.not(row?.type, 'ALL', `${what}: no full scan`);
        if (ordered) t.notMatch(String((row?.Extra as string | undefined) ?? ''), /filesort/, `${what}: in index order (${plan.text})`);
      } else {
        t.ok(
          keys.some((k) => (k === 'PRIMARY' ? /USING INTEGER PRIMARY KEY|USING PRIMARY KEY/.test(plan.text) : plan.text.includes(`INDEX ${k}`))),
          `${what} uses ${keys.join(' or ')}: ${plan.text}`,
        );
        if (ordered) t.notMatch(plan.text, /TEMP B-TREE FOR ORDER BY/, `${what}: in index order`);
      }
    };

    // Send rows: read along (updated_at), or (official_account_id, updated_at) for one account, newest
    // first and stopping at the limit; never sorted.
    const BY_TIME = ['wxplat_send_deliveries_updated'];
    const BY_ACCOUNT = ['wxplat_send_deliveries_account_updated', 'wxplat_send_deliveries_updated'];
    const INBOX_IDX = 'wxplat_callback_inbox_state_updated';
    const SETTLED = ['sent', 'failed', 'unknown', 'delivered', 'blocked', 'system-failed'];
    await uses('newest sends', repo.latestSendsQuery({ states: SETTLED }, 50), 'd', BY_TIME);
    await uses('newest sends of a state', repo.latestSendsQuery({ states: ['failed'] }, 50), 'd', BY_TIME);
    await uses('newest sends since a time', repo.latestSendsQuery({ states: SETTLED, since }, 50), 'd', BY_TIME);
    await uses('newest sends after a record', repo.latestSendsQuery({ states: ['failed'], after: { time: since, id: 3001 } }, 50), 'd', BY_TIME);
    await uses('newest sends of an account', repo.latestSendsQuery({ states: SETTLED, accountId: otherId }, 50), 'd', BY_ACCOUNT);
    await uses('send keys of a follow poll', repo.sendKeysQuery({ states: SETTLED, since: recent }, 5000), 'wxplat_send_deliveries', BY_TIME);
    await uses('send keys of an account', repo.sendKeysQuery({ states: SETTLED, since: recent, accountId: otherId }, 5000), 'wxplat_send_deliveries', BY_ACCOUNT);
    await uses('newest inbox rows', repo.latestEventsQuery({ states: ['done'] }, 50), 'wxplat_callback_inbox', [INBOX_IDX]);
    await uses('retrying inbox rows', repo.latestEventsQuery({ states: ['pending'], retryingOnly: true, appid: APPID }, 50), 'wxplat_callback_inbox', [
      INBOX_IDX,
      'wxplat_callback_inbox_due',
      'wxplat_callback_inbox_appid',
    ], false);
    await uses('inbox keys of a follow poll', repo.eventKeysQuery({ states: ['failed'], since }, 5000), 'wxplat_callback_inbox', [INBOX_IDX]);
    await uses('newest receipts', repo.receiptsQuery({ above: 0, upTo: 5000 }, 50, 'desc'), 'wechat_message_receipt_records', ['PRIMARY']);
    await uses('receipts of an account in a window', repo.receiptsQuery({ above: 2000, upTo: 4000, appid: APPID, statuses: [2] }, 50, 'desc'), 'wechat_message_receipt_records', ['PRIMARY']);
    await uses('the binary search step', repo.firstReceiptFromQuery(2500), 'wechat_message_receipt_records', ['PRIMARY']);
    await uses('sends of receipts', repo.sendsByMsgidQuery(['3717005636572528700', '3717005636572528701']), 'd', ['wxplat_send_deliveries_msgid'], false);
    // The doctor counts send rows per job on (job_id, state, maybe_sent).
    const jobIds = await health.activeJobIds(since);
    await uses('doctor: unknown sends', health.deliveriesSinceQuery(jobIds, 'unknown', since).count({ n: '*' }), 'wxplat_send_deliveries', ['wxplat_send_deliveries_claim'], false);
    await uses('doctor: rows left to send', health.openRowsQuery(jobIds[0]).count({ n: '*' }), 'wxplat_send_deliveries', ['wxplat_send_deliveries_claim'], false);
    await uses('doctor: failed events', health.inboxFailedSinceQuery(since).count({ n: '*' }), 'wxplat_callback_inbox', [INBOX_IDX], false);

    // A claim reads one range of (job_id, state, maybe_sent) a state, in send_record_id order, and stops
    // after LIMIT rows: never the job from its start by primary key (migration 5000).
    const claim = new SendRepository(db).claimSources(db.knex, jobs[0], toSqlDateTime(T0), ['a-dead-owner']);
    const first = (q: Knex.QueryBuilder) => q.select('send_record_id').orderBy('send_record_id').limit(256);
    await uses('claim: sending rows whose lease ran out', first(claim.abandoned()), 'wxplat_send_deliveries', ['wxplat_send_deliveries_claim'], false);
    await uses('claim: pending rows that may have been sent', first(claim.maybeSent()), 'wxplat_send_deliveries', ['wxplat_send_deliveries_claim']);
    await uses('claim: pending rows', first(claim.fresh()), 'wxplat_send_deliveries', ['wxplat_send_deliveries_claim']);

    // The job of each send row (its template) is joined by the jobs' primary key.
    const joined = await explain(db, repo.latestSendsQuery({ states: SETTLED }, 50));
    if (mysql) t.equal(joined.rows.find((r) => r.table === 'j')?.type, 'eq_ref', joined.text);
    else t.match(joined.text, /SEARCH j USING INTEGER PRIMARY KEY/);

    // An inbox follow poll reads the index alone (id, state and updated_at are all in it).
    const covering = await explain(db, repo.eventKeysQuery({ states: ['done'], since }, 5000));
    if (mysql) t.match(String(covering.rows[0]?.Extra), /Using index/, `covering: ${covering.text}`);
    else t.match(covering.text, /COVERING INDEX/);

    // Counting a job's rows left to send reads (job_id, state) alone.
    const open = await explain(db, health.openRowsQuery(jobIds[0]).count({ n: '*' }));
    if (mysql) t.match(String(open.rows[0]?.Extra), /Using index/, `covering: ${open.text}`);
    else t.match(open.text, /COVERING INDEX/);
  }),
);
