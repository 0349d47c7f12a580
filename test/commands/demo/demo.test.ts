// `npm run demo` — the walkthrough a new user runs: the real binary, no configuration, no server.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ANSI, spawnCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';

t.test('the demo on a fresh folder', async (t) => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'wxplat-demo-test-'));
  const r = await spawnCli(['demo'], { cwd, timeoutMs: 120_000 });
  t.equal(r.code, 0, r.stderr);
  for (const step of ['Migrate and seed', 'component_verify_ticket', 'Authorize an official account', 'template industries', 'Sync the followers', 'Send a template message', 'Receipts', 'The tail']) {
    t.match(r.stdout, step);
  }
  t.match(r.stdout, /300 recipients, 299 sent, 1 failed, 0 unknown, 0 left/);
  t.match(r.stdout, /296 delivered, 3 blocked by the user/);
  t.match(r.stdout, "Forward the account's messages and events");
  t.match(r.stdout, /the service's answer reaches them as the passive reply: 您好，客服小微收到：我的订单到哪了？/);
  t.match(r.stdout, /the service gets \{"ToUserName".* with X-Wxplat-Event-Id evt_\d+_1, signature valid/);
  t.match(r.stdout, /done in \d/);
  t.notMatch(r.stdout + r.stderr, ANSI, 'piped: no colour');
  t.same(readdirSync(cwd), [], 'nothing written into the folder it ran in');
});

t.test('the demo on a database the operator names, --json', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const r = await spawnCli(['demo', '--db', tdb.url, '--json', '--followers', '50'], { timeoutMs: 120_000 });
    t.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    t.match(doc, { send: { total: 50, sent: 49, failed: 1, state: 'done' }, receipts: { delivered: 46, blocked: 3 } });
    t.match(doc.forwarding, { reply: '您好，客服小微收到：我的订单到哪了？' });
    t.ok(doc.forwarding.delivered.includes('/reply') && doc.forwarding.delivered.some((p: string) => p.startsWith('/events/')), 'both rules delivered');
    t.match(doc.appid, /^wx[0-9a-f]{16}$/);
  }),
);
