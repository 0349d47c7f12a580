// Schema steps that can run again. MySQL commits every DDL statement as it runs and cannot roll one
// back, so a `db migrate` killed half-way through a migration leaves what that migration had made so
// far, without its record; the next `db migrate` runs the migration again from its start. Each step
// here therefore does only what is missing: it compiles the knex builder to its statements and runs
// those whose object (table, index, column) is not there yet — a table created before the kill gets
// the indexes it still lacks, an index dropped before the kill is not dropped twice.
//
// Knex compiles a create-table on MySQL to CREATE TABLE followed by one ALTER TABLE for each index, so
// "the table exists" does not mean "the step is done": that is why the statements are checked one by
// one, not the table alone. A statement this module cannot check (anything but creating or dropping a
// table's indexes and columns) makes it throw before anything runs: write that step by hand, with its
// own check of what exists.
import type { Knex } from 'knex';
import { isMysql } from './extension.js';

type Statement = { sql: string; bindings: readonly unknown[] };

/** What a compiled statement makes or removes, so that it can be skipped when that is already done. */
type Effect =
  | { kind: 'create-table'; table: string }
  | { kind: 'add-index'; table: string; index: string }
  | { kind: 'add-primary'; table: string }
  | { kind: 'drop-index'; table: string | null; index: string }
  | { kind: 'add-column'; table: string; column: string }
  | { kind: 'drop-column'; table: string; column: string };

const PATTERNS: ReadonlyArray<readonly [RegExp, (m: RegExpExecArray) => Effect]> = [
  [/^create table `([^`]+)`/i, (m) => ({ kind: 'create-table', table: m[1] })],
  // MySQL
  [/^alter table `([^`]+)` add (?:unique|index|fulltext index|spatial index|fulltext|spatial) `([^`]+)`/i, (m) => ({ kind: 'add-index', table: m[1], index: m[2] })],
  [/^alter table `([^`]+)` add primary key/i, (m) => ({ kind: 'add-primary', table: m[1] })],
  [/^alter table `([^`]+)` drop index `([^`]+)`$/i, (m) => ({ kind: 'drop-index', table: m[1], index: m[2] })],
  [/^alter table `([^`]+)` add `([^`]+)` /i, (m) => ({ kind: 'add-column', table: m[1], column: m[2] })],
  [/^alter table `([^`]+)` drop `([^`]+)`$/i, (m) => ({ kind: 'drop-column', table: m[1], column: m[2] })],
  // SQLite
  [/^create (?:unique )?index `([^`]+)` on `([^`]+)`/i, (m) => ({ kind: 'add-index', table: m[2], index: m[1] })],
  [/^drop index `([^`]+)`$/i, (m) => ({ kind: 'drop-index', table: null, index: m[1] })],
  [/^alter table `([^`]+)` add column `([^`]+)` /i, (m) => ({ kind: 'add-column', table: m[1], column: m[2] })],
];

function effectOf(sql: string): Effect {
  for (const [pattern, effect] of PATTERNS) {
    const m = pattern.exec(sql.trim());
    if (m) return effect(m);
  }
  throw new Error(`a re-runnable schema step cannot tell whether this has already run: ${sql.slice(0, 120)} — check what exists by hand in the migration`);
}

/** Whether `index` exists (on `table`; SQLite's index names are global to the database). */
export async function hasIndex(knex: Knex, table: string | null, index: string): Promise<boolean> {
  if (isMysql(knex)) {
    const [rows] = (await knex.raw(
      'SELECT 1 AS found FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = ?' + (table ? ' AND TABLE_NAME = ?' : '') + ' LIMIT 1',
      table ? [index, table] : [index],
    )) as [unknown[]];
    return rows.length > 0;
  }
  const rows = (await knex.raw("SELECT 1 AS found FROM sqlite_master WHERE type = 'index' AND name = ?", [index])) as unknown[];
  return rows.length > 0;
}

async function done(knex: Knex, effect: Effect): Promise<boolean> {
  switch (effect.kind) {
    case 'create-table':
      return knex.schema.hasTable(effect.table);
    case 'add-index':
      return hasIndex(knex, effect.table, effect.index);
    case 'add-primary':
      return hasIndex(knex, effect.table, 'PRIMARY');
    case 'drop-index':
      return !(await hasIndex(knex, effect.table, effect.index));
    case 'add-column':
      return knex.schema.hasColumn(effect.table, effect.column);
    case 'drop-column':
      return !(await knex.schema.hasColumn(effect.table, effect.column));
  }
}

async function runMissing(knex: Knex, statements: readonly Statement[]): Promise<void> {
  // Every statement is classified before the first one runs: a step that cannot be checked changes nothing.
  const steps = statements.map((s) => ({ ...s, effect: effectOf(s.sql) }));
  for (const step of steps) {
    if (await done(knex, step.effect)) continue;
    await knex.raw(step.sql, step.bindings as Knex.RawBinding[]);
  }
}

function compiled(builder: Knex.SchemaBuilder): Statement[] {
  const sql = builder.toSQL() as unknown as Statement | Statement[];
  return (Array.isArray(sql) ? sql : [sql]).map((s) => ({ sql: s.sql, bindings: s.bindings ?? [] }));
}

/**
 * Creates the table as `build` describes it, or, if it is there already (a run cut short), adds the
 * indexes of `build` it lacks. The columns of an existing table are not compared: CREATE TABLE made
 * them all in one statement.
 */
export async function createTableIfMissing(knex: Knex, table: string, build: (t: Knex.CreateTableBuilder) => void): Promise<void> {
  await runMissing(knex, compiled(knex.schema.createTable(table, build)));
}

/** Alters the table as `build` describes, skipping each index or column added or dropped already. */
export async function alterTableIfNeeded(knex: Knex, table: string, build: (t: Knex.AlterTableBuilder) => void): Promise<void> {
  await runMissing(knex, compiled(knex.schema.alterTable(table, build)));
}

/**
 * Drops columns that are still there, one statement each (`ALTER TABLE … DROP COLUMN`, which SQLite has
 * had since 3.35 and knex would instead compile into a table rebuild that cannot be checked step by step).
 */
export async function dropColumnsIfPresent(knex: Knex, table: string, columns: readonly string[]): Promise<void> {
  for (const column of columns) {
    if (await knex.schema.hasColumn(table, column)) await knex.raw('ALTER TABLE ?? DROP COLUMN ??', [table, column]);
  }
}

/** Drops an index if it is there. */
export async function dropIndexIfPresent(knex: Knex, table: string, index: string): Promise<void> {
  if (!(await hasIndex(knex, table, index))) return;
  if (isMysql(knex)) await knex.raw('ALTER TABLE ?? DROP INDEX ??', [table, index]);
  else await knex.raw('DROP INDEX ??', [index]);
}
