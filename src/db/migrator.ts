// Applying, listing and undoing migrations through knex, with our extensionless migration source.
import type { Database } from './database.js';
import { ExtensionlessMigrationSource, MIGRATIONS_TABLE, migratorConfig, type MigrationFile } from './migration-source.js';

export interface AppliedMigration {
  name: string;
  batch: number;
  migratedAt: string | null;
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

export async function migrateLatest(db: Database): Promise<string[]> {
  const [, names] = (await db.knex.migrate.latest(migratorConfig())) as [number, string[]];
  return names;
}

export async function rollbackLastBatch(db: Database): Promise<string[]> {
  const [, names] = (await db.knex.migrate.rollback(migratorConfig())) as [number, string[]];
  return names;
}

export async function loadMigration(name: string) {
  return new ExtensionlessMigrationSource().getMigration({ file: name });
}
