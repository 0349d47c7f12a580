// The database checks: reachable (without creating anything: a missing SQLite file is reported, not
// made), and fully migrated.
import { existsSync } from 'node:fs';
import type { DatabaseTarget } from '../../config/load.js';
import { openDatabase, serverVersion, type Database } from '../../db/database.js';
import { allMigrations, appliedMigrations } from '../../db/migrator.js';
import { WxplatError } from '../../errors.js';
import { check, type Check } from './check.js';

/** Opens the database without creating it (not ctx.db(): the doctor must not make a SQLite file); the caller closes it. */
export async function connect(target: DatabaseTarget): Promise<{ check: Check; db: Database | null }> {
  const name = 'database';
  if (target.kind === 'sqlite' && target.path !== ':memory:' && !existsSync(target.path)) {
    return {
      check: check(name, 'fail', `no database file at ${target.display}`, 'run `wxplat db migrate` to create it, or point WXPLAT_DATABASE_URL at the right one'),
      db: null,
    };
  }
  let db: Database;
  try {
    db = await openDatabase(target);
  } catch (err) {
    const hint = err instanceof WxplatError ? err.hint : undefined;
    return {
      check: check(name, 'fail', (err as Error).message, hint ?? 'check WXPLAT_DATABASE_URL and that the database server is running and reachable from here'),
      db: null,
    };
  }
  try {
    const version = await serverVersion(db);
    return { check: check(name, 'ok', `${target.display} (${version})`), db };
  } catch (err) {
    await db.close().catch(() => undefined);
    return { check: check(name, 'fail', `${target.display} does not answer: ${(err as Error).message}`, 'check that the database server is up'), db: null };
  }
}

/** ok when every migration of this wxplat is applied; the data checks need that. */
export async function migrationsCheck(db: Database): Promise<{ check: Check; migrated: boolean }> {
  const name = 'migrations';
  const known = await allMigrations();
  const applied = (await appliedMigrations(db)).map((m) => m.name);
  const appliedSet = new Set(applied);
  const pending = known.filter((m) => !appliedSet.has(m));
  const foreign = applied.filter((m) => !known.includes(m));
  if (pending.length > 0) {
    const what = applied.length === 0 ? 'the database is not migrated' : `${pending.length} of ${known.length} migrations pending (next: ${pending[0]})`;
    return { check: check(name, 'fail', what, 'run `wxplat db migrate`'), migrated: false };
  }
  if (foreign.length > 0) {
    return {
      check: check(
        name,
        'warn',
        `all ${known.length} applied, and ${foreign.length} this wxplat does not know (${foreign[foreign.length - 1]})`,
        'a newer wxplat migrated this database: upgrade wxplat on this host',
      ),
      migrated: true,
    };
  }
  return { check: check(name, 'ok', `all ${known.length} applied`), migrated: true };
}
