// /healthz asks for the inbox backlog on every probe: the counts stop at BACKLOG_CAP and say "at least",
// so that a probe never counts a million-row backlog or years of failures.
import t from 'tap';
import { BACKLOG_CAP, InboxRepository } from '../../src/db/repositories/inbox.js';
import { eachDatabase, openTestDatabase } from '../helpers/databases.js';
import { addEvents, at } from '../core/records/fixtures.js';

t.test('backlog counts up to the cap, and the oldest due row', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const repo = new InboxRepository(db.knex, db.dialect, db);
    const base = new Date('2026-12-06T08:00:00Z');
    t.same(await repo.backlog(), { pending: 0, pendingAtLeast: false, oldestPendingAt: null, failed: 0, failedAtLeast: false });

    await addEvents(db, [
      { id: 1, state: 'done', updatedAt: at(base, 0) },
      { id: 2, state: 'pending', updatedAt: at(base, 5) },
      { id: 3, state: 'pending', updatedAt: at(base, 9) },
      { id: 4, state: 'failed', updatedAt: at(base, 9), lastError: 'x' },
    ]);
    t.same(await repo.backlog(), { pending: 2, pendingAtLeast: false, oldestPendingAt: new Date(base.getTime() + 5000), failed: 1, failedAtLeast: false });

    const more = Array.from({ length: BACKLOG_CAP + 5 }, (_, i) => ({ id: 10 + i, state: 'pending', updatedAt: at(base, 60 + i) }));
    await addEvents(db, more);
    const b = await repo.backlog();
    t.same(b, { pending: BACKLOG_CAP, pendingAtLeast: true, oldestPendingAt: new Date(base.getTime() + 5000), failed: 1, failedAtLeast: false });
    await addEvents(db, Array.from({ length: BACKLOG_CAP }, (_, i) => ({ id: 5000 + i, state: 'failed', updatedAt: at(base, 3000 + i) })));
    t.match(await repo.backlog(), { failed: BACKLOG_CAP, failedAtLeast: true });
  }),
);
