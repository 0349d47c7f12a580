// Opens the store named by the configuration: the embedded SQLite file or a MySQL/MariaDB server.
// knex and the drivers load here, lazily, so that commands that never touch the database start fast.
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Knex } from 'knex';
import type { DatabaseTarget } from '../config/load.js';
import { FailedError, UsageError } from '../errors.js';

export type Dialect = 'mysql' | 'sqlite';

export interface Database {
  readonly knex: Knex;
  readonly dialect: Dialect;
  readonly target: DatabaseTarget;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Create the MySQL database (utf8mb4_general_ci) when it does not exist: `db migrate` does this. */
  createIfMissing?: boolean;
  /**
   * An SQLite file that does not exist: create it (the default), refuse (a command that needs a migrated
   * database), or read it as an empty database without creating it (`db status`, a dry run).
   */
  ifMissing?: 'create' | 'refuse' | 'empty';
  /** Largest number of pooled MySQL connections. */
  poolSize?: number;
}

/** knex writes pool errors with stacks to the console itself; wxplat reports them its own way. */
const quietLog = { warn() {}, error() {}, deprecate() {}, debug() {} };

/**
 * The compiled SQLite addon, named directly: better-sqlite3's own search for it (the `bindings` package)
 * reads a dozen paths and package files, ~1 ms of every start; and the shipped bundle carries
 * better-sqlite3's JavaScript, leaving only the addon in node_modules.
 */
function sqliteAddonPath(): string {
  return createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
}

export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Database> {
  const { default: knexFactory } = await import('knex');
  if (target.kind === 'sqlite') {
    const missing = target.path !== ':memory:' && !existsSync(target.path);
    if (missing && options.ifMissing === 'refuse') {
      throw new UsageError(
        `there is no database at ${target.display} yet`,
        'run `wxplat db migrate` in this folder to create it, or point WXPLAT_DATABASE_URL (or --db) at yours',
      );
    }
    // Read as empty: an in-memory database stands in, under the file's name.
    const filename = missing && options.ifMissing === 'empty' ? ':memory:' : target.path;
    if (filename !== ':memory:') {
      mkdirSync(path.dirname(target.path), { recursive: true });
      // The file holds the ticket, every token and the pay keys: readable by its owner only. SQLite gives
      // its -wal and -shm files the database file's permissions, so they are 0600 too.
      closeSync(openSync(target.path, 'a', 0o600));
    }
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename, options: { nativeBinding: sqliteAddonPath() } },
      useNullAsDefault: true,
      log: quietLog,
      // Errors then carry the SQL with `?` placeholders, never the values (which may be tokens).
      compileSqlOnError: false,
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
          // WAL and a busy timeout let a cron `template send`, `serve` and `records tail` share the file.
          conn.pragma('journal_mode = WAL');
          conn.pragma('busy_timeout = 10000');
          conn.pragma('synchronous = NORMAL');
          conn.pragma('foreign_keys = ON');
          done(null, conn);
        },
      },
    });
    return wrap(knex, 'sqlite', target);
  }

  const connection = {
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password?.reveal() ?? '',
    database: target.database,
    charset: 'utf8mb4',
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    timezone: 'Z',
    connectTimeout: 10_000,
  };
  if (options.createIfMissing) await createMysqlDatabase(knexFactory, connection, target);
  const knex = knexFactory({
    client: 'mysql2',
    connection,
    compileSqlOnError: false,
    log: quietLog,
    pool: { min: 0, max: options.poolSize ?? 10 },
    acquireConnectionTimeout: 30_000,
  });
  const db = wrap(knex, 'mysql', target);
  try {
    await knex.raw('select 1');
  } catch (err) {
    await db.close();
    throw describeConnectError(err, target);
  }
  return db;
}

function wrap(knex: Knex, dialect: Dialect, target: DatabaseTarget): Database {
  let closed = false;
  return {
    knex,
    dialect,
    target,
    async close() {
      if (closed) return;
      closed = true;
      await knex.destroy();
    },
  };
}

async function createMysqlDatabase(
  knexFactory: typeof import('knex').default,
  connection: Record<string, unknown>,
  target: Extract<DatabaseTarget, { kind: 'mysql' }>,
): Promise<void> {
  const admin = knexFactory({ client: 'mysql2', connection: { ...connection, database: undefined }, log: quietLog, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(
      `CREATE DATABASE IF NOT EXISTS \`${target.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`,
    );
  } catch (err) {
    throw describeConnectError(err, target);
  } finally {
    await admin.destroy();
  }
}

export function describeConnectError(err: unknown, target: DatabaseTarget): Error {
  const e = err as { code?: string; message?: string };
  const where = target.display;
  switch (e.code) {
    case 'ECONNREFUSED':
      return new FailedError(`cannot reach the database at ${where}: connection refused`, 'is the MySQL server running?');
    case 'ENOTFOUND':
      return new FailedError(`cannot reach the database at ${where}: unknown host`);
    case 'ETIMEDOUT':
      return new FailedError(`cannot reach the database at ${where}: timed out`);
    case 'ER_ACCESS_DENIED_ERROR':
      return new FailedError(`the database at ${where} refused the user name or password`);
    case 'ER_BAD_DB_ERROR':
      return new FailedError(`the database at ${where} does not exist`, 'run `wxplat db migrate` to create it');
    default:
      return new FailedError(`database error at ${where}: ${e.message ?? String(err)}`);
  }
}

/** The server and its version, as the doctor shows it: "SQLite 3.x", "MariaDB 10.11.x", "MySQL 8.x". */
export async function serverVersion(db: Database): Promise<string> {
  if (db.dialect === 'sqlite') {
    const [row] = await db.knex.raw<Array<{ v: string }>>('select sqlite_version() as v');
    return `SQLite ${row?.v ?? '?'}`;
  }
  const [rows] = (await db.knex.raw('select version() as v')) as [Array<{ v: string }>];
  const v = rows[0]?.v ?? '?';
  return /mariadb/i.test(v) ? `MariaDB ${v.replace(/-MariaDB.*$/i, '')}` : `MySQL ${v}`;
}
