// doctor's token service check, on both stores: off, on with no keys, keys never used, all used; and
// a malformed WXPLAT_TOKENS_LISTEN named by the configuration check.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli, spawnCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { startWorld } from '../../helpers/world.js';

async function tokenCheck(env: Record<string, string>) {
  const r = await runCli(['doctor', '--json'], { env, cwd: mkdtempSync(path.join(tmpdir(), 'wxplat-doctor-')) });
  const report = JSON.parse(r.stdout);
  return { code: r.code, check: report.checks.find((c: { name: string }) => c.name === 'token service'), report };
}

t.test('doctor: the token service', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize();
    const off = world.env;
    const on = { ...world.env, WXPLAT_TOKENS_LISTEN: '127.0.0.1:8081' };

    t.match((await tokenCheck(off)).check, { state: 'ok', detail: 'off (WXPLAT_TOKENS_LISTEN is not set)', advice: null });
    let d = await tokenCheck(on);
    t.match(d.check, { state: 'warn', detail: 'listener set to 127.0.0.1:8081, but there are no keys: every request is refused' });
    t.match(d.check.advice, 'wxplat token keys add --name <service>');
    t.equal(d.code, 0, 'a warning, not a failure');

    const added = await spawnCli(['token', 'keys', 'add', '--name', 'orders', '--appid', appid], { env: off });
    const key = added.stdout.trim();
    await spawnCli(['token', 'keys', 'add', '--name', 'menus'], { env: off });
    d = await tokenCheck(on);
    t.match(d.check, { state: 'warn', detail: 'listener set to 127.0.0.1:8081; 2 keys, never used: menus, orders' });
    t.match(d.check.advice, 'wxplat token keys remove <name>');
    t.notOk(JSON.stringify(d.report).includes(key), 'never a key');
    d = await tokenCheck(off);
    t.match(d.check, { state: 'warn', detail: 'off (WXPLAT_TOKENS_LISTEN is not set here), yet 2 keys exist; never used: menus, orders' });

    await world.db.knex('wxplat_token_keys').update({ last_used_at: '2026-12-06 08:00:00' });
    t.match((await tokenCheck(on)).check, { state: 'ok', detail: 'listener set to 127.0.0.1:8081; 2 keys, each used' });

    const human = await runCli(['doctor'], { env: on, cwd: mkdtempSync(path.join(tmpdir(), 'wxplat-doctor-')) });
    t.match(human.stdout, /token service\tok\tlistener set to 127\.0\.0\.1:8081; 2 keys, each used/);

    const bad = await tokenCheck({ ...off, WXPLAT_TOKENS_LISTEN: '8081' });
    t.equal(bad.code, 1);
    t.match(bad.report.checks[0], { name: 'configuration', state: 'fail', detail: /WXPLAT_TOKENS_LISTEN must be HOST:PORT/ });
  }),
);
