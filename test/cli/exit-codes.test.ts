// The real binary, as cron and CI run it: exit codes, stderr messages, clean stdout.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ANSI, spawnCli } from '../helpers/cli.js';

const cwd = mkdtempSync(path.join(tmpdir(), 'wxplat-cli-'));

t.test('help and version exit 0', async (t) => {
  const help = await spawnCli(['--help'], { cwd });
  t.equal(help.code, 0);
  t.match(help.stdout, /Usage: wxplat/);
  t.match(help.stdout, /db\s+migrate, inspect and seed/);
  const sub = await spawnCli(['db', 'migrate', '--help'], { cwd });
  t.equal(sub.code, 0);
  t.match(sub.stdout, /--dry-run/);
  const version = await spawnCli(['--version'], { cwd });
  t.equal(version.code, 0);
  t.match(version.stdout, /^\d+\.\d+\.\d+/);
});

t.test('bad usage exits 2', async (t) => {
  for (const argv of [['bogus'], ['db', 'migrate', '--bogus'], ['db']]) {
    const r = await spawnCli(argv, { cwd });
    t.equal(r.code, 2, `wxplat ${argv.join(' ')}`);
  }
  const unknown = await spawnCli(['industy', 'list'], { cwd });
  t.match(unknown.stderr, /unknown command 'industy'/);
  t.match(unknown.stderr, /industry/, 'suggests the right noun');
});

t.test('bad configuration exits 2 and names the variable', async (t) => {
  const r = await spawnCli(['industry', 'list'], { cwd, env: { WXPLAT_DATABASE_URL: 'postgres://x' } });
  t.equal(r.code, 2);
  t.match(r.stderr, /^error: WXPLAT_DATABASE_URL must start with/);
  t.equal(r.stdout, '');
  t.notMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
  const flag = await spawnCli(['industry', 'list', '--db', 'nonsense'], { cwd });
  t.equal(flag.code, 2);
  t.match(flag.stderr, /--db must start with/);
  const json = await spawnCli(['industry', 'list', '--json'], { cwd, env: { WXPLAT_COMPONENT_AES_KEY: 'x' } });
  t.equal(json.code, 2);
  t.same(JSON.parse(json.stderr).error.exitCode, 2, '--json errors are JSON on stderr');
  t.equal(json.stdout, '');
});

t.test('an unreachable database exits 1 without leaking the password', async (t) => {
  const r = await spawnCli(['industry', 'list'], {
    cwd,
    env: { WXPLAT_DATABASE_URL: 'mysql://app:SuperSecretPassword9@127.0.0.1:1/wxplat' },
  });
  t.equal(r.code, 1);
  t.match(r.stderr, /cannot reach the database at mysql:\/\/app:/);
  t.notMatch(r.stderr + r.stdout, 'SuperSecretPassword9');
});

t.test('a first run on the embedded SQLite, piped: no ANSI codes', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wxplat-first-'));
  for (const argv of [['db', 'migrate'], ['db', 'seed'], ['industry', 'list']]) {
    const r = await spawnCli(argv, { cwd: dir, env: { FORCE_COLOR: undefined } });
    t.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
    t.notMatch(r.stdout + r.stderr, ANSI);
  }
  const list = await spawnCli(['industry', 'list', '--json'], { cwd: dir });
  t.equal(JSON.parse(list.stdout).length, 41);
  const piped = await spawnCli(['industry', 'list', '--json'], { cwd: dir, env: { NO_COLOR: '1' } });
  t.notMatch(piped.stdout, ANSI);
});
