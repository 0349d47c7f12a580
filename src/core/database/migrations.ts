// `db migrate`, `db status`, `db rollback`: the schema's state and its changes, with the guard that
// keeps a rollback from dropping tables that hold rows.
import type { Database } from '../../db/database.js';
import { interruptedRunLeftLock } from '../../db/migration-lock.js';
import {
  allMigrations,
  appliedMigrations,
  loadMigration,
  pendingMigrations,
  rollbackMigrations,
  runMigrations,
  tableRows,
  type AppliedMigration,
} from '../../db/migrator.js';
import { SEED_TABLE_NAMES } from '../../db/schema/seed-tables.js';
import { UsageError } from '../../errors.js';

export interface MigrationStatus {
  database: string;
  applied: AppliedMigration[];
  pending: string[];
}

export async function migrationStatus(db: Database): Promise<MigrationStatus> {
  const applied = await appliedMigrations(db);
  const names = new Set(applied.map((m) => m.name));
  const pending = (await allMigrations()).filter((n) => !names.has(n));
  return { database: db.target.display, applied, pending };
}

export interface MigrateResult {
  database: string;
  dryRun: boolean;
  /** Migrations applied (or, with dryRun, that would be). */
  migrations: string[];
  /** Production tables that were already there and were kept with their rows. */
  adopted: Array<{ table: string; rows: number }>;
  /**
   * An earlier `db migrate` was killed mid-way and left its lock behind, held by nobody: this run
   * cleared it and finished the work (with dryRun: this run would).
   */
  interrupted: boolean;
}

export interface MigrationOptions {
  /** How long to wait for another `db migrate` on the same database before refusing. */
  waitMs?: number;
  /** Another run holds the lock: this one waits for it. */
  onWait?: (holder: string) => void;
  /** A migration is about to run. */
  onStart?: (name: string) => void;
}

export async function migrate(db: Database, options: { dryRun: boolean } & MigrationOptions): Promise<MigrateResult> {
  const pending = await pendingMigrations(db);
  const adopted: MigrateResult['adopted'] = [];
  const applied = await appliedMigrations(db);
  if (applied.length === 0) {
    // A first migrate on a database made from seed-schema.sql: report what it keeps.
    for (const table of SEED_TABLE_NAMES) {
      const rows = await tableRows(db, table);
      if (rows !== null) adopted.push({ table, rows });
    }
  }
  if (options.dryRun) {
    return { database: db.target.display, dryRun: true, migrations: pending, adopted, interrupted: await interruptedRunLeftLock(db) };
  }
  // Even with nothing pending: a run killed after its last record still left its lock to clear.
  const run = await runMigrations(db, options);
  return { database: db.target.display, dryRun: false, migrations: run.names, adopted, interrupted: run.interrupted };
}

export interface RollbackResult {
  database: string;
  migrations: string[];
  droppedTables: Array<{ table: string; rows: number }>;
}

export async function rollback(db: Database, options: { force: boolean; dryRun?: boolean } & MigrationOptions): Promise<RollbackResult> {
  const applied = await appliedMigrations(db);
  if (applied.length === 0) return { database: db.target.display, migrations: [], droppedTables: [] };
  const lastBatch = Math.max(...applied.map((m) => m.batch));
  const batch = applied.filter((m) => m.batch === lastBatch).map((m) => m.name);

  const dropped: RollbackResult['droppedTables'] = [];
  for (const name of batch) {
    const mod = await loadMigration(name);
    for (const table of mod.droppedTables ?? []) {
      const rows = await tableRows(db, table);
      if (rows !== null) dropped.push({ table, rows });
    }
  }
  const holding = dropped.filter((d) => d.rows > 0);
  if (holding.length > 0 && !options.force) {
    const list = holding.map((d) => `${d.table} (${d.rows} rows)`).join(', ');
    const seed = holding.some((d) => SEED_TABLE_NAMES.includes(d.table));
    throw new UsageError(
      `refusing to roll back ${batch.join(', ')}: it would drop ${list}${seed ? ', production tables' : ''}`,
      'pass --force to drop them and their rows anyway',
    );
  }
  if (options.dryRun) return { database: db.target.display, migrations: batch, droppedTables: dropped };
  const undone = await rollbackMigrations(db, options);
  return { database: db.target.display, migrations: undone.names, droppedTables: dropped };
}
