// The lock one `db migrate` (or `db rollback`) holds while it changes the schema, made so that it dies
// with its holder: a deploy killed mid-way must not leave a lock that blocks every later run.
//
// MySQL: GET_LOCK on a connection of its own, named after the database. The server releases it when
// that connection closes, however the process ended. A second migrate waits for it (up to `waitMs`,
// saying who holds it), then refuses cleanly.
// SQLite: the database's write lock. The whole run is one write transaction, so a second migrate
// waits for the first to commit, and a killed one holds nothing (the operating system drops its file
// locks; SQLite rolls its transaction back).
//
// knex's own lock flag (wxplat_migrations_lock.is_locked, which earlier versions used alone and which
// stayed set after a kill) is still set while a run holds the lock, so that an older wxplat sees it. A
// flag found set by the holder of the real lock was left by a run that is gone: it is cleared, and
// the caller is told so that the operator hears what happened.
import type { Knex } from 'knex';
import { FailedError } from '../errors.js';
import type { Database } from './database.js';
import { MIGRATIONS_TABLE } from './migration-source.js';

/** knex's lock table, kept for the flag earlier versions (and knex's CLI) look at. */
export const MIGRATIONS_LOCK_TABLE = `${MIGRATIONS_TABLE}_lock`;

export interface MigrationLockOptions {
  /** How long to wait for another run to finish before refusing. */
  waitMs: number;
  /** Called once when another run holds the lock and this one starts to wait. */
  onWait?: (holder: string) => void;
}

export interface HeldMigrationLock {
  /** The flag of an earlier run was found set with nobody holding the lock: that run was interrupted. */
  readonly interrupted: boolean;
  /** Throws when the lock has been lost (its connection closed): stop before the next change. */
  check(): Promise<void>;
}

/** The GET_LOCK name for a database (at most 64 characters, MySQL's limit). */
export function migrationLockName(database: string): string {
  const name = `wxplat_migrate:${database}`;
  if (name.length <= 64) return name;
  // node:crypto on first use: only a long database name needs it, and loading it costs ~2 ms of a start.
  const { createHash } = process.getBuiltinModule('node:crypto');
  return `wxplat_migrate:${createHash('sha256').update(database).digest('hex').slice(0, 48)}`;
}

/** The history table and knex's lock table, as knex made them (databases migrated before share them). */
async function ensureBookkeeping(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable(MIGRATIONS_TABLE))) {
    await knex.schema.createTable(MIGRATIONS_TABLE, (t) => {
      t.increments();
      t.string('name');
      t.integer('batch');
      t.timestamp('migration_time');
    });
  }
  if (!(await knex.schema.hasTable(MIGRATIONS_LOCK_TABLE))) {
    await knex.schema.createTable(MIGRATIONS_LOCK_TABLE, (t) => {
      t.increments('index').primary();
      t.integer('is_locked');
    });
  }
  if (!(await knex(MIGRATIONS_LOCK_TABLE).first())) await knex(MIGRATIONS_LOCK_TABLE).insert({ is_locked: 0 });
}

async function flagSet(knex: Knex): Promise<boolean> {
  const row = (await knex(MIGRATIONS_LOCK_TABLE).max({ locked: 'is_locked' }).first()) as { locked: number | string | null } | undefined;
  return Number(row?.locked ?? 0) === 1;
}

/** Without taking anything: whether an interrupted run left the flag set (for --dry-run). */
export async function interruptedRunLeftLock(db: Database): Promise<boolean> {
  if (!(await db.knex.schema.hasTable(MIGRATIONS_LOCK_TABLE)) || !(await flagSet(db.knex))) return false;
  if (db.dialect === 'sqlite') return true; // our flag is only ever set inside the run's transaction
  const [rows] = (await db.knex.raw('SELECT IS_FREE_LOCK(?) AS free', [migrationLockName(db.target.kind === 'mysql' ? db.target.database : '')])) as [
    Array<{ free: number | string | null }>,
  ];
  return Number(rows[0]?.free) === 1;
}

/**
 * Runs `fn` holding the migration lock. `fn` gets the knex to change the schema with: on SQLite the
 * run's transaction, on MySQL the database's own pool (DDL commits as it goes there).
 */
export async function withMigrationLock<T>(
  db: Database,
  options: MigrationLockOptions,
  fn: (knex: Knex, lock: HeldMigrationLock) => Promise<T>,
): Promise<T> {
  return db.dialect === 'mysql' ? withMysqlLock(db, options, fn) : withSqliteLock(db, options, fn);
}

type MysqlConnection = { threadId: number; query(sql: string, values: unknown[], cb: (err: Error | null, rows: unknown) => void): void };

function queryOn(conn: MysqlConnection, sql: string, values: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => conn.query(sql, values, (err, rows) => (err ? reject(err) : resolve(rows as Array<Record<string, unknown>>))));
}

async function withMysqlLock<T>(db: Database, options: MigrationLockOptions, fn: (knex: Knex, lock: HeldMigrationLock) => Promise<T>): Promise<T> {
  const { knex } = db;
  const database = db.target.kind === 'mysql' ? db.target.database : '';
  const name = migrationLockName(database);
  const conn = (await knex.client.acquireConnection()) as MysqlConnection;
  let held = false;
  try {
    const take = async (seconds: number) => Number((await queryOn(conn, 'SELECT GET_LOCK(?, ?) AS got', [name, seconds]))[0]?.got) === 1;
    if (!(await take(0))) {
      if (options.waitMs > 0) options.onWait?.(await describeHolder(conn, name));
      if (options.waitMs <= 0 || !(await take(options.waitMs / 1000))) {
        throw busy(db, await describeHolder(conn, name), options.waitMs);
      }
    }
    held = true;
    await ensureBookkeeping(knex);
    const interrupted = await flagSet(knex);
    await knex(MIGRATIONS_LOCK_TABLE).update({ is_locked: 1 });
    const lock: HeldMigrationLock = {
      interrupted,
      async check() {
        let mine = false;
        try {
          mine = Number((await queryOn(conn, 'SELECT IS_USED_LOCK(?) = CONNECTION_ID() AS mine', [name]))[0]?.mine) === 1;
        } catch {
          // The lock's connection is gone, and the lock with it.
        }
        if (!mine) {
          held = false;
          throw new FailedError(
            `lost the migration lock on ${db.target.display}: its database connection was closed`,
            'run `wxplat db migrate` again; it carries on from the last migration recorded',
          );
        }
      },
    };
    const result = await fn(knex, lock);
    await lock.check();
    return result;
  } finally {
    if (held) {
      // Whatever happened is reported by the caller; the flag says nothing more to the next run.
      await knex(MIGRATIONS_LOCK_TABLE).update({ is_locked: 0 }).catch(() => {});
      await queryOn(conn, 'SELECT RELEASE_LOCK(?)', [name]).catch(() => {});
    }
    await knex.client.releaseConnection(conn);
  }
}

/** Another run holds the lock: refused at once (--wait 0), or after waiting for it in vain. */
function busy(db: Database, holder: string, waitMs: number): FailedError {
  if (waitMs <= 0) {
    return new FailedError(
      `another \`db migrate\` is running on ${db.target.display} (${holder})`,
      'let it finish, then run `wxplat db migrate` again (without --wait 0 it waits for the other run)',
    );
  }
  return new FailedError(
    `another \`db migrate\` on ${db.target.display} (${holder}) still held the migration lock after ${Math.round(waitMs / 1000)} s`,
    'let it finish, then run `wxplat db migrate` again (--wait SECONDS waits longer)',
  );
}

async function describeHolder(conn: MysqlConnection, name: string): Promise<string> {
  const rows = await queryOn(
    conn,
    'SELECT p.ID AS id, p.HOST AS host FROM information_schema.PROCESSLIST p WHERE p.ID = IS_USED_LOCK(?)',
    [name],
  ).catch(() => []);
  const row = rows[0];
  if (!row) return 'a run that has just ended';
  return `database connection ${String(row.id)} from ${String(row.host)}`;
}

const SQLITE_BUSY_TIMEOUT_MS = 10_000;
/** While trying for the lock: short, so that the wait can be told and bounded. */
const SQLITE_TRY_MS = 250;

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

async function withSqliteLock<T>(db: Database, options: MigrationLockOptions, fn: (knex: Knex, lock: HeldMigrationLock) => Promise<T>): Promise<T> {
  const deadline = Date.now() + Math.max(0, options.waitMs);
  let told = false;
  await db.knex.raw(`PRAGMA busy_timeout = ${SQLITE_TRY_MS}`);
  try {
    for (;;) {
      let acquired = false;
      try {
        return await db.knex.transaction(async (trx) => {
          await ensureBookkeeping(trx);
          const interrupted = await flagSet(trx);
          // The first write: from here this transaction holds the database's write lock.
          await trx(MIGRATIONS_LOCK_TABLE).update({ is_locked: 1 });
          acquired = true;
          await trx.raw(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
          const result = await fn(trx, { interrupted, check: async () => {} });
          await trx(MIGRATIONS_LOCK_TABLE).update({ is_locked: 0 });
          return result;
        });
      } catch (err) {
        if (acquired || !isBusy(err)) throw err;
        if (Date.now() >= deadline || options.waitMs <= 0) {
          throw busy(db, 'another process writing to this SQLite database', options.waitMs);
        }
        if (!told && options.waitMs > 0) {
          told = true;
          options.onWait?.('another process writing to this SQLite database');
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
        await db.knex.raw(`PRAGMA busy_timeout = ${SQLITE_TRY_MS}`);
      }
    }
  } finally {
    await db.knex.raw(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`).catch(() => {});
  }
}
