// knex records a migration by the name its source gives it. The default source uses the file name
// with its extension, so a database migrated from the TypeScript sources would look corrupt to the
// compiled build (`….ts` missing). This source names migrations without the extension.
import { readdir } from 'node:fs/promises';
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
    const files = await readdir(this.dir);
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
