// Every data-layer test runs on SQLite always and on MariaDB/MySQL when WXPLAT_TEST_MYSQL_URL is set.
// Each test makes its own database (a temp file, or a fresh MySQL database) and drops it afterwards.
// Under CI=true the MySQL runs must happen: a missing variable or an unreachable server fails the test.
// Elsewhere they are reported as skipped, with the reason.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import { parseDatabaseUrl, type DatabaseTarget } from '../../src/config/load.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateLatest } from '../../src/db/migrator.js';

export const MYSQL_URL = process.env.WXPLAT_TEST_MYSQL_URL;
const inCi = Boolean(process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0');

export type Kind = 'sqlite' | 'mysql';

export interface TestDatabase {
  kind: Kind;
  /** The URL to give wxplat (--db or WXPLAT_DATABASE_URL). */
  url: string;
  target: DatabaseTarget;
  /** A name unique to this database, for MySQL the database's own. */
  name: string;
}

let mysqlReachable: Promise<string | null> | undefined;

/** null when reachable, else the reason. */
function checkMysql(): Promise<string | null> {
  mysqlReachable ??= (async () => {
    const target = parseDatabaseUrl(MYSQL_URL!, 'WXPLAT_TEST_MYSQL_URL', process.cwd());
    try {
      const db = await openDatabase(target);
      await db.close();
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  })();
  return mysqlReachable;
}

export async function makeDatabase(t: Test, kind: Kind): Promise<TestDatabase> {
  const name = `wxplat_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'wxplat-test-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const url = `sqlite:${path.join(dir, 'wxplat.sqlite3')}`;
    return { kind, url, target: parseDatabaseUrl(url, 'test', dir), name };
  }
  const base = new URL(MYSQL_URL!);
  base.pathname = `/${name}`;
  const url = base.toString();
  const target = parseDatabaseUrl(url, 'test', process.cwd());
  const admin = await openDatabase(parseDatabaseUrl(MYSQL_URL!, 'test', process.cwd()));
  await admin.knex.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
  await admin.close();
  t.teardown(async () => {
    const a = await openDatabase(parseDatabaseUrl(MYSQL_URL!, 'test', process.cwd()));
    await a.knex.raw(`DROP DATABASE IF EXISTS \`${name}\``);
    await a.close();
  });
  return { kind, url, target, name };
}

/** Opens a test database through the real data layer, migrated unless told otherwise; closed at teardown. */
export async function openTestDatabase(t: Test, tdb: TestDatabase, migrated = true): Promise<Database> {
  const db = await openDatabase(tdb.target);
  t.teardown(() => db.close());
  if (migrated) await migrateLatest(db);
  return db;
}

/**
 * Runs `fn` as a subtest per database kind: "sqlite" always, "mysql" when configured.
 */
export async function eachDatabase(
  t: Test,
  fn: (t: Test, tdb: TestDatabase) => Promise<void>,
  kinds: Kind[] = ['sqlite', 'mysql'],
): Promise<void> {
  for (const kind of kinds) {
    if (kind === 'mysql') {
      if (!MYSQL_URL) {
        if (inCi) t.fail('WXPLAT_TEST_MYSQL_URL is not set under CI: the MySQL half of this test would not run');
        else await t.test('mysql', { skip: 'WXPLAT_TEST_MYSQL_URL is not set' }, async () => {});
        continue;
      }
      const problem = await checkMysql();
      if (problem) {
        if (inCi) {
          t.fail(`MySQL at WXPLAT_TEST_MYSQL_URL is unreachable under CI: ${problem}`);
        } else {
          await t.test('mysql', { skip: `MySQL unreachable: ${problem}` }, async () => {});
        }
        continue;
      }
    }
    await t.test(kind, async (st) => {
      const tdb = await makeDatabase(st, kind);
      await fn(st, tdb);
    });
  }
}

/** The MySQL-only variant, for what SQLite does not have (information_schema, row locks). */
export async function mysqlOnly(t: Test, name: string, fn: (t: Test, tdb: TestDatabase) => Promise<void>): Promise<void> {
  await t.test(name, async (st) => eachDatabase(st, fn, ['mysql']));
}
