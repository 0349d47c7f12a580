// The SQLite file holds the ticket, every token and the pay keys: it and its -wal and -shm files are
// readable by their owner only, whatever the umask; `doctor` fails when a file made before is not.
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli } from '../helpers/cli.js';

const mode = (file: string) => statSync(file).mode & 0o777;

t.test('db migrate makes the database and its -wal and -shm files 0600, under a permissive umask', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wxplat-mode-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const old = process.umask(0o002);
  t.teardown(() => process.umask(old));
  const file = path.join(dir, 'wxplat.sqlite3');
  const env = { WXPLAT_DATABASE_URL: `sqlite:${file}` };
  const migrated = await runCli(['db', 'migrate'], { env, cwd: dir });
  t.equal(migrated.code, 0, migrated.stderr);
  // The WAL and shared-memory files exist while a connection is open: look at them from a second one.
  const { openDatabase } = await import('../../src/db/database.js');
  const { parseDatabaseUrl } = await import('../../src/config/load.js');
  const db = await openDatabase(parseDatabaseUrl(env.WXPLAT_DATABASE_URL, 'test', dir));
  t.teardown(() => db.close());
  await db.knex('wxplat_component_credentials').insert({ component_appid: 'wx1234567890abcdef', verify_ticket: 'ticket@@@x', version: 0 });
  for (const f of [file, `${file}-wal`, `${file}-shm`]) t.equal(mode(f).toString(8), '600', `${path.basename(f)} is 0600`);

  // A file made before (0644) is what doctor reports, with what to do.
  chmodSync(file, 0o644);
  const r = await runCli(['doctor', '--json'], { env, cwd: dir });
  const check = JSON.parse(r.stdout).checks.find((c: { name: string }) => c.name === 'file permissions');
  t.equal(check.state, 'fail');
  t.match(check.detail, `${file} (0644)`);
  t.equal(check.advice, `chmod 600 ${file}`);
  t.equal(r.code, 1, 'a monitor sees it');
});

t.test('doctor: a .env holding secrets must be private too; one without secrets is not its concern', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wxplat-mode-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { writeFileSync } = await import('node:fs');
  const envFile = path.join(dir, '.env');
  writeFileSync(envFile, 'WXPLAT_API_BASE=http://127.0.0.1:1\n', { mode: 0o644 });
  const look = async () => JSON.parse((await runCli(['doctor', '--json'], { env: {}, cwd: dir })).stdout).checks.find((c: { name: string }) => c.name === 'file permissions');
  t.equal((await look()).state, 'ok');
  writeFileSync(envFile, 'WXPLAT_COMPONENT_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG\n');
  chmodSync(envFile, 0o640);
  const c = await look();
  t.equal(c.state, 'fail');
  t.match(c.detail, `${envFile} (0640)`);
  t.notMatch(JSON.stringify(c), /abcdefghijklmnopqrstuvwxyz/, 'the key itself is not printed');
  chmodSync(envFile, 0o600);
  t.equal((await look()).state, 'ok');
});
