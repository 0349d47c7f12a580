// The follow loop: new rows of every kind in time order, a poll that fails (the table gone for a
// moment) reported and retried without ending the tail, and the signal ending it cleanly.
import t from 'tap';
import { systemClock } from '../../../src/clock.js';
import type { TailRecord } from '../../../src/core/records/record.js';
import { planTail, tailRecords } from '../../../src/core/records/tail.js';
import { eachDatabase, openTestDatabase } from '../../helpers/databases.js';
import { until } from '../../core/callbacks/helpers.js';
import { addAccounts, addDeliveries, addJob, addReceipts, at } from './fixtures.js';

t.test('tailRecords --follow', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const { accountId } = await addAccounts(db);
    const job = await addJob(db, accountId);
    const now = new Date();
    await addDeliveries(db, [{ id: 1, state: 'sent', updatedAt: at(now, -60), accountId, jobId: job }]);
    await addReceipts(db, [{ id: 1, createdAt: at(now, -59) }]);

    const seen: TailRecord[] = [];
    const errors: string[] = [];
    let recovered = 0;
    const controller = new AbortController();
    const running = tailRecords(
      {
        db,
        clock: systemClock,
        signal: controller.signal,
        pollMs: 20,
        onPollError: (err) => errors.push(err.message),
        onRecovered: () => recovered++,
      },
      planTail({ follow: true, limit: '10' }, now),
      (r) => {
        seen.push(r);
      },
    );
    await until(() => seen.length === 2, 'the two existing records');
    t.same(seen.map((r) => `${r.kind}:${r.id}`), ['send:1', 'receipt:1'], 'oldest first, sends before receipts');

    await addReceipts(db, [{ id: 2, createdAt: at(new Date(), 0) }]);
    await addDeliveries(db, [{ id: 2, state: 'failed', updatedAt: at(new Date(), 0), accountId, jobId: job }]);
    await until(() => seen.length === 4, 'the new records');
    t.same(seen.slice(2).map((r) => `${r.kind}:${r.id}`).sort(), ['receipt:2', 'send:2']);

    // The receipts table disappears for a moment: the tail says so and carries on.
    await db.knex.schema.renameTable('wechat_message_receipt_records', 'receipts_away');
    await until(() => errors.length > 0, 'a failed poll');
    await db.knex.schema.renameTable('receipts_away', 'wechat_message_receipt_records');
    await addReceipts(db, [{ id: 3, createdAt: at(new Date(), 0) }]);
    await until(() => seen.some((r) => r.kind === 'receipt' && r.id === 3), 'the tail to recover', 60_000);
    t.ok(recovered >= 1, 'told that the database answers again');

    controller.abort();
    await running;
    t.pass('the signal ends the follow');
    t.equal(new Set(seen.map((r) => `${r.kind}:${r.id}:${r.state}`)).size, seen.length, 'nothing twice');
  }),
);
