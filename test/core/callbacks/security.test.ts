// What `serve` trusts, tried as an attacker would: forged plaintext bodies under a real push's query,
// a genuine push replayed under another account's URL, made-up appids, a far-future CreateTime in a
// concurrent batch, openids that differ only in case, two clicks in one second, a client that hangs up.
import net from 'node:net';
import t from 'tap';
import { InboxWriter } from '../../../src/core/callbacks/writer.js';
import { InboxRepository } from '../../../src/db/repositories/inbox.js';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase, mysqlOnly, openTestDatabase } from '../../helpers/databases.js';
import {
  ACCOUNT_APPID,
  ACCOUNT_ORIGINAL_ID,
  COMPONENT,
  addAccount,
  eventXml,
  post,
  receiptXml,
  request,
  serveFor,
  signedPost,
  subscriptionXml,
  ticketXml,
  until,
} from './helpers.js';

const SUCCESS = { status: 200, body: 'success' };
const OTHER_APPID = 'wx0123456789abcdef';
const OTHER_ORIGINAL_ID = 'gh_0a1b2c3d4e5f';

const inboxCount = async (db: { knex: any }) => Number((await db.knex('wxplat_callback_inbox').count({ n: '*' }).first()).n);

t.test('forged plaintext bodies under a real push query are refused on both routes; nothing changes', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const accountId = await addAccount(db);
    const stamp = '2026-11-28 08:00:00';
    await db.knex('official_account_users').insert({ official_account_id: accountId, openid: 'oVictim', status: 1, created_at: stamp });
    await db.knex('wxplat_authorizer_tokens').insert({ authorizer_appid: ACCOUNT_APPID, refresh_token: 'refreshtoken@@@keep', access_token: 'atoken-keep', version: 1, updated_at: stamp });
    const serve = await serveFor(t, db);
    const now = serve.clock.now();

    // A genuine push's URL, as a proxy log would show it: keep signature, timestamp, nonce.
    for (const route of ['/wechat/component', `/wechat/accounts/${ACCOUNT_APPID}`]) {
      const real = signedPost(route, ticketXml(now), { now });
      const query = new URLSearchParams(real.query);
      query.delete('encrypt_type');
      query.delete('msg_signature');
      const ts = query.get('timestamp')!;
      const forged = [
        `<xml><AppId><![CDATA[${COMPONENT.appid}]]></AppId><CreateTime>${ts}</CreateTime><InfoType><![CDATA[unauthorized]]></InfoType><AuthorizerAppid><![CDATA[${ACCOUNT_APPID}]]></AuthorizerAppid></xml>`,
        subscriptionXml(now, 'unsubscribe', 'oVictim'),
      ];
      for (const body of forged) {
        const answer = await request(`${serve.url}${route}?${query}`, 'POST', body);
        t.equal(answer.status, 415, `${route}: refused`);
        t.equal(answer.body, 'rejected: plaintext\n');
        const line = serve.logger.lines.at(-1)!;
        t.equal(line.fields.outcome, 'rejected:plaintext', 'the log names the reason');
        // With encrypt_type=aes put back and the signature given as msg_signature: still plaintext.
        const dressed = new URLSearchParams(query);
        dressed.set('encrypt_type', 'aes');
        dressed.set('msg_signature', query.get('signature')!);
        t.equal((await request(`${serve.url}${route}?${dressed}`, 'POST', body)).status, 415);
      }
    }
    t.equal(await inboxCount(db), 0, 'nothing stored');
    await serve.processor.drain();
    const account = await db.knex('official_accounts').where('appid', ACCOUNT_APPID).first();
    t.equal(account.status, 1, 'the account is still authorized');
    const tokens = await db.knex('wxplat_authorizer_tokens').where('authorizer_appid', ACCOUNT_APPID).first();
    t.equal(tokens.refresh_token, 'refreshtoken@@@keep', 'its tokens are kept');
    t.equal((await db.knex('official_account_users').where('openid', 'oVictim').first()).status, 1, 'the follower still follows');
  }),
);

t.test("a genuine push posted under another account's URL is refused; made-up and removed appids are not stored", (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    await addAccount(db);
    const otherId = await addAccount(db, OTHER_APPID, OTHER_ORIGINAL_ID);
    await addAccount(db, 'wxremovedremoved00', 'gh_removed00000');
    await db.knex('official_accounts').where('appid', 'wxremovedremoved00').update({ status: -2 });
    const serve = await serveFor(t, db);
    const now = serve.clock.now();

    // A subscribe for account 1 (ToUserName = its original id), replayed under account 2's URL.
    const genuine = signedPost(`/wechat/accounts/${ACCOUNT_APPID}`, subscriptionXml(now, 'subscribe', 'oReplayed'), { now });
    const replay = await request(`${serve.url}/wechat/accounts/${OTHER_APPID}?${genuine.query}`, 'POST', genuine.body);
    t.equal(replay.status, 409);
    t.equal(replay.body, 'rejected: to-user\n');
    const line = serve.logger.lines.at(-1)!;
    t.equal(line.fields.outcome, 'rejected:to-user');
    t.match(String(line.fields.detail), ACCOUNT_ORIGINAL_ID);
    t.equal(await inboxCount(db), 0, 'the replay is not stored');
    t.same(await post(serve.url, genuine), SUCCESS, 'under its own URL it is stored');
    t.equal(await inboxCount(db), 1);
    await until(async () => (await db.knex('wxplat_callback_inbox').where('state', 'pending')).length === 0, 'processed');
    const followers = await db.knex('official_account_users').where('openid', 'oReplayed');
    t.equal(followers.length, 1, 'one follower row');
    t.not(followers[0].official_account_id, otherId, 'of account 1, never account 2');

    // Appids that are no authorized account: answered success (so WeChat does not retry), not stored.
    for (const appid of ['wxdeadbeefdeadbeef', 'wxremovedremoved00']) {
      const push = signedPost(`/wechat/accounts/${appid}`, receiptXml(now, '3717005636572528642'), { now });
      t.same(await post(serve.url, push), SUCCESS, `${appid}: success`);
      const logged = serve.logger.lines.at(-1)!;
      t.equal(logged.fields.outcome, 'ignored:unknown-account');
      t.equal(logged.level, 'warn');
    }
    t.equal(await inboxCount(db), 1, 'neither stored');
  }),
);

t.test('a far-future CreateTime in a concurrent batch: every push stored and processed, its time null', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    await addAccount(db);
    const serve = await serveFor(t, db, { process: false });
    const now = serve.clock.now();
    const path = `/wechat/accounts/${ACCOUNT_APPID}`;
    const xml = (i: number, createTime: bigint) =>
      eventXml({ ToUserName: ACCOUNT_ORIGINAL_ID, FromUserName: `oFuture${i}`, CreateTime: createTime, MsgType: 'event', Event: 'TEMPLATESENDJOBFINISH', MsgID: 6_000_000_000_000_000_000n + BigInt(i), Status: 'success' });
    const pushes = Array.from({ length: 21 }, (_, i) => signedPost(path, xml(i, i === 10 ? 999_999_999_999n : BigInt(Math.floor(now.getTime() / 1000))), { now }));
    const answers = await Promise.all(pushes.map((p) => post(serve.url, p)));
    t.same(answers.map((a) => a.status), Array(21).fill(200), 'all 21 answered success');
    const rows = await db.knex('wxplat_callback_inbox').orderBy('id');
    t.equal(rows.length, 21);
    const future = rows.find((r: { decrypted_xml: string }) => r.decrypted_xml.includes('oFuture10'));
    t.equal(future.message_time, null, 'year 33658 is stored as no time');
    t.ok(rows.filter((r: { message_time: unknown }) => r.message_time !== null).length === 20);
    // Processed together, in one batch: the receipts too, the bad one without a time.
    await serve.processor.drain();
    t.same(
      (await db.knex('wxplat_callback_inbox').select('state')).map((r: { state: string }) => r.state),
      Array(21).fill('done'),
      'every row processed',
    );
    const receipts = await db.knex('wechat_message_receipt_records').orderBy('wechat_message_receipt_record_id');
    t.equal(receipts.length, 21);
    t.equal(receipts.find((r: { from_user_name: string }) => r.from_user_name === 'oFuture10').create_time, null);
  }),
);

t.test('one row the database refuses does not fail the others of its batch', (t) =>
  mysqlOnly(t, 'mysql', async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const clock = { now: () => new Date('2026-11-28T08:00:00Z') };
    const writer = new InboxWriter({ repo: new InboxRepository(db.knex, db.dialect), clock, maxBatch: 50 });
    // Straight to the writer, past the receiver's range check: MariaDB refuses a DATETIME in year 33658.
    const entry = (i: number, time: Date) => ({
      dedupeKey: `test|${i}`,
      route: 'account' as const,
      appid: ACCOUNT_APPID,
      eventType: 'TEMPLATESENDJOBFINISH',
      messageTime: time,
      openid: null,
      decryptedXml: `<xml><I>${i}</I></xml>`,
    });
    const results = await Promise.allSettled(
      Array.from({ length: 21 }, (_, i) => writer.submit(entry(i, i === 7 ? new Date(999_999_999_999_000) : clock.now()))),
    );
    t.equal(writer.stats.largestBatch > 1 || writer.stats.batches > 0, true);
    t.equal(results.filter((r) => r.status === 'fulfilled').length, 20, 'twenty stored');
    t.equal(results[7].status, 'rejected', 'only the bad one failed');
    t.equal(await inboxCount(db), 20);
  }),
);

t.test('openids that differ only in case, and two clicks in one second, are separate rows; a retry is not', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    await addAccount(db);
    const serve = await serveFor(t, db, { process: false });
    const now = serve.clock.now();
    const path = `/wechat/accounts/${ACCOUNT_APPID}`;
    const send = (xml: string) => post(serve.url, signedPost(path, xml, { now }));
    t.same(await send(subscriptionXml(now, 'subscribe', 'oCaseSensitive')), SUCCESS);
    t.same(await send(subscriptionXml(now, 'subscribe', 'oCASESENSITIVE')), SUCCESS);
    const click = (key: string) => eventXml({ ToUserName: ACCOUNT_ORIGINAL_ID, FromUserName: 'oClicker', CreateTime: BigInt(Math.floor(now.getTime() / 1000)), MsgType: 'event', Event: 'CLICK', EventKey: key });
    t.same(await send(click('MENU_A')), SUCCESS);
    t.same(await send(click('MENU_B')), SUCCESS);
    t.same(await send(click('MENU_A')), SUCCESS, "WeChat's retry of the first click");
    const rows = await db.knex('wxplat_callback_inbox').orderBy('id');
    t.equal(rows.length, 4, 'two subscribes and two clicks');
    t.same(
      serve.logger.lines.filter((l) => l.message.startsWith('POST')).map((l) => l.fields.outcome),
      ['stored', 'stored', 'stored', 'stored', 'duplicate'],
    );
  }),
);

t.test('a client that hangs up mid-body is logged as aborted by the client, not as a server error', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    await addAccount(db);
    const serve = await serveFor(t, db, { process: false });
    const { port } = new URL(serve.url);
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => {
          socket.write(`POST /wechat/accounts/${ACCOUNT_APPID}?timestamp=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n<xml><Enc`, () => {
            socket.destroy();
            resolve();
          });
        });
        socket.on('error', reject);
      });
    }
    await until(() => serve.logger.lines.filter((l) => l.fields.outcome === 'aborted-by-client').length === 3, 'three aborted lines');
    const lines = serve.logger.lines.filter((l) => l.message.startsWith('POST'));
    t.equal(lines.length, 3);
    for (const l of lines) {
      t.equal(l.level, 'info', 'not an error line');
      t.equal(l.fields.status, 499);
      t.notOk('error' in l.fields);
    }
    t.equal(await inboxCount(db), 0);
  }),
);

t.test('an account with no original id on record: its pushes are refused (409), and doctor says how to fix it', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    await db.knex('official_accounts').insert({ appid: ACCOUNT_APPID, original_id: null, status: 1, created_at: '2026-11-28 08:00:00', updated_at: '2026-11-28 08:00:00' });
    await db.knex('wxplat_authorizer_tokens').insert({ authorizer_appid: ACCOUNT_APPID, refresh_token: 'refreshtoken@@@x', version: 1, updated_at: '2026-11-28 08:00:00' });
    const serve = await serveFor(t, db, { process: false });
    const now = serve.clock.now();
    const answer = await post(serve.url, signedPost(`/wechat/accounts/${ACCOUNT_APPID}`, subscriptionXml(now, 'subscribe', 'oX'), { now }));
    t.equal(answer.status, 409);
    t.match(String(serve.logger.lines.at(-1)!.fields.detail), `run wxplat account refresh ${ACCOUNT_APPID}`);
    t.equal(await inboxCount(db), 0);
    const r = await runCli(['doctor', '--json'], { env: { WXPLAT_DATABASE_URL: tdb.url } });
    const accounts = JSON.parse(r.stdout).checks.find((c: { name: string }) => c.name === 'accounts');
    t.equal(accounts.state, 'warn');
    t.match(accounts.detail, /1 of 1 have no original id on record/);
    t.match(accounts.advice, `fetch their profiles: wxplat account refresh ${ACCOUNT_APPID}`);
  }),
);
