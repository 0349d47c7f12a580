// `records tail --follow`: rows committed after the tail started are printed (a send when WeChat
// accepts it, the same send again when its receipt settles it, the receipt, the inbox event), nothing
// twice, and Ctrl-C ends it with exit 0 — in this process on both databases, and through the binary.
import { spawn } from 'node:child_process';
import t from 'tap';
import { BIN, runCli } from '../../helpers/cli.js';
import { eachDatabase, makeDatabase, openTestDatabase } from '../../helpers/databases.js';
import { recordTemplateReceipt } from '../../../src/core/receipts/record.js';
import { syncTemplate } from '../../helpers/sending.js';
import { FAST_RETRY, startWorld } from '../../helpers/world.js';
import { until } from '../../core/callbacks/helpers.js';
import { serveCommand } from '../serve/helpers.js';
import { follow, receiptsFor } from './helpers.js';

const keyOf = (r: any) => `${r.kind}:${r.id}:${r.state ?? r.status}`;

t.test('records tail --follow prints what is committed after it started, once, and Ctrl-C exits 0', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize({ followers: 4 });
    const tpl = await syncTemplate(t, world, appid);
    const serve = await serveCommand(world.env);
    t.teardown(() => serve.stop());
    const env = world.env;
    const [o0, o1] = world.sandbox.followerOpenids(appid, 0, 2) as [string, string];

    // One send before the tails start: printed by --limit, not again by --follow.
    t.equal((await runCli(['template', 'send', appid, '--template', tpl.code, '--to', o0, ...tpl.dataArgs], { env, overrides: { retry: FAST_RETRY } })).code, 0);
    const mixed = follow(['records', 'tail', '--follow', '--json'], env);
    const sends = follow(['records', 'tail', 'sends', '-f', '--json', '--limit', '0'], env);
    const events = follow(['records', 'tail', 'events', '--follow'], env);
    await mixed.waitFor((l) => l.length === 1, 'the earlier send');

    const send = await runCli(['template', 'send', appid, '--template', tpl.code, '--to', o0, '--to', o1, ...tpl.dataArgs, '--idempotency-key', 'later'], {
      env,
      overrides: { retry: FAST_RETRY },
    });
    t.equal(send.code, 0, send.stderr);
    const sentOf = (lines: any[]) => lines.filter((r) => r.kind === 'send' && r.state === 'sent');
    await sends.waitFor(() => sentOf(sends.json()).length === 2, 'the two new sends, as sent');
    await mixed.waitFor(() => sentOf(mixed.json()).length === 3, 'the new sends in the mixed tail');
    const sentIds = sentOf(sends.json()).map((r) => r.id);

    // Their receipts come back: the sends tail prints the same rows again in their new state.
    await receiptsFor(world.db.knex, env, serve.url, appid, { [o1]: 'failed: system failed' }, sentIds);
    await sends.waitFor(() => sends.json().filter((r) => r.state !== 'sent').length === 2, 'the settled states');
    const settled = sends.json().filter((r) => r.state !== 'sent');
    t.same(settled.map((r) => r.id).sort(), [...sentIds].sort(), 'the same rows again');
    t.same(settled.map((r) => `${r.openid}:${r.state}`).sort(), [`${o0}:delivered`, `${o1}:system-failed`].sort());
    await mixed.waitFor(() => mixed.json().filter((r) => r.kind === 'receipt').length === 2, 'the receipts');
    t.same(
      mixed.json().filter((r) => r.kind === 'receipt').map((r) => r.state).sort(),
      ['delivered', 'system-failed'],
    );
    t.equal(mixed.json().filter((r) => r.kind === 'send' && r.state !== 'sent').length, 0, 'the mixed tail shows a settled send as its receipt');
    await events.waitFor((l) => l.filter((x) => x.includes('TEMPLATESENDJOBFINISH') && / done /.test(x)).length === 2, 'the inbox events');
    t.match(events.lines()[0], new RegExp(`^\\S+Z  \\d+ +${appid}  ${o0}  TEMPLATESENDJOBFINISH +done +receipt \\d+; send \\d+ delivered$`));

    // A row committed straight into the table, stamped a few seconds in the past (a slow writer).
    const late = new Date(Date.now() - 3000).toISOString().slice(0, 19).replace('T', ' ');
    await world.db.knex('wxplat_send_deliveries').where('send_record_id', sentIds[0]).update({ state: 'unknown', updated_at: late });
    await sends.waitFor(() => sends.json().some((r) => r.state === 'unknown'), 'a change committed late');

    for (const [name, tail] of [['mixed', mixed], ['sends', sends], ['events', events]] as const) {
      const end = await tail.stop();
      t.equal(end.code, 0, `${name}: Ctrl-C ends a followed tail with 0`);
      t.equal(end.stderr, '', `${name}: nothing on stderr`);
    }
    for (const tail of [mixed, sends]) {
      const keys = tail.json().map(keyOf);
      t.same(keys, [...new Set(keys)], 'nothing printed twice');
    }
  }),
);

t.test('the binary: records tail --follow ends with 0 on SIGINT', async (t) => {
  const tdb = await makeDatabase(t, 'sqlite');
  const db = await openTestDatabase(t, tdb);
  const receipt = (openid: string, msgId: string) =>
    recordTemplateReceipt(
      db.knex,
      { appid: 'wx0000000000000001', toUserName: 'gh_x', fromUserName: openid, createTime: 1, msgType: 'event', event: 'TEMPLATESENDJOBFINISH', msgId, status: 'success' },
      new Date(),
    );
  await receipt('oBefore', '3717005636572528641');
  const child = spawn(process.execPath, [BIN, 'records', 'tail', '--follow', '--json'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, WXPLAT_DATABASE_URL: tdb.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await until(() => stdout.includes('oBefore'), 'the tail to start', 60_000);
  await receipt('oAfter', '3717005636572528642');
  await until(() => stdout.includes('oAfter'), 'the receipt committed after the start', 60_000);
  child.kill('SIGINT');
  t.equal(await exited, 0, stderr);
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.match(lines, [
    { kind: 'receipt', openid: 'oBefore', msgid: '3717005636572528641' },
    { kind: 'receipt', openid: 'oAfter', msgid: '3717005636572528642', state: 'delivered' },
  ]);
  t.equal(lines.length, 2);
});
