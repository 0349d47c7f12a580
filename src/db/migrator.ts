// Applying, listing and undoing migrations. The history is knex's (wxplat_migrations: name, batch,
// time), so databases migrated by earlier versions carry on; the running is ours, so that a run can be
// killed at any point and the next one finishes it: it holds a lock that dies with it
// (migration-lock.ts), records each migration as soon as it is applied, and relies on every migration
// being safe to run again after a partial run (the rule in migration-source.ts).
import type { Knex } from 'knex';
import type { Database } from './database.js';
import { withMigrationLock, type MigrationLockOptions } from './migration-lock.js';
import { ExtensionlessMigrationSource, MIGRATIONS_TABLE, type MigrationFile } from './migration-source.js';

export interface AppliedMigration {
  name: string;
  batch: number;
  migratedAt: string | null;
}

/** The rows of a table, or null when there is no such table (what a migrate keeps, what a rollback drops). */
export async function tableRows(db: Database, table: string): Promise<number | null> {
  if (!(await db.knex.schema.hasTable(table))) return null;
  const row = (await db.knex(table).count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

export async function appliedMigrations(db: Database): Promise<AppliedMigration[]> {
  if (!(await db.knex.schema.hasTable(MIGRATIONS_TABLE))) return [];
  const rows = await db.knex(MIGRATIONS_TABLE).select('name', 'batch', 'migration_time').orderBy('id');
  return rows.map((r: { name: string; batch: number; migration_time: string | Date | null }) => ({
    name: r.name,
    batch: Number(r.batch),
    migratedAt: r.migration_time === null ? null : new Date(r.migration_time).toISOString(),
  }));
}

export async function allMigrations(): Promise<string[]> {
  const files = await new ExtensionlessMigrationSource().getMigrations();
  return files.map((f: MigrationFile) => f.file);
}

export async function pendingMigrations(db: Database): Promise<string[]> {
  const applied = new Set((await appliedMigrations(db)).map((m) => m.name));
  return (await allMigrations()).filter((name) => !applied.has(name));
}

export interface MigrationRunOptions {
  /** How long to wait for another run holding the lock (default 10 minutes). */
  waitMs?: number;
  onWait?: (holder: string) => void;
  /** A migration is about to run (up, or down for a rollback). */
  onStart?: (name: string) => void;
}

export interface MigrationRun {
  /** Applied (or undone) in this run, in order. */
  names: string[];
  /** An earlier run had been interrupted (killed): its lock flag was cleared, and this run carried on. */
  interrupted: boolean;
}

const DEFAULT_WAIT_MS = 10 * 60_000;

function lockOptions(options: MigrationRunOptions): MigrationLockOptions {
  return { waitMs: options.waitMs ?? DEFAULT_WAIT_MS, onWait: options.onWait };
}

async function recorded(knex: Knex): Promise<Array<{ name: string; batch: number }>> {
  const rows = (await knex(MIGRATIONS_TABLE).select('name', 'batch').orderBy('id')) as Array<{ name: string; batch: number | string }>;
  return rows.map((r) => ({ name: r.name, batch: Number(r.batch) }));
}

/** Applies every pending migration, each recorded as soon as it is done. */
export async function runMigrations(db: Database, options: MigrationRunOptions = {}): Promise<MigrationRun> {
  const source = new ExtensionlessMigrationSource();
  return withMigrationLock(db, lockOptions(options), async (knex, lock) => {
    // Read under the lock: another run may have applied some while this one waited.
    const history = await recorded(knex);
    const done = new Set(history.map((m) => m.name));
    const pending = (await allMigrations()).filter((name) => !done.has(name));
    const batch = history.reduce((max, m) => Math.max(max, m.batch), 0) + 1;
    const names: string[] = [];
    for (const name of pending) {
      await lock.check();
      const migration = await source.getMigration({ file: name });
      options.onStart?.(name);
      await inTransaction(db, knex, async (trx) => {
        await migration.up(trx);
        await trx(MIGRATIONS_TABLE).insert({ name, batch, migration_time: new Date() });
      });
      names.push(name);
    }
    return { names, interrupted: lock.interrupted };
  });
}

/** Undoes the last batch, newest first, each unrecorded as soon as it is undone. */
export async function rollbackMigrations(db: Database, options: MigrationRunOptions = {}): Promise<MigrationRun> {
  const source = new ExtensionlessMigrationSource();
  return withMigrationLock(db, lockOptions(options), async (knex, lock) => {
    const history = await recorded(knex);
    const last = history.reduce((max, m) => Math.max(max, m.batch), 0);
    const batch = history.filter((m) => m.batch === last).map((m) => m.name).reverse();
    const names: string[] = [];
    for (const name of batch) {
      await lock.check();
      const migration = await source.getMigration({ file: name });
      options.onStart?.(name);
      await inTransaction(db, knex, async (trx) => {
        await migration.down(trx);
        await trx(MIGRATIONS_TABLE).where('name', name).delete();
      });
      names.push(name);
    }
    return { names, interrupted: lock.interrupted };
  });
}

/**
 * One migration and its record together. On MySQL a transaction of its own (DDL commits anyway; a
 * migration that only moves data is then all or nothing). On SQLite `knex` is the run's transaction
 * already: the whole run commits or none of it.
 */
async function inTransaction(db: Database, knex: Knex, fn: (trx: Knex) => Promise<void>): Promise<void> {
  if (db.dialect === 'sqlite') return fn(knex);
  await knex.transaction(async (trx) => fn(trx));
}

/** Applies every pending migration; the names applied. */
export async function migrateLatest(db: Database, options: MigrationRunOptions = {}): Promise<string[]> {
  return (await runMigrations(db, options)).names;
}

export async function loadMigration(name: string) {
  return new ExtensionlessMigrationSource().getMigration({ file: name });
}
