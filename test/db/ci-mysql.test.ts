// Under CI the MySQL half of every data-layer test must run: without WXPLAT_TEST_MYSQL_URL the run
// fails instead of reporting the MySQL subtests as skipped. Outside CI they are skipped, with the reason.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const PROBE = fileURLToPath(new URL('../helpers/each-database-probe.ts', import.meta.url));

function probe(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PROBE], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

t.test('CI=true without WXPLAT_TEST_MYSQL_URL fails the run', async (t) => {
  const r = await probe({ CI: 'true' });
  t.not(r.code, 0, 'the run fails');
  t.match(r.out, /not ok \d+ - WXPLAT_TEST_MYSQL_URL is not set under CI/);
  t.match(r.out, /ok \d+ - ran on sqlite/, 'the SQLite half still ran');
});

t.test('outside CI the MySQL half is skipped, with the reason', async (t) => {
  const r = await probe({ CI: 'false' });
  t.equal(r.code, 0, r.out);
  t.match(r.out, /ok \d+ - mysql # SKIP WXPLAT_TEST_MYSQL_URL is not set/);
});
