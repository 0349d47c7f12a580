// `wxplat events trigger` against a running `wxplat serve`, as an operator would test a receiver.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { openDatabase } from '../../../src/db/database.js';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { ACCOUNT_APPID, COMPONENT, startFakeWeChat, until } from '../../core/callbacks/helpers.js';
import { serveCommand, serveEnv } from '../serve/helpers.js';

t.test('events trigger sends each event as WeChat would; the receiver stores and processes it', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const wechat = await startFakeWeChat(t);
    const env = { ...serveEnv(tdb), WXPLAT_API_BASE: wechat.url };
    t.equal((await runCli(['db', 'migrate'], { env })).code, 0);
    const serve = await serveCommand(env);
    t.teardown(() => serve.stop());
    const db = await openDatabase(tdb.target);
    t.teardown(() => db.close());
    const lastRow = async () => {
      await until(async () => (await db.knex('wxplat_callback_inbox').where('state', 'pending')).length === 0, 'processed');
      return db.knex('wxplat_callback_inbox').orderBy('id', 'desc').first();
    };
    const trigger = (...args: string[]) => runCli(['events', 'trigger', ...args, '--forward-to', serve.url], { env });

    let r = await trigger('component_verify_ticket');
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, `POST ${serve.url}/wechat/component (component_verify_ticket)\n200 success\n`);
    let row = await lastRow();
    t.equal(row.state, 'done');
    const ticket = (await db.knex('wxplat_component_credentials').first()).verify_ticket;
    t.match(ticket, /^ticket@@@wxplat-trigger-/);
    t.notOk(r.stdout.includes(ticket), 'the ticket is not printed');

    wechat.codes.set('queryauthcode@@@trigger', ACCOUNT_APPID);
    r = await trigger('authorized', '--appid', ACCOUNT_APPID, '--auth-code', 'queryauthcode@@@trigger', '--json');
    t.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    t.same(
      { type: doc.type, status: doc.status, body: doc.body, accepted: doc.accepted, target: doc.target },
      { type: 'authorized', status: 200, body: 'success', accepted: true, target: `${serve.url}/wechat/component` },
    );
    t.equal(doc.event.AuthorizerAppid, ACCOUNT_APPID);
    t.equal(doc.event.AuthorizationCode, '…', 'the code is not printed');
    row = await lastRow();
    t.equal(row.state, 'done', row.last_error ?? '');
    t.equal((await db.knex('official_accounts').where('appid', ACCOUNT_APPID).first()).status, 1);

    r = await trigger('templatesendjobfinish', '--appid', ACCOUNT_APPID, '--msgid', '3717005636572528642', '--status', 'failed: system failed');
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, `/wechat/accounts/${ACCOUNT_APPID} (templatesendjobfinish)`);
    row = await lastRow();
    t.equal(row.event_type, 'TEMPLATESENDJOBFINISH');
    const receipt = await db.knex('wechat_message_receipt_records').where('msg_id', '3717005636572528642').first();
    t.equal(receipt.status, 3, 'system failed');
    t.equal(receipt.content, 'failed: system failed');

    r = await trigger('subscribe', '--appid', ACCOUNT_APPID, '--openid', 'oTriggered');
    t.equal(r.code, 0, r.stderr);
    await lastRow();
    t.equal((await db.knex('official_account_users').where('openid', 'oTriggered').first()).status, 1);

    r = await trigger('unauthorized', '--appid', ACCOUNT_APPID);
    t.equal(r.code, 0, r.stderr);
    row = await lastRow();
    t.equal(row.state, 'done', row.last_error ?? '');
    t.equal((await db.knex('official_accounts').where('appid', ACCOUNT_APPID).first()).status, -2);

    // The receiver checks what it is sent: another token is refused, and the trigger says so.
    const wrong = await runCli(['events', 'trigger', 'component_verify_ticket', '--forward-to', serve.url], {
      env: { ...env, WXPLAT_COMPONENT_TOKEN: 'someothertoken' },
    });
    t.equal(wrong.code, 1);
    t.match(wrong.stdout, /401 rejected: signature/);
    t.match(wrong.stderr, /did not accept the event \(HTTP 401\)/);
    const otherKey = await runCli(['events', 'trigger', 'component_verify_ticket', '--forward-to', serve.url], {
      env: { ...env, WXPLAT_COMPONENT_AES_KEY: 'B'.repeat(43) },
    });
    t.equal(otherKey.code, 1);
    t.match(otherKey.stdout, /422 rejected: decrypt/);
    for (const out of [r, wrong, otherKey]) {
      for (const secret of [COMPONENT.encodingAesKey, COMPONENT.token, COMPONENT.appsecret]) t.notOk(out.stdout.includes(secret) || out.stderr.includes(secret));
    }

    // $APPID$ in the URL, as configured on the platform.
    r = await runCli(['events', 'trigger', 'templatesendjobfinish', '--appid', ACCOUNT_APPID, '--forward-to', `${serve.url}/wechat/accounts/$APPID$`], { env });
    t.equal(r.code, 0, r.stderr);
  }),
);

t.test('events trigger: bad usage', async (t) => {
  const env = { WXPLAT_COMPONENT_APPID: COMPONENT.appid, WXPLAT_COMPONENT_TOKEN: COMPONENT.token, WXPLAT_COMPONENT_AES_KEY: COMPONENT.encodingAesKey };
  let r = await runCli(['events', 'trigger', 'unauthorized', '--forward-to', 'http://127.0.0.1:9'], { env });
  t.equal(r.code, 2);
  t.match(r.stderr, /--appid/);
  r = await runCli(['events', 'trigger', 'nonsense', '--forward-to', 'http://127.0.0.1:9'], { env });
  t.equal(r.code, 2);
  // An account's event needs the account's original id (ToUserName): from --original-id or this database.
  const empty = mkdtempSync(path.join(tmpdir(), 'wxplat-trigger-'));
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  r = await runCli(['events', 'trigger', 'subscribe', '--appid', ACCOUNT_APPID, '--forward-to', 'http://127.0.0.1:9'], { env: { ...env, WXPLAT_DATABASE_URL: `sqlite:${path.join(empty, 'none.sqlite3')}` } });
  t.equal(r.code, 2);
  t.match(r.stderr, /--original-id gh_/);
  r = await runCli(['events', 'trigger', 'subscribe', '--appid', ACCOUNT_APPID, '--original-id', 'nope', '--forward-to', 'http://127.0.0.1:9'], { env });
  t.equal(r.code, 2);
  t.match(r.stderr, /--original-id must be/);
  r = await runCli(['events', 'trigger', 'component_verify_ticket'], { env });
  t.equal(r.code, 2, 'no --forward-to');
  r = await runCli(['events', 'trigger', 'component_verify_ticket', '--forward-to', 'ftp://x'], { env });
  t.equal(r.code, 2);
  r = await runCli(['events', 'trigger', 'component_verify_ticket', '--forward-to', 'http://127.0.0.1:9'], { env: { WXPLAT_COMPONENT_APPID: COMPONENT.appid } });
  t.equal(r.code, 2);
  t.match(r.stderr, /WXPLAT_COMPONENT_TOKEN, WXPLAT_COMPONENT_AES_KEY/);
  const closed = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
  r = await runCli(['events', 'trigger', 'component_verify_ticket', '--forward-to', `http://127.0.0.1:${closed}`], { env });
  t.equal(r.code, 1, 'nothing listens there');
  t.match(r.stderr, `could not reach http://127.0.0.1:${closed}: ECONNREFUSED`);
});
