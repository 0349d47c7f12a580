// `wxplat serve` as a command: in this process (streams captured), and as the real binary, killed with
// SIGKILL in the middle of a stream of events and started again.
import { connect } from 'node:net';
import t from 'tap';
import { openDatabase } from '../../../src/db/database.js';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { ACCOUNT_APPID, COMPONENT, addAccount, post, receiptXml, request, signedPost, until } from '../../core/callbacks/helpers.js';
import { serveBinary, serveCommand, serveEnv } from './helpers.js';

t.test('wxplat serve: listens, receives, reports health, and ends with exit 0 on Ctrl-C', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const env = serveEnv(tdb);
    t.equal((await runCli(['db', 'migrate'], { env })).code, 0);
    const db = await openDatabase(tdb.target);
    t.teardown(() => db.close());
    await addAccount(db);
    const serve = await serveCommand(env);
    t.match(serve.stdout.text, /^listening on http:\/\/127\.0\.0\.1:\d+ \((sqlite|mysql):/);
    const health = await request(`${serve.url}/healthz`, 'GET');
    t.equal(health.status, 200);
    t.equal(JSON.parse(health.body).database.reachable, true);
    const now = new Date();
    t.same(await post(serve.url, signedPost(`/wechat/accounts/${ACCOUNT_APPID}`, receiptXml(now, '3717005636572528642'), { now })), { status: 200, body: 'success' });
    await until(async () => (await db.knex('wxplat_callback_inbox').where('state', 'done')).length === 1, 'the receipt processed');
    const ended = await serve.stop();
    t.equal(ended.code, 0, 'SIGINT/SIGTERM is a normal end');
    t.match(ended.stderr, /info POST \/wechat\/accounts\/wxf8b4f85f3a794e77 status=200 appid=wxf8b4f85f3a794e77 type=TEMPLATESENDJOBFINISH id=1 outcome=stored ms=/);
    t.match(ended.stderr, /stopping/);
    t.match(ended.stderr, /stopped .*processed=1/);
    for (const secret of [COMPONENT.appsecret, COMPONENT.encodingAesKey, COMPONENT.token]) t.notOk(ended.stderr.includes(secret) || ended.stdout.includes(secret));
    const port = Number(new URL(serve.url).port);
    const refused = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve('connected'));
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code));
    });
    t.equal(refused, 'ECONNREFUSED', 'no longer listening');

    const json = await serveCommand(env, ['--json', '--no-process']);
    t.same(Object.keys(JSON.parse(json.stdout.text)), ['url', 'database', 'processing']);
    t.equal(JSON.parse(json.stdout.text).processing, false);
    t.match(json.stderr.text, '', 'log lines go to stderr');
    t.equal((await json.stop()).code, 0);
  }),
);

t.test('wxplat serve: what it needs, and bad flags', async (t) => {
  const env = { WXPLAT_DATABASE_URL: 'sqlite::memory:', WXPLAT_COMPONENT_APPID: COMPONENT.appid };
  const missing = await runCli(['serve', '--port', '0'], { env });
  t.equal(missing.code, 2);
  t.match(missing.stderr, /set WXPLAT_COMPONENT_TOKEN, WXPLAT_COMPONENT_AES_KEY, WXPLAT_COMPONENT_APPSECRET/);
  const full = { ...env, WXPLAT_COMPONENT_APPSECRET: COMPONENT.appsecret, WXPLAT_COMPONENT_TOKEN: COMPONENT.token, WXPLAT_COMPONENT_AES_KEY: COMPONENT.encodingAesKey };
  const port = await runCli(['serve', '--port', 'http'], { env: full });
  t.equal(port.code, 2);
  t.match(port.stderr, /--port must be a whole number from 0 to 65535/);
  const unmigrated = await runCli(['serve', '--port', '0'], { env: full });
  t.equal(unmigrated.code, 2);
  t.match(unmigrated.stderr, /wxplat db migrate/);
});

t.test('kill -9 in the middle of a stream: every event answered success is in the inbox and is processed after a restart', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const env = serveEnv(tdb);
    t.equal((await runCli(['db', 'migrate'], { env })).code, 0);
    const db = await openDatabase(tdb.target);
    t.teardown(() => db.close());
    await addAccount(db);
    const first = serveBinary(env);
    const base = await first.url;
    const path = `/wechat/accounts/${ACCOUNT_APPID}`;
    const acknowledged = new Set<string>();
    let next = 0;
    let killed = false;
    let failures = 0;
    const sender = async () => {
      for (;;) {
        const msgid = String(7_000_000_000_000_000_000n + BigInt(next++));
        const now = new Date();
        try {
          const answer = await post(base, signedPost(path, receiptXml(now, msgid), { now }));
          if (answer.status === 200 && answer.body === 'success') acknowledged.add(msgid);
          else failures++;
        } catch {
          failures++;
          if (killed) return;
        }
        if (!killed && acknowledged.size >= 300) {
          killed = true;
          first.child.kill('SIGKILL');
        }
        if (killed && failures > 0) return;
      }
    };
    await Promise.all(Array.from({ length: 16 }, sender));
    const ended = await first.exit;
    t.equal(ended.signal, 'SIGKILL', 'the first receiver was killed');
    t.ok(acknowledged.size >= 300, `${acknowledged.size} events were answered success before the kill`);
    t.comment(`${acknowledged.size} acknowledged, ${failures} cut off by the kill, ${next} sent`);

    const stored = new Set(
      (await db.knex('wxplat_callback_inbox').select('decrypted_xml')).map((r: { decrypted_xml: string }) => /<MsgID>(\d+)<\/MsgID>/.exec(r.decrypted_xml)![1]),
    );
    const lost = [...acknowledged].filter((m) => !stored.has(m));
    t.same(lost, [], 'every acknowledged event is in the inbox');

    const second = serveBinary(env);
    await second.url;
    const total = stored.size;
    await until(
      async () => Number((await db.knex('wxplat_callback_inbox').where('state', 'done').count({ n: '*' }).first())!.n) === total,
      'every stored event processed after the restart',
      120_000,
    );
    const receipts = new Set((await db.knex('wechat_message_receipt_records').select('msg_id')).map((r: { msg_id: string }) => r.msg_id));
    t.same([...acknowledged].filter((m) => !receipts.has(m)), [], 'every acknowledged event is processed: a receipt each');
    t.equal(receipts.size, total, 'one receipt per stored event');
    second.child.kill('SIGTERM');
    const end = await second.exit;
    t.equal(end.code, 0, 'SIGTERM: exit 0');
    t.match(second.stderr(), /stopped/);
  }),
);
