// A deploy killed mid-migrate is finished by the next `db migrate`, with no SQL by hand: the real
// binary on a production database (the seed schema, holding rows) is killed with SIGKILL at many points
// of its run — each point a piece of progress seen in the database (MySQL: tables and indexes made) or
// in its --verbose log (the migration it has started) — sometimes killed again while recovering, then
// run once more. Each time: exit 0, the operator told about the lock the killed run left, a schema
// identical to one clean migrate's, every production row kept, each adopted follower indexed once.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import t from 'tap';
import type { Database } from '../../../src/db/database.js';
import { allMigrations, loadMigration } from '../../../src/db/migrator.js';
import { SEED_TABLE_NAMES } from '../../../src/db/schema/seed-tables.js';
import { BIN, spawnCli } from '../../helpers/cli.js';
import { eachDatabase, makeDatabase, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { schemaSnapshot } from '../../helpers/schema.js';
import { runSeedSchema } from '../../helpers/seed-schema.js';

type Run = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** `wxplat db migrate --verbose`, killed with SIGKILL once `killWhen` says so (checked on each log line and every few ms). */
function migrate(tdb: TestDatabase, killWhen?: (stderr: string) => Promise<boolean> | boolean): Promise<Run & { killedAt: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'db', 'migrate', '--verbose'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, WXPLAT_DATABASE_URL: tdb.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killedAt: string | null = null;
    let watching = Boolean(killWhen);
    const look = async () => {
      while (watching) {
        if (await killWhen!(stderr)) {
          killedAt = stderr.trim().split('\n').pop() ?? '';
          child.kill('SIGKILL');
          return;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => {
      watching = false;
      resolve({ code, signal, stdout, stderr, killedAt });
    });
    if (killWhen) void look();
  });
}

/** A production database: the ten tables (seed-schema.sql on MySQL, the seed migration on SQLite) and rows. */
async function production(db: Database): Promise<void> {
  if (db.dialect === 'mysql') await runSeedSchema(db);
  else await (await loadMigration('20261128000100_seed_tables')).up(db.knex);
  await db.knex('official_accounts').insert([
    { official_account_id: 3, nickname: '老账号', appid: 'wx0000000000000003', status: 1, created_at: '2019-05-01 10:00:00' },
    { official_account_id: 4, nickname: '新账号', appid: 'wx0000000000000004', status: -2, created_at: '2020-01-02 03:04:05' },
  ]);
  // On SQLite enough followers that adopting them takes a while: the kills land inside the run.
  const followers = db.dialect === 'sqlite' ? 80_000 : 2_000;
  const users = Array.from({ length: followers }, (_, i) => ({
    official_account_user_id: 100 + i,
    official_account_id: 3,
    // Every fifth openid twice: adoption indexes the oldest row of each.
    openid: `oProductionFollower${String(i % 5 === 4 ? i - 1 : i).padStart(8, '0')}`,
    status: i % 7 === 0 ? -2 : 1,
  }));
  for (let i = 0; i < users.length; i += 500) await db.knex('official_account_users').insert(users.slice(i, i + 500));
  await db.knex('account_message_send_records').insert({ account_message_send_record_id: 29, official_account_id: 3, template_id: 'tpl', content: '您好', receiver_user: 'oAbc', status: 1 });
}

/** Each production table's rows: how many, and a digest of all of them in id order. */
async function productionRows(db: Database): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of SEED_TABLE_NAMES) {
    const rows = await db.knex(table).select('*').orderBy(1);
    out[table] = `${rows.length} rows, ${createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16)}`;
  }
  return out;
}

async function recorded(db: Database): Promise<string[]> {
  if (!(await db.knex.schema.hasTable('wxplat_migrations'))) return [];
  return (await db.knex('wxplat_migrations').select('name').orderBy('id')).map((r: { name: string }) => r.name);
}

/** Tables and indexes: what a MySQL migrate has made so far, seen from another connection. */
async function objects(db: Database): Promise<number> {
  if (db.dialect === 'sqlite') return ((await db.knex.raw("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")) as unknown[]).length;
  const schema = db.target.kind === 'mysql' ? db.target.database : '';
  const [rows] = await db.knex.raw(
    `SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?)
          + (SELECT COUNT(DISTINCT TABLE_NAME, INDEX_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?) AS n`,
    [schema, schema],
  );
  return Number(rows[0].n);
}

const adopted = async (db: Database) => {
  const rows = await db.knex('wxplat_followers').select('official_account_user_id', 'official_account_id', 'openid').orderBy('official_account_user_id');
  return `${rows.length} rows, ${createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16)}`;
};

t.test('kill -9 at many points of db migrate, then migrate again', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const names = await allMigrations();
    // The reference: the same production database, migrated in one clean run; and how many objects
    // each prefix of the migrations makes (to tell a half-applied migration after a kill).
    const refTdb = await makeDatabase(t, tdb.kind);
    const ref = await openTestDatabase(t, refTdb, false);
    await production(ref);
    const start = await objects(ref);
    const clean = await migrate(refTdb);
    t.equal(clean.code, 0, clean.stderr);
    const want = { schema: await schemaSnapshot(ref), rows: await productionRows(ref), adopted: await adopted(ref) };
    const total = await objects(ref);
    t.ok(total - start >= 20, `a migrate makes ${total - start} tables and indexes`);
    const prefixObjects: number[] = [];
    {
      const stepTdb = await makeDatabase(t, tdb.kind);
      const step = await openTestDatabase(t, stepTdb, false);
      await production(step);
      // The bookkeeping tables come first, before any migration.
      await migrateBookkeepingOnly(step);
      prefixObjects.push(await objects(step));
      for (const name of names) {
        await (await loadMigration(name)).up(step.knex);
        prefixObjects.push(await objects(step));
      }
    }

    // Kill points: on MySQL each few objects made, on both the start of each migration.
    const points: Array<{ label: string; when: (db: Database, stderr: string) => Promise<boolean> | boolean; again?: boolean }> = [];
    if (tdb.kind === 'mysql') {
      for (let n = start + 1; n < total; n += 4) {
        points.push({ label: `after ${n - start} of ${total - start} objects`, when: async (db) => (await objects(db)) >= n, again: n % 2 === 0 });
      }
    }
    // SQLite runs the whole migrate in one transaction: the points up to the slow adoption of followers.
    // MySQL: up to the one before the last. A kill on starting the last, quick migration can land after it
    // is recorded (seen in CI on a fast machine): then nothing was interrupted and the point tests nothing.
    const last = tdb.kind === 'sqlite' ? names.findIndex((n) => n.endsWith('_followers')) : names.length - 2;
    for (const [i, name] of names.slice(0, last + 1).entries()) {
      points.push({ label: `on starting ${name}`, when: (_db, stderr) => stderr.includes(`name=${name}`), again: i % 3 === 1 });
    }

    let partial = 0;
    let flagged = 0;
    let dryRunChecked = false;
    for (const point of points) {
      await t.test(`killed ${point.label}`, async (t) => {
        const wtdb = await makeDatabase(t, tdb.kind);
        const db = await openTestDatabase(t, wtdb, false);
        await production(db);
        const before = await productionRows(db);

        const killed = await migrate(wtdb, (stderr) => point.when(db, stderr));
        t.equal(killed.signal, 'SIGKILL', `killed mid-run (${killed.killedAt})`);
        await serverSettled(db);
        const leftLock = await lockFlag(db);
        const done = await recorded(db);
        t.ok(done.length < names.length, `${done.length} of ${names.length} migrations recorded when it died`);
        if (tdb.kind === 'sqlite') {
          t.same(done, [], 'SQLite: the killed run is rolled back whole');
        } else if ((await objects(db)) > prefixObjects[done.length]) {
          partial++;
          t.comment(`a migration after ${done.at(-1) ?? 'none'} was half-applied and not recorded`);
        }
        let runs = 1;
        if (point.again) {
          // Killed again while recovering, as soon as it has started a migration.
          const second = await migrate(wtdb, (stderr) => /applying migration/.test(stderr));
          if (second.signal === 'SIGKILL') runs++;
          await serverSettled(db);
        }

        if (leftLock && !dryRunChecked) {
          dryRunChecked = true;
          const dry = await spawnCli(['db', 'migrate', '--dry-run', '--json'], { env: { WXPLAT_DATABASE_URL: wtdb.url } });
          t.match(JSON.parse(dry.stdout), { dryRun: true, interrupted: true }, '--dry-run tells of the interrupted run too');
          t.match(dry.stderr, /a real run clears it and finishes the work/);
          t.equal(await lockFlag(db), true, 'and leaves the flag as it is');
        }
        const after = await migrate(wtdb);
        t.equal(after.code, 0, after.stderr);
        if (leftLock) {
          flagged++;
          t.match(after.stderr, /an earlier `db migrate` was interrupted and left its lock behind, held by nobody: cleared it/, 'the operator is told');
        } else {
          t.notMatch(after.stderr, /interrupted/, 'no lock was left: nothing to tell');
        }
        t.same(await recorded(db), names, `every migration recorded once, after ${runs} killed run(s)`);
        t.same(await schemaSnapshot(db), want.schema, 'the schema of a clean migrate');
        t.same(await productionRows(db), before, 'every production row kept');
        t.same(await adopted(db), want.adopted, 'each production follower indexed once');
        const again = await migrate(wtdb);
        t.equal(again.code, 0);
        t.notMatch(again.stderr, /interrupted/, 'and the next run has nothing to recover');
      });
    }
    if (tdb.kind === 'mysql') {
      t.ok(partial >= 5, `${partial} kills left a migration half-applied and unrecorded (MySQL cannot roll back DDL)`);
      t.ok(flagged >= points.length - 2, `${flagged} of ${points.length} kills left the lock flag set, held by nobody`);
    } else {
      t.equal(flagged, 0, 'SQLite: a killed run leaves no lock behind');
    }
  }),
);

/**
 * MySQL goes on with the statement a killed client had sent until it ends: wait until no other
 * connection to this database is running one, so that what is read next is what the kill left.
 */
async function serverSettled(db: Database): Promise<void> {
  if (db.dialect !== 'mysql') return;
  const schema = db.target.kind === 'mysql' ? db.target.database : '';
  for (;;) {
    const [rows] = await db.knex.raw(
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID() AND COMMAND <> 'Sleep'",
      [schema],
    );
    if (Number(rows[0].n) === 0) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** knex's lock flag, which earlier versions left set after a kill. */
async function lockFlag(db: Database): Promise<boolean> {
  if (!(await db.knex.schema.hasTable('wxplat_migrations_lock'))) return false;
  const row = await db.knex('wxplat_migrations_lock').max({ locked: 'is_locked' }).first();
  return Number(row?.locked ?? 0) === 1;
}

/** The runner's own tables, as a run makes them before its first migration. */
async function migrateBookkeepingOnly(db: Database): Promise<void> {
  const { withMigrationLock } = await import('../../../src/db/migration-lock.js');
  await withMigrationLock(db, { waitMs: 0 }, async () => {});
}
