// The tail's sources polled by hand on both databases: what a poll returns after each kind of change,
// late commits inside the overlap window, pages larger than one query, receipts' holes, the binary
// search from a time to a receipt id, and the inbox's retrying rows.
import t from 'tap';
import { fixedClock } from '../../../src/clock.js';
import { AccountDirectory } from '../../../src/core/records/directory.js';
import { DEFAULT_EVENT_STATUSES, DEFAULT_SEND_STATES, RECEIPT_STATUSES } from '../../../src/core/records/kinds.js';
import type { TailRecord } from '../../../src/core/records/record.js';
import { OVERLAP_MS } from '../../../src/core/records/sources/changes.js';
import { eventsSource } from '../../../src/core/records/sources/events.js';
import { ReceiptsSource } from '../../../src/core/records/sources/receipts.js';
import { sendsSource } from '../../../src/core/records/sources/sends.js';
import { RecordsRepository } from '../../../src/db/repositories/records.js';
import { eachDatabase, openTestDatabase } from '../../helpers/databases.js';
import { APPID, OTHER_APPID, addAccounts, addDeliveries, addEvents, addJob, addReceipts, at, setDelivery } from './fixtures.js';

const T0 = new Date('2026-11-28T08:00:00Z');
const ids = (records: TailRecord[]) => records.map((r) => r.id).sort((a, b) => a - b);
const states = (records: TailRecord[]) => records.map((r) => `${r.id}:${r.state}`).sort();

t.test('sends as a change log', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const { accountId, otherId } = await addAccounts(db);
    const job = await addJob(db, accountId);
    const otherJob = await addJob(db, otherId, OTHER_APPID);
    const repo = new RecordsRepository(db);
    const dir = new AccountDirectory(db);
    await dir.load();
    const row = (id: number, state: string, s: number, acc = accountId, j = job) => ({ id, state, updatedAt: at(T0, s), accountId: acc, jobId: j });
    await addDeliveries(db, [row(1, 'sent', 0), row(2, 'sent', 0), row(3, 'failed', 0), row(4, 'pending', 0)]);

    const src = sendsSource(repo, dir, { states: DEFAULT_SEND_STATES, bound: {} });
    await src.prime();
    t.same(await src.poll(), [], 'what existed at the start is not printed again');

    // latest: the newest per state, in-flight rows left out.
    t.same(ids(await src.latest(10)), [1, 2, 3]);

    await addDeliveries(db, [row(5, 'sent', 1)]);
    t.same(states(await src.poll()), ['5:sent'], 'a new row');
    await setDelivery(db, 1, 'delivered', at(T0, 2));
    t.same(states(await src.poll()), ['1:delivered'], 'a row in a new state is printed again');
    t.same(await src.poll(), [], 'and once only');

    // In-flight states are not shown; the settled one is.
    await setDelivery(db, 4, 'sending', at(T0, 3));
    t.same(await src.poll(), []);
    await setDelivery(db, 4, 'sent', at(T0, 3));
    t.same(states(await src.poll()), ['4:sent']);

    // A writer that stamped its rows before committing them: inside the overlap, still printed.
    await addDeliveries(db, [row(6, 'unknown', 3 - (OVERLAP_MS / 1000 - 1))]);
    t.same(states(await src.poll()), ['6:unknown'], 'a late commit inside the overlap window');

    // The first row as it is read back is what is printed, with its job's template and the account.
    await setDelivery(db, 2, 'blocked', at(T0, 4));
    const [blocked] = await src.poll();
    t.match(blocked, { kind: 'send', id: 2, state: 'blocked', appid: APPID, accountId, templateCode: 'TM0001', jobId: job });

    // Only the account asked for.
    const mine = sendsSource(repo, dir, { states: DEFAULT_SEND_STATES, accountId: otherId, bound: {} });
    await mine.prime();
    await addDeliveries(db, [row(7, 'sent', 5), row(8, 'sent', 5, otherId, otherJob)]);
    t.same(ids(await mine.poll()), [8]);
    t.same(ids(await src.poll()), [7, 8]);

    // A burst larger than one page of keys, in one second.
    const burst = Array.from({ length: 6001 }, (_, i) => row(100 + i, 'sent', 10));
    await addDeliveries(db, burst);
    const got = await src.poll();
    t.equal(got.length, 6001, 'every row of a burst, over several pages');
    t.equal(new Set(got.map((r) => r.id)).size, 6001);
    t.same(await src.poll(), []);

    // The remembered keys stay bounded: once time moves on, the burst falls out of the window.
    await addDeliveries(db, [row(9, 'sent', 60)]);
    t.same(ids(await src.poll()), [9]);
    t.ok(src.remembered < 10, `keys outside the window are forgotten (${src.remembered} remembered)`);

    // Bounds: a time, or after a record.
    const since = sendsSource(repo, dir, { states: ['sent'], bound: { since: at(T0, 5) } });
    t.same(ids(await since.latest(3)), [9, 6099, 6100], 'the newest of those inside the bound');
    const after = sendsSource(repo, dir, { states: DEFAULT_SEND_STATES, bound: { after: { time: at(T0, 3), id: 4 } } });
    const afterIds = ids(await after.latest(10_000));
    t.same(afterIds.slice(0, 4), [2, 7, 8, 9], 'strictly after row 4 at T0+3s');
    t.equal(afterIds.length, 6005);
  }),
);

t.test('receipts by id: holes, filters, and a time turned into an id', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    await addAccounts(db);
    const repo = new RecordsRepository(db);
    const dir = new AccountDirectory(db);
    await dir.load();
    const clock = fixedClock(T0);
    t.equal(await repo.receiptIdAt(at(T0, 0)), 1, 'an empty table');

    await addReceipts(db, [1, 2, 3].map((id) => ({ id, createdAt: at(T0, id) })));
    const all = new ReceiptsSource(repo, dir, { statuses: RECEIPT_STATUSES, bound: {} }, clock);
    await all.prime();
    t.same(await all.poll(), []);

    // 5 commits before 4 (two receivers at once): 4 is remembered as a hole and printed when it appears.
    await addReceipts(db, [{ id: 5, createdAt: at(T0, 5) }]);
    t.same(ids(await all.poll()), [5]);
    await addReceipts(db, [{ id: 4, createdAt: at(T0, 4) }]);
    t.same(ids(await all.poll()), [4], 'the hole filled');
    t.same(await all.poll(), []);

    // A hole never filled (a rolled-back insert) is given up after a while.
    await addReceipts(db, [{ id: 8, createdAt: at(T0, 8) }]);
    t.same(ids(await all.poll()), [8]);
    clock.advance(120_000);
    t.same(await all.poll(), []);
    await addReceipts(db, [{ id: 7, createdAt: at(T0, 7) }]);
    t.same(await all.poll(), [], 'too late: 7 was given up');

    // Filters by account and status.
    const blocked = new ReceiptsSource(repo, dir, { statuses: ['blocked'], appid: OTHER_APPID, bound: {} }, clock);
    await blocked.prime();
    await addReceipts(db, [
      { id: 9, createdAt: at(T0, 9), appid: OTHER_APPID, status: 2 },
      { id: 10, createdAt: at(T0, 10), appid: OTHER_APPID, status: 1 },
      { id: 11, createdAt: at(T0, 11), status: 2 },
    ]);
    const [r9] = await blocked.poll();
    t.match(r9, { kind: 'receipt', id: 9, appid: OTHER_APPID, state: 'blocked', wechatStatus: 'failed:user block', sendId: null });

    // A rare account far down the table is found by walking down in windows.
    await addReceipts(db, [{ id: 50_000, createdAt: at(T0, 50) }]);
    const rare = new ReceiptsSource(repo, dir, { statuses: RECEIPT_STATUSES, appid: OTHER_APPID, bound: {} }, clock);
    t.same(ids(await rare.latest(10)), [9, 10]);
    t.same(ids(await new ReceiptsSource(repo, dir, { statuses: ['blocked'], bound: {} }, clock).latest(1)), [11]);

    // Time → id: the first receipt stored at or after the time, across gaps in the ids.
    const firstAt = async (s: number) => (await repo.firstReceiptFrom(await repo.receiptIdAt(at(T0, s))))?.id ?? null;
    t.equal(await firstAt(0), 1);
    t.equal(await firstAt(4), 4);
    t.equal(await firstAt(6), 7, 'across a gap in the ids');
    t.equal(await firstAt(12), 50_000, 'across a wide gap');
    t.equal(await firstAt(51), null, 'after the newest: nothing');
    t.equal(await repo.receiptIdAt(at(T0, 51)), 50_001);
    const since = new ReceiptsSource(repo, dir, { statuses: RECEIPT_STATUSES, bound: { since: at(T0, 10) } }, clock);
    t.same(ids(await since.latest(100)), [10, 11, 50_000]);
    const after = new ReceiptsSource(repo, dir, { statuses: RECEIPT_STATUSES, bound: { after: { time: at(T0, 9), id: 9 } } }, clock);
    t.same(ids(await after.latest(100)), [10, 11, 50_000]);
  }),
);

t.test('receipts are linked to their send by msgid', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const { accountId } = await addAccounts(db);
    const job = await addJob(db, accountId);
    await addDeliveries(db, [{ id: 41, state: 'delivered', updatedAt: at(T0, 1), accountId, jobId: job, msgid: '3717005636572528999' }]);
    await addReceipts(db, [{ id: 1, createdAt: at(T0, 1), msgId: '3717005636572528999' }]);
    const dir = new AccountDirectory(db);
    await dir.load();
    const [r] = await new ReceiptsSource(new RecordsRepository(db), dir, { statuses: RECEIPT_STATUSES, bound: {} }, fixedClock(T0)).latest(5);
    t.match(r, { sendId: 41, jobId: job, templateCode: 'TM0001', accountId, msgid: '3717005636572528999', state: 'delivered' });
  }),
);

t.test('inbox rows: processed ones, and pending ones only while they are being retried', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    await addAccounts(db);
    const repo = new RecordsRepository(db);
    const dir = new AccountDirectory(db);
    await dir.load();
    await addEvents(db, [
      { id: 1, state: 'done', updatedAt: at(T0, 0) },
      { id: 2, state: 'pending', updatedAt: at(T0, 0) },
      { id: 3, state: 'pending', updatedAt: at(T0, 0), lastError: 'no account with appid' },
      { id: 4, state: 'pending', updatedAt: at(T0, 0), lastError: 'no account', leaseOwner: 'worker' },
      { id: 5, state: 'failed', updatedAt: at(T0, 0), appid: null },
    ]);
    const src = eventsSource(repo, dir, { statuses: DEFAULT_EVENT_STATUSES, bound: {} });
    const latest = await src.latest(10);
    t.same(states(latest), ['1:done', '3:pending', '5:failed']);
    t.match(latest.find((r) => r.id === 3), { kind: 'event', retrying: true, error: 'no account with appid', openid: 'o3', appid: APPID });
    t.same(ids(await eventsSource(repo, dir, { statuses: ['pending'], bound: {} }).latest(10)), [2, 3, 4]);
    t.same(ids(await eventsSource(repo, dir, { statuses: ['failed', 'done'], appid: APPID, bound: {} }).latest(10)), [1]);

    await src.prime();
    // A claim (lease taken) is not news; the failed attempt that ends it is.
    await db.knex('wxplat_callback_inbox').where('id', 2).update({ lease_owner: 'w', attempts: 1, updated_at: at(T0, 1) });
    t.same(await src.poll(), []);
    await db.knex('wxplat_callback_inbox').where('id', 2).update({ lease_owner: null, last_error: 'boom', updated_at: at(T0, 2) });
    t.same(states(await src.poll()), ['2:pending']);
    await db.knex('wxplat_callback_inbox').where('id', 2).update({ state: 'done', last_error: null, outcome: 'ok', updated_at: at(T0, 3) });
    t.same(states(await src.poll()), ['2:done']);
  }),
);
