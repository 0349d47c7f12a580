// The receiver end to end on both databases: an encrypted POST, the inbox, the processing, the tables.
import t from 'tap';
import { openDatabase } from '../../../src/db/database.js';
import { InboxRepository } from '../../../src/db/repositories/inbox.js';
import { toSqlDateTime } from '../../../src/db/time.js';
import { MessageCrypto } from '../../../src/wechat/crypto.js';
import { eachDatabase, openTestDatabase } from '../../helpers/databases.js';
import {
  ACCOUNT_APPID,
  COMPONENT,
  addAccount,
  authorizationXml,
  eventXml,
  fixture,
  post,
  receiptXml,
  request,
  serveFor,
  signedPost,
  startFakeWeChat,
  subscriptionXml,
  ticketXml,
  unauthorizedXml,
  until,
} from './helpers.js';

const SUCCESS = { status: 200, body: 'success' };

t.test('each event type, from an encrypted POST to the database', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const wechat = await startFakeWeChat(t);
    const serve = await serveFor(t, db, { apiBase: wechat.url });
    const now = serve.clock.now();
    const inbox = new InboxRepository(db.knex, db.dialect);
    const send = (path: string, xml: string, openid?: string) => post(serve.url, signedPost(path, xml, { now, openid }));
    const settled = async (id: number) => {
      await until(async () => (await inbox.findById(id))?.state !== 'pending', `inbox row ${id} processed`);
      return (await inbox.findById(id))!;
    };
    const lastId = async () => Number((await db.knex('wxplat_callback_inbox').max({ id: 'id' }).first())!.id);

    // component_verify_ticket → the token keeper's ticket
    t.same(await send('/wechat/component', ticketXml(now, 'ticket@@@first')), SUCCESS);
    let row = await settled(await lastId());
    t.equal(row.state, 'done');
    t.equal(row.eventType, 'component_verify_ticket');
    t.equal(row.outcome, 'ticket stored');
    const cred = await db.knex('wxplat_component_credentials').where('component_appid', COMPONENT.appid).first();
    t.equal(cred.verify_ticket, 'ticket@@@first');
    t.equal(cred.ticket_received_at, toSqlDateTime(now), 'with the time it arrived');

    // authorized → api_query_auth, tokens, api_get_authorizer_info, official_accounts
    wechat.codes.set('queryauthcode@@@one', ACCOUNT_APPID);
    t.same(await send('/wechat/component', authorizationXml(now, 'authorized', ACCOUNT_APPID, 'queryauthcode@@@one')), SUCCESS);
    row = await settled(await lastId());
    t.equal(row.state, 'done', row.lastError ?? '');
    t.equal(row.appid, ACCOUNT_APPID);
    t.match(row.outcome, /account \d+ \(wxf8b4f85f3a794e77\) created; permissions 1,7/);
    const account = await db.knex('official_accounts').where('appid', ACCOUNT_APPID).first();
    t.equal(account.status, 1);
    t.equal(account.nickname, '微信SDK Demo Special');
    t.equal(account.original_id, 'gh_eb5e3a772040');
    t.equal(account.func_ids, '1,7');
    const tokens = await db.knex('wxplat_authorizer_tokens').where('authorizer_appid', ACCOUNT_APPID).first();
    t.match(tokens.refresh_token, /^refreshtoken@@@/);
    t.equal(wechat.calls['cgi-bin/component/api_query_auth'], 1);
    t.equal(wechat.calls['cgi-bin/component/api_component_token'], 1, 'the component token came from the stored ticket');

    // updateauthorized → the same account, updated
    wechat.codes.set('queryauthcode@@@two', ACCOUNT_APPID);
    const later = new Date(now.getTime() + 1000);
    t.same(await post(serve.url, signedPost('/wechat/component', authorizationXml(later, 'updateauthorized', ACCOUNT_APPID, 'queryauthcode@@@two'), { now })), SUCCESS);
    row = await settled(await lastId());
    t.match(row.outcome, /updated/);
    t.equal((await db.knex('official_accounts').where('appid', ACCOUNT_APPID)).length, 1, 'still one row for the appid');

    // subscribe / unsubscribe → official_account_users
    const accountPath = `/wechat/accounts/${ACCOUNT_APPID}`;
    t.same(await send(accountPath, subscriptionXml(now, 'subscribe', 'oFollower1'), 'oFollower1'), SUCCESS);
    row = await settled(await lastId());
    t.equal(row.state, 'done', row.lastError ?? '');
    t.equal(row.eventType, 'subscribe');
    let follower = await db.knex('official_account_users').where({ openid: 'oFollower1' });
    t.equal(follower.length, 1);
    t.equal(follower[0].status, 1);
    t.equal(follower[0].official_account_id, account.official_account_id);
    t.same(await send(accountPath, subscriptionXml(later, 'unsubscribe', 'oFollower1'), 'oFollower1'), SUCCESS);
    await settled(await lastId());
    follower = await db.knex('official_account_users').where({ openid: 'oFollower1' });
    t.equal(follower.length, 1, 'the same row');
    t.equal(follower[0].status, -2);
    t.same(await send(accountPath, subscriptionXml(new Date(later.getTime() + 1000), 'subscribe', 'oFollower1'), 'oFollower1'), SUCCESS);
    await settled(await lastId());
    t.equal((await db.knex('official_account_users').where({ openid: 'oFollower1' }).first()).status, 1, 'following again');

    // TEMPLATESENDJOBFINISH → receipt record, linked to the send with that msgid
    const msgid = '3717005636572528642'; // above 2^53
    await db.knex('wxplat_send_deliveries').insert({
      send_record_id: 77,
      job_id: 1,
      official_account_id: account.official_account_id,
      openid: 'oia2TjuEGTNoeX76QEjQNrcURxG8',
      client_msg_id: 'job1-x',
      state: 'sent',
      msgid,
      attempts: 1,
      updated_at: toSqlDateTime(now),
    });
    t.same(await send(accountPath, receiptXml(now, msgid, 'failed:user block')), SUCCESS);
    row = await settled(await lastId());
    t.equal(row.state, 'done', row.lastError ?? '');
    t.equal(row.eventType, 'TEMPLATESENDJOBFINISH');
    const receipt = await db.knex('wechat_message_receipt_records').where('msg_id', msgid).first();
    t.equal(receipt.msg_id, msgid, 'msg_id is the exact string');
    t.equal(receipt.appid, ACCOUNT_APPID);
    t.equal(receipt.status, 2, 'user block');
    t.equal(receipt.content, 'failed:user block');
    t.equal(receipt.from_user_name, 'oia2TjuEGTNoeX76QEjQNrcURxG8');
    t.equal(receipt.to_user_name, 'gh_eb5e3a772040');
    t.equal(receipt.event, 'TEMPLATESENDJOBFINISH');
    const delivery = await db.knex('wxplat_send_deliveries').where('send_record_id', 77).first();
    t.equal(delivery.state, 'blocked');
    t.equal(Number(delivery.receipt_record_id), Number(receipt.wechat_message_receipt_record_id));
    t.equal(row.outcome, `receipt ${receipt.wechat_message_receipt_record_id}; send 77 blocked`);

    // anything else: stored, marked ignored, never an error to WeChat
    const text = eventXml({ ToUserName: 'gh_eb5e3a772040', FromUserName: 'oX', CreateTime: 1, MsgType: 'text', Content: '你好', MsgId: 22994982940022977n });
    t.same(await send(accountPath, text, 'oX'), SUCCESS);
    row = await settled(await lastId());
    t.equal(row.state, 'ignored');
    t.equal(row.eventType, 'text');
    t.same(await send('/wechat/component', eventXml({ AppId: COMPONENT.appid, CreateTime: 2, InfoType: 'notify_third_fasteregister' })), SUCCESS);
    row = await settled(await lastId());
    t.equal(row.state, 'ignored');
    t.equal(row.eventType, 'notify_third_fasteregister');

    // unauthorized → status -2, tokens dropped, rows kept
    const gone = new Date(now.getTime() + 5000);
    t.same(await post(serve.url, signedPost('/wechat/component', unauthorizedXml(gone, ACCOUNT_APPID), { now })), SUCCESS);
    row = await settled(await lastId());
    t.equal(row.state, 'done', row.lastError ?? '');
    t.match(row.outcome, /removed \(status -2\); tokens dropped/);
    const removed = await db.knex('official_accounts').where('appid', ACCOUNT_APPID).first();
    t.equal(removed.status, -2);
    t.equal(removed.nickname, '微信SDK Demo Special', 'the row stays');
    const dropped = await db.knex('wxplat_authorizer_tokens').where('authorizer_appid', ACCOUNT_APPID).first();
    t.equal(dropped.refresh_token, null);
    t.equal(dropped.access_token, null);
    t.equal((await db.knex('official_account_users').where({ openid: 'oFollower1' })).length, 1, 'followers stay');

    // every request got one log line, with no secret and no message content
    const requests = serve.logger.lines.filter((l) => l.message.startsWith('POST '));
    t.equal(requests.length, 10);
    for (const l of requests) {
      t.ok(['stored', 'duplicate'].includes(l.fields.outcome as string));
      t.type(l.fields.ms, 'number');
    }
    const logged = JSON.stringify(serve.logger.lines);
    for (const secret of [COMPONENT.token, COMPONENT.encodingAesKey, COMPONENT.appsecret, 'ticket@@@first', 'queryauthcode@@@one', '你好', tokens.refresh_token]) {
      t.notOk(logged.includes(secret), 'no secret or content in the log');
    }
  }),
);

t.test("the reference's encrypted fixtures are accepted with the skew check off", (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const vectors = JSON.parse(fixture('crypto-vectors.json')).vectors as Array<Record<string, any>>;
    const cases = [
      ['component_verify_ticket.safe_mode_request.easyswoole.json', 'easyswoole-component-verify-ticket-push', '/wechat/component'],
      ['official_account_text.safe_mode_request.easyswoole.json', 'easyswoole-official-account-safe-mode', '/wechat/accounts/wxefe41fdee1714229'],
    ] as const;
    await addAccount(db, 'wxefe41fdee1714229', 'gh_1d45968d17db');
    for (const [file, id, path] of cases) {
      const v = vectors.find((x) => x.id === id)!;
      const component = { appid: v.receive_id, token: v.token, encodingAesKey: v.encoding_aes_key };
      const f = JSON.parse(fixture(`callbacks/${file}`));
      const query = new URLSearchParams(f.query);
      const strict = await serveFor(t, db, { component, maxSkewSeconds: 300, process: false });
      t.equal((await request(`${strict.url}${path}?${query}`, 'POST', f.body)).status, 403, `${file}: too old with the skew check on`);
      const serve = await serveFor(t, db, { component, maxSkewSeconds: 0, process: false });
      t.same(await request(`${serve.url}${path}?${query}`, 'POST', f.body), SUCCESS, file);
      t.same(await request(`${serve.url}${path}?${query}`, 'POST', f.body), SUCCESS, `${file} again: a duplicate`);
      await strict.stop();
      await serve.stop();
    }
    const rows = await db.knex('wxplat_callback_inbox').orderBy('id');
    t.equal(rows.length, 2, 'each stored once');
    t.equal(rows[0].event_type, 'component_verify_ticket');
    t.match(rows[0].decrypted_xml, /some_verify_ticket/);
    t.equal(rows[1].event_type, 'text');
    t.equal(rows[1].appid, 'wxefe41fdee1714229');
    t.match(rows[1].decrypted_xml, /<Content><!\[CDATA\[测试\]\]><\/Content>/);
    t.equal(rows[1].openid, 'o1YYd0mJxkRO0eCi7haWLDVMalts', 'the follower, from FromUserName');
    t.equal(rows[1].raw_body, '', 'the decrypted message is the one body kept');
    const processor = (await serveFor(t, db, { component: { appid: 'wxb11529c136998cb6', token: 'pamtest', encodingAesKey: COMPONENT.encodingAesKey }, process: false })).processor;
    await processor.drain();
    const after = await db.knex('wxplat_callback_inbox').orderBy('id');
    t.same(after.map((r) => r.state), ['done', 'ignored']);
    const cred = await db.knex('wxplat_component_credentials').where('component_appid', 'wxb11529c136998cb6').first();
    t.equal(cred.verify_ticket, 'some_verify_ticket');
  }),
);

t.test('every rejection path: a distinct 4xx, a log line naming the check, nothing stored', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    await addAccount(db);
    const serve = await serveFor(t, db);
    const now = serve.clock.now();
    const path = `/wechat/accounts/${ACCOUNT_APPID}`;
    const good = signedPost(path, receiptXml(now, '1'), { now });
    const url = (p: string, q: URLSearchParams) => `${serve.url}${p}?${q}`;

    const badSig = new URLSearchParams(good.query);
    badSig.set('msg_signature', 'a'.repeat(40));
    const ts = String(Math.floor(now.getTime() / 1000));
    const junk = Buffer.alloc(64, 9).toString('base64');
    const crypto = new MessageCrypto({ token: COMPONENT.token, encodingAesKey: COMPONENT.encodingAesKey, receiveId: COMPONENT.appid });
    const undecryptable = new URLSearchParams({ timestamp: ts, nonce: '1', encrypt_type: 'aes', msg_signature: crypto.msgSignature(ts, '1', junk) });
    const foreign = signedPost(path, receiptXml(now, '2'), { now, receiveId: 'wx0000000000000000' });
    const echoQuery = (at: string, offset = 0) => {
      const stamp = String(Number(at) + offset);
      return new URLSearchParams({ signature: crypto.signature(stamp, '456'), timestamp: stamp, nonce: '456', echostr: 'e4c0' });
    };
    const stale = signedPost(path, receiptXml(now, '3'), { now, timestamp: Math.floor(now.getTime() / 1000) - 3600 });
    const cases: Array<[string, () => Promise<{ status: number }>, number, string]> = [
      ['bad msg_signature', () => request(url(path, badSig), 'POST', good.body), 401, 'rejected:signature'],
      ['cannot decrypt', () => request(url(path, undecryptable), 'POST', `<xml><Encrypt>${junk}</Encrypt></xml>`), 422, 'rejected:decrypt'],
      ['another platform', () => post(serve.url, foreign), 421, 'rejected:appid'],
      ['stale timestamp', () => post(serve.url, stale), 403, 'rejected:timestamp'],
      ['DOCTYPE', () => request(url(path, good.query), 'POST', `<!DOCTYPE xml SYSTEM "http://x/">${good.body}`), 400, 'rejected:xml-doctype'],
      ['entity', () => request(url(path, good.query), 'POST', '<xml><Encrypt>&xxe;</Encrypt></xml>'), 400, 'rejected:xml-entity'],
      ['malformed', () => request(url(path, good.query), 'POST', '<xml><Encrypt>'), 400, 'rejected:xml-malformed'],
      ['no Encrypt', () => request(url(path, good.query), 'POST', '<xml><ToUserName>gh</ToUserName></xml>'), 415, 'rejected:plaintext'],
      ['empty Encrypt', () => request(url(path, good.query), 'POST', '<xml><ToUserName>gh</ToUserName><Encrypt></Encrypt></xml>'), 400, 'rejected:no-encrypt'],
      ['GET with a stale timestamp', () => request(`${serve.url}/wechat/component?${echoQuery(ts, -3600)}`, 'GET'), 403, 'rejected:timestamp'],
      ['65 KiB body', () => request(url(path, good.query), 'POST', `<xml><A>${'x'.repeat(65 * 1024)}</A></xml>`), 413, 'rejected:too-large'],
      ['PUT', () => request(url(path, good.query), 'PUT', good.body), 405, 'method'],
      ['DELETE component', () => request(`${serve.url}/wechat/component`, 'DELETE'), 405, 'method'],
      ['POST /healthz', () => request(`${serve.url}/healthz`, 'POST', ''), 405, 'method'],
      ['unknown path', () => request(`${serve.url}/wechat/other`, 'POST', good.body), 404, 'not-found'],
      ['bad appid in the path', () => request(`${serve.url}/wechat/accounts/$APPID$`, 'POST', good.body), 404, 'not-found'],
      ['GET with a bad signature', () => request(`${serve.url}/wechat/component?signature=00&timestamp=1&nonce=2&echostr=hi`, 'GET'), 401, 'rejected:signature'],
      ['GET without echostr', () => request(`${serve.url}/wechat/component?timestamp=1`, 'GET'), 400, 'rejected:no-echostr'],
    ];
    for (const [what, send, status, outcome] of cases) {
      const before = serve.logger.lines.length;
      const res = await send();
      t.equal(res.status, status, `${what}: ${status}`);
      const lines = serve.logger.lines.slice(before);
      t.equal(lines.length, 1, `${what}: one log line`);
      t.equal(lines[0]?.fields.outcome, outcome, `${what}: the log names the check`);
      t.equal(lines[0]?.fields.status, status);
    }
    t.equal((await db.knex('wxplat_callback_inbox').count({ n: '*' }).first())!.n == 0, true, 'nothing was stored');

    // A body declared bigger than 64 KiB is refused before it is read.
    const huge = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ default: http }) => {
        const r = http.request(url(path, good.query), { method: 'POST', headers: { 'content-length': String(10 * 1024 * 1024) } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        r.on('error', reject);
        r.write('<xml>');
      });
    });
    t.equal(huge, 413, 'declared too large: 413 without reading it');

    // GET echostr with a good signature answers echostr; /healthz reports the database.
    const q = echoQuery(ts);
    t.same(await request(`${serve.url}/wechat/component?${q}`, 'GET'), { status: 200, body: 'e4c0' });
    t.same(await request(`${serve.url}${path}?${q}`, 'GET'), { status: 200, body: 'e4c0' });
    const echoed = await fetch(`${serve.url}/wechat/component?${q}`);
    t.equal(echoed.headers.get('x-content-type-options'), 'nosniff', 'the echoed text is not sniffed as anything else');
    await echoed.arrayBuffer();
    const health = await request(`${serve.url}/healthz`, 'GET');
    t.equal(health.status, 200);
    const h = JSON.parse(health.body);
    t.equal(h.status, 'ok');
    t.equal(h.database.dialect, tdb.kind);
    t.equal(h.database.reachable, true);
    t.equal(h.inbox.pending, 0);
    t.notMatch(health.body, /127\.0\.0\.1|wxplat_test|sqlite3|root/, 'nothing about where the database is');
  }),
);

t.test('duplicates are stored once: retries, and copies arriving at once on two receivers', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    await addAccount(db);
    // A second process: its own connection(s) to the same database.
    const db2 = await openDatabase(tdb.target);
    t.teardown(() => db2.close());
    const a = await serveFor(t, db, { process: false });
    const b = await serveFor(t, db2, { process: false, clock: a.clock });
    const now = a.clock.now();
    const path = `/wechat/accounts/${ACCOUNT_APPID}`;

    const xml = receiptXml(now, '3717005636572528642');
    for (let i = 0; i < 3; i++) t.same(await post(a.url, signedPost(path, xml, { now })), SUCCESS, `retry ${i}`);
    let rows = await db.knex('wxplat_callback_inbox').orderBy('id');
    t.equal(rows.length, 1, 'three sends, one row');
    t.same(
      a.logger.lines.filter((l) => l.message.startsWith('POST')).map((l) => l.fields.outcome),
      ['stored', 'duplicate', 'duplicate'],
    );
    t.equal(Number(rows[0].retries), 2, 'the two copies are counted as retries');

    // 40 pushes, each sent 4 times at once, split over the two receivers.
    const sends = [];
    for (let i = 0; i < 40; i++) {
      const x = receiptXml(now, String(9_000_000_000_000_000_000n + BigInt(i)));
      for (let copy = 0; copy < 4; copy++) sends.push(post(copy % 2 ? b.url : a.url, signedPost(path, x, { now })));
    }
    const answers = await Promise.all(sends);
    t.ok(answers.every((r) => r.status === 200 && r.body === 'success'), 'every copy answered success');
    rows = await db.knex('wxplat_callback_inbox').orderBy('id');
    t.equal(rows.length, 41, 'each push stored once');
    const outcomes = [...a.logger.lines, ...b.logger.lines].filter((l) => l.message.startsWith('POST')).map((l) => l.fields.outcome);
    t.equal(outcomes.filter((o) => o === 'stored').length, 41);
    t.equal(outcomes.filter((o) => o === 'duplicate').length, 2 + 120);
    // The id each answer logged (given by the INSERT when every row was new, read back otherwise) is its row's.
    const logged = new Map<number, number>();
    for (const l of [...a.logger.lines, ...b.logger.lines].filter((x) => x.message.startsWith('POST'))) logged.set(Number(l.fields.id), (logged.get(Number(l.fields.id)) ?? 0) + 1);
    t.same(
      rows.map((r) => logged.get(Number(r.id)) ?? 0),
      [3, ...Array.from({ length: 40 }, () => 4)],
      'every copy of a push logged its row id',
    );
    t.ok(a.writer.stats.largestBatch > 1, 'requests that arrive together share one INSERT');
  }),
);

t.test('without its database the receiver acknowledges nothing: 503, and /healthz says so', (t) =>
  eachDatabase(t, async (t, tdb) => {
    await openTestDatabase(t, tdb);
    const db = await openDatabase(tdb.target);
    const serve = await serveFor(t, db, { processor: { idleMs: 10 } });
    const now = serve.clock.now();
    await db.close();
    const answer = await post(serve.url, signedPost(`/wechat/accounts/${ACCOUNT_APPID}`, receiptXml(now, '5'), { now }));
    t.equal(answer.status, 503, 'not stored, so not success: WeChat sends it again');
    t.equal(answer.body, 'inbox unavailable\n');
    const line = serve.logger.lines.find((l) => l.message.startsWith('POST'))!;
    t.equal(line.level, 'error');
    t.equal(line.fields.outcome, 'db-error');
    const health = await request(`${serve.url}/healthz`, 'GET');
    t.equal(health.status, 503);
    t.same(JSON.parse(health.body).database.reachable, false);
    await until(() => serve.logger.lines.some((l) => l.message === 'inbox processing failed'), 'the processor to notice');
    await serve.stop();
    t.pass('stops while the database is away');
  }),
);

t.test('receiving: a callback request makes the receiver busy (processing yields to it); health probes do not', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    await addAccount(db);
    // A gap longer than the test: "busy" cannot run out between the request and the check.
    const serve = await serveFor(t, db, { receivingGapMs: 600_000 });
    const now = serve.clock.now();
    t.equal(serve.receiving(), false, 'nothing received yet');
    t.equal((await request(`${serve.url}/healthz`, 'GET')).status, 200);
    t.equal(serve.receiving(), false, 'a load balancer probing /healthz is not a burst of callbacks');
    t.same(await post(serve.url, signedPost(`/wechat/accounts/${ACCOUNT_APPID}`, receiptXml(now, '71'), { now })), SUCCESS);
    t.equal(serve.receiving(), true, 'after a callback: busy until the gap has passed');
  }),
);

t.test('stopping: requests in flight are answered (and stored) before the receiver ends', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    await addAccount(db);
    const serve = await serveFor(t, db);
    const now = serve.clock.now();
    const path = `/wechat/accounts/${ACCOUNT_APPID}`;
    let answered = 0;
    const requests = Array.from({ length: 40 }, (_, i) =>
      post(serve.url, signedPost(path, receiptXml(now, String(8_000_000_000_000_000_000n + BigInt(i))), { now })).finally(() => answered++),
    );
    // Stop as soon as the first request is being handled: the rest are in flight or queued.
    await until(() => serve.logger.lines.some((l) => l.message.startsWith('POST')) || serve.writer.stats.batches > 0, 'the first request', 30_000);
    const unanswered = 40 - answered;
    const stopped = serve.stop();
    const answers = await Promise.allSettled(requests);
    await stopped;
    const ok = answers.filter((a) => a.status === 'fulfilled' && a.value.status === 200 && a.value.body === 'success').length;
    const refused = answers.filter((a) => a.status === 'rejected').length;
    t.ok(unanswered > 0, `${unanswered} of 40 requests were unanswered when the receiver began to stop`);
    t.equal(ok + refused, 40, 'each request was answered success or never accepted (no 5xx, no answer cut off)');
    t.ok(ok >= 1, `${ok} answered before the end`);
    const handled = serve.logger.lines.filter((l) => l.message.startsWith('POST'));
    t.equal(handled.length, ok, 'every request the receiver began to handle was answered success');
    t.ok(handled.every((l) => l.fields.status === 200));
    const stored = Number((await db.knex('wxplat_callback_inbox').count({ n: '*' }).first())!.n);
    t.ok(stored >= ok, 'every success is stored');
    t.equal(serve.writer.stats.rows, stored, 'nothing half-written');
  }),
);
