// A real InnoDB deadlock: two transactions take two rows in opposite orders; the one MariaDB picks as
// the victim is rolled back whole, and retryOnLockConflict runs it again to completion.
import t from 'tap';
import { isLockConflict, retryOnLockConflict } from '../../src/db/locks.js';
import { mysqlOnly, openTestDatabase } from '../helpers/databases.js';

mysqlOnly(t, 'a deadlock victim is run again', async (t, tdb) => {
  const db = await openTestDatabase(t, tdb);
  await db.knex('wxplat_locks').insert([{ name: 'a' }, { name: 'b' }]);
  // Each first attempt waits until both transactions hold their first row: then each asks for the
  // row the other holds, which is a deadlock whatever the timing.
  let holding = 0;
  let bothHold!: () => void;
  const barrier = new Promise<void>((resolve) => (bothHold = resolve));
  const runs = { first: 0, second: 0 };
  const deadlocks: string[] = [];
  const opposite = (key: 'first' | 'second', one: string, two: string) =>
    retryOnLockConflict(async () => {
      try {
        await db.knex.transaction(async (trx) => {
          runs[key]++;
          await trx('wxplat_locks').where('name', one).update({ updated_at: '2026-01-01 00:00:00' });
          if (runs[key] === 1) {
            if (++holding === 2) bothHold();
            await barrier;
          }
          await trx('wxplat_locks').where('name', two).update({ updated_at: '2026-01-01 00:00:01' });
        });
      } catch (err) {
        deadlocks.push(`${key}: ${(err as { code?: string }).code}`);
        throw err;
      }
    });
  await Promise.all([opposite('first', 'a', 'b'), opposite('second', 'b', 'a')]);
  t.equal(deadlocks.length, 1, `InnoDB chose one victim (${deadlocks.join(', ')})`);
  t.match(deadlocks[0], /ER_LOCK_DEADLOCK$/, 'a deadlock, not a lock wait timeout');
  t.equal(runs.first + runs.second, 3, 'the victim ran once more, to completion');
  const rows = await db.knex('wxplat_locks').whereIn('name', ['a', 'b']).select('updated_at');
  t.equal(rows.length, 2, 'both finished');
});

t.test('only lock conflicts are retried', async (t) => {
  t.ok(isLockConflict({ code: 'ER_LOCK_DEADLOCK' }));
  t.ok(isLockConflict({ code: 'SQLITE_BUSY' }));
  t.notOk(isLockConflict({ code: 'ER_DUP_ENTRY' }));
  let calls = 0;
  await t.rejects(
    retryOnLockConflict(async () => {
      calls++;
      throw Object.assign(new Error('duplicate'), { code: 'ER_DUP_ENTRY' });
    }),
    { message: 'duplicate' },
  );
  t.equal(calls, 1, 'other errors are not retried');
  calls = 0;
  await t.rejects(
    retryOnLockConflict(async () => {
      calls++;
      throw Object.assign(new Error('deadlock'), { code: 'ER_LOCK_DEADLOCK' });
    }, 3),
  );
  t.equal(calls, 3, 'a bounded number of times');
});
