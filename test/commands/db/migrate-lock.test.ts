// One `db migrate` at a time on a database: a second one waits for the first (saying so) or, with
// --wait 0, refuses cleanly; two started together apply each migration once; a run that loses its lock
// stops before its next change, and the next run finishes the work.
import { spawn } from 'node:child_process';
import t, { type Test } from 'tap';
import { openDatabase, type Database } from '../../../src/db/database.js';
import { migrationLockName } from '../../../src/db/migration-lock.js';
import { allMigrations } from '../../../src/db/migrator.js';
import { BIN, spawnCli } from '../../helpers/cli.js';
import { eachDatabase, mysqlOnly, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';

type Run = { code: number | null; stdout: string; stderr: string };

/** `wxplat db migrate …` started; `onStderr` sees its stderr as it grows. */
function start(tdb: TestDatabase, args: string[], onStderr?: (stderr: string, kill: () => void) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'db', 'migrate', ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, WXPLAT_DATABASE_URL: tdb.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr, () => child.kill('SIGKILL'));
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Another run holding the lock: on MySQL the named lock on a connection of its own, on SQLite the
 * write lock. Released by the function returned, or at the end of the test whatever happened.
 */
async function holdLock(t: Test, tdb: TestDatabase): Promise<() => Promise<void>> {
  let release = await takeLock(tdb);
  const once = async () => {
    const r = release;
    release = async () => {};
    await r();
  };
  t.teardown(once);
  return once;
}

async function takeLock(tdb: TestDatabase): Promise<() => Promise<void>> {
  if (tdb.kind === 'sqlite') {
    // One connection (the SQLite pool holds one): the transaction stays on it until COMMIT.
    const holder = await openDatabase(tdb.target);
    await holder.knex.raw('BEGIN IMMEDIATE');
    return async () => {
      await holder.knex.raw('COMMIT');
      await holder.close();
    };
  }
  const holder = await openDatabase(tdb.target);
  const knex = holder.knex;
  const conn = await knex.client.acquireConnection();
  const query = (sql: string, values: unknown[]) =>
    new Promise<unknown>((resolve, reject) => conn.query(sql, values, (err: Error | null, rows: unknown) => (err ? reject(err) : resolve(rows))));
  await query('SELECT GET_LOCK(?, 0)', [migrationLockName(tdb.name)]);
  return async () => {
    await query('SELECT RELEASE_LOCK(?)', [migrationLockName(tdb.name)]);
    await knex.client.releaseConnection(conn);
    await holder.close();
  };
}

async function recorded(db: Database): Promise<string[]> {
  if (!(await db.knex.schema.hasTable('wxplat_migrations'))) return [];
  return (await db.knex('wxplat_migrations').select('name').orderBy('id')).map((r: { name: string }) => r.name);
}

t.test('a second db migrate waits for the first, or refuses with --wait 0', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const names = await allMigrations();
    const db = await openTestDatabase(t, tdb, false);
    // The database exists (and on SQLite its file) before another run holds it.
    t.equal((await spawnCli(['db', 'migrate', '--dry-run'], { env: { WXPLAT_DATABASE_URL: tdb.url } })).code, 0);
    const release = await holdLock(t, tdb);

    const refused = await spawnCli(['db', 'migrate', '--wait', '0'], { env: { WXPLAT_DATABASE_URL: tdb.url } });
    t.equal(refused.code, 1, 'refused: exit 1');
    t.match(refused.stderr, tdb.kind === 'mysql' ? /another `db migrate` is running on .* \(database connection \d+ from .*\)/ : /another `db migrate` is running on .* \(another process writing to this SQLite database\)/);
    t.match(refused.stderr, /let it finish, then run `wxplat db migrate` again \(without --wait 0 it waits for the other run\)/);
    t.notMatch(refused.stderr, /internal error|at .*\.js:\d+/, 'no stack, no internal error');
    t.same(await recorded(db), [], 'nothing applied');
    const gaveUp = await spawnCli(['db', 'migrate', '--wait', '1'], { env: { WXPLAT_DATABASE_URL: tdb.url } });
    t.equal(gaveUp.code, 1, 'waited, then refused: exit 1');
    t.match(gaveUp.stderr, /waiting for it to finish/);
    t.match(gaveUp.stderr, /error: another `db migrate` on .* still held the migration lock after 1 s\n {2}let it finish, then run `wxplat db migrate` again \(--wait SECONDS waits longer\)/);
    t.same(await recorded(db), [], 'nothing applied');

    let released = false;
    const waiting = start(tdb, [], (stderr) => {
      // It says it waits, and for whom: then the other run ends.
      if (!released && /waiting for it to finish/.test(stderr)) {
        released = true;
        void release();
      }
    });
    const waited = await waiting;
    t.ok(released, 'it said it was waiting before the other run ended');
    t.equal(waited.code, 0, waited.stderr);
    t.match(waited.stderr, tdb.kind === 'mysql' ? /another `db migrate` is running on this database \(database connection \d+/ : /another `db migrate` is running on this database \(another process writing/);
    t.same(await recorded(db), names, 'then applied everything');
    t.notMatch(waited.stderr, /interrupted/, 'a live holder is not taken for an interrupted run');
  }),
);

t.test('two db migrate at once: each migration applied once', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const names = await allMigrations();
    const db = await openTestDatabase(t, tdb, false);
    t.equal((await spawnCli(['db', 'migrate', '--dry-run'], { env: { WXPLAT_DATABASE_URL: tdb.url } })).code, 0);
    const [a, b] = await Promise.all([start(tdb, ['--json']), start(tdb, ['--json'])]);
    t.equal(a.code, 0, a.stderr);
    t.equal(b.code, 0, b.stderr);
    const applied = [...JSON.parse(a.stdout).migrations, ...JSON.parse(b.stdout).migrations];
    t.same(applied.sort(), [...names].sort(), 'between them, each migration once');
    t.same(await recorded(db), names, 'recorded once each');
  }),
);

mysqlOnly(t, 'a run whose lock connection is killed stops before its next migration; the next run finishes', async (t, tdb) => {
  const names = await allMigrations();
  const db = await openTestDatabase(t, tdb, false);
  let killed = false;
  const run = await start(tdb, ['--verbose'], (stderr) => {
    // Once it is migrating, the server ends the connection that holds the lock.
    if (!killed && /applying migration name=20261128000300/.test(stderr)) {
      killed = true;
      void (async () => {
        const [rows] = await db.knex.raw('SELECT IS_USED_LOCK(?) AS id', [migrationLockName(tdb.name)]);
        await db.knex.raw(`KILL ${Number(rows[0].id)}`);
      })();
    }
  });
  t.ok(killed);
  t.equal(run.code, 1, 'it stops: exit 1');
  t.match(run.stderr, /lost the migration lock on .*: its database connection was closed/);
  t.match(run.stderr, /run `wxplat db migrate` again; it carries on from the last migration recorded/);
  const done = await recorded(db);
  t.ok(done.length < names.length, `stopped after ${done.length} migrations`);
  const again = await start(tdb, []);
  t.equal(again.code, 0, again.stderr);
  t.same(await recorded(db), names);
});
