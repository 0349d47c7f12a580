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
 * `readCommitted` (MySQL): locking reads and UPDATEs lock only the rows that match, not every row and
 * gap they pass, and an UPDATE passes a row another transaction holds if its committed version does
 * not match — for claims that read ranges other processes are writing in.
 */
export async function writeTransaction<T>(
  db: Database,
  fn: (trx: Knex.Transaction) => Promise<T>,
  options: { readCommitted?: boolean } = {},
): Promise<T> {
  if (db.dialect === 'mysql') return db.knex.transaction(fn, options.readCommitted ? { isolationLevel: 'read committed' } : undefined);
  return lockedTransaction(db, 'sqlite-write', fn);
}

/** A transaction InnoDB chose as a deadlock victim (or that timed out on a lock): it was rolled back whole. */
export function isLockConflict(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY';
}

/**
 * Runs an idempotent unit of work again when the database rolled it back for a lock conflict. InnoDB
 * picks deadlock victims among writers that touch the same rows in different index orders (a claim
 * and an outcome write of the same job do); the standard answer is to retry, after a short random pause.
 */
export async function retryOnLockConflict<T>(fn: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isLockConflict(err) || attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 20 * attempt) + 5));
    }
  }
}
