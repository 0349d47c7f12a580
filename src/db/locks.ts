// Transactions serialised by a named lock row (wxplat_locks), the same way on both stores.
import type { Knex } from 'knex';
import type { Database } from './database.js';
import { toSqlDateTime } from './time.js';

const LOCKS = 'wxplat_locks';

export async function lockedTransaction<T>(db: Database, name: string, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  const stamp = toSqlDateTime(new Date());
  await db.knex(LOCKS).insert({ name, updated_at: stamp }).onConflict('name').ignore();
  return db.knex.transaction(async (trx) => {
    if (db.dialect === 'mysql') {
      await trx(LOCKS).select('name').where('name', name).forUpdate();
    } else {
      // Writing first takes SQLite's write lock now (waiting on busy_timeout), not at a later upgrade.
      await trx(LOCKS).where('name', name).update({ updated_at: stamp });
    }
    return fn(trx);
  });
}

/**
 * A plain write transaction. On SQLite it starts with a write so that it holds the write lock from the
 * start; a deferred transaction that reads first can fail with SQLITE_BUSY when it upgrades.
 */
export async function writeTransaction<T>(db: Database, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  if (db.dialect === 'mysql') return db.knex.transaction(fn);
  return lockedTransaction(db, 'sqlite-write', fn);
}
