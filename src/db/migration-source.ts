// The migrations in `migrations/`, named without their extension (`20261128000100_seed_tables`): a
// database migrated from the TypeScript sources and one migrated by the compiled build share one
// history. src/db/migrator.ts applies them.
//
// THE RULE FOR EVERY MIGRATION: it must be safe to run again after a partial run. On MySQL each DDL
// statement commits at once and cannot be rolled back, and a deploy killed mid-way (kill -9, a lost
// connection, two Ctrl-C) leaves a migration half-applied and unrecorded; the next `db migrate` runs it
// again from its first line, on a database that has some of what it makes. So a migration checks what
// exists before each change:
//   - tables: createTableIfMissing (src/db/schema/rerunnable.ts), which also adds the indexes a table
//     created by a cut-short run still lacks; never a bare knex.schema.createTable;
//   - indexes and columns added or dropped later: alterTableIfNeeded, or hasIndex/hasColumn by hand;
//   - data: statements that skip what an earlier run wrote (INSERT … WHERE NOT EXISTS, upserts), or
//     that give the same result when run twice;
//   - down(): the same (dropTableIfExists; alterTableIfNeeded for indexes).
// On SQLite each migration runs inside the one transaction of its `db migrate`, so a kill undoes the
// whole run there; the same code serves both. test/db/rerun.test.ts cuts every migration short after
// each of its statements, on both stores, and runs it again: a new migration is covered by adding
// nothing. Production (seed) columns and indexes are never changed.
// fs.promises, not node:fs/promises: the bundled CLI never reads this folder, and loading the promise
// API costs ~1 ms of every start.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

export interface MigrationFile {
  file: string;
}

export interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
  /** Tables that down() drops: `db rollback` refuses to drop one holding rows without --force. */
  droppedTables?: readonly string[];
}

const here = path.dirname(fileURLToPath(import.meta.url));
const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** `migrations/` beside `src/`, in the sources and in dist/ alike. */
export const MIGRATIONS_DIR = path.resolve(here, '../../migrations');

export const MIGRATIONS_TABLE = 'wxplat_migrations';

/** The migrations compiled into the shipped bundle (scripts/bundle-entry.ts), by name. */
let bundled: ReadonlyMap<string, MigrationModule> | null = null;

export function useBundledMigrations(list: ReadonlyArray<{ name: string; module: MigrationModule }>): void {
  bundled = new Map(list.map((m) => [m.name, m.module]));
}

export class ExtensionlessMigrationSource implements Knex.MigrationSource<MigrationFile> {
  constructor(
    private readonly dir: string = MIGRATIONS_DIR,
    private readonly ext: string = extension,
  ) {}

  async getMigrations(): Promise<MigrationFile[]> {
    if (bundled) return [...bundled.keys()].sort().map((file) => ({ file }));
    const files = await fs.readdir(this.dir);
    return files
      .filter((f) => f.endsWith(this.ext) && !f.endsWith('.d.ts'))
      .sort()
      .map((f) => ({ file: f.slice(0, -this.ext.length) }));
  }

  getMigrationName(migration: MigrationFile): string {
    return migration.file;
  }

  async getMigration(migration: MigrationFile): Promise<MigrationModule> {
    const compiled = bundled?.get(migration.file);
    if (compiled) return compiled;
    return import(pathToFileURL(path.join(this.dir, migration.file + this.ext)).href) as Promise<MigrationModule>;
  }
}

export function migratorConfig(): Knex.MigratorConfig {
  return {
    migrationSource: new ExtensionlessMigrationSource(),
    tableName: MIGRATIONS_TABLE,
  };
}
