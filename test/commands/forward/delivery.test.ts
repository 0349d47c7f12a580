// Forwarding through the real binary: `wxplat serve` takes WeChat's pushes and delivers them to a real
// HTTP service by the rules — signed, retried, marked dead, sent again on `forward retry --dead`, a
// reply rule answering WeChat within the budget, nothing lost on kill -9, and two hosts delivering each
// event once.
import t, { type Test } from 'tap';
import { openDatabase, type Database } from '../../../src/db/database.js';
import { verifyForward } from '../../../src/core/forwarding/request.js';
import { openReply } from '../../../src/core/callbacks/trigger.js';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase, mysqlOnly, type TestDatabase } from '../../helpers/databases.js';
import { startSink, type Sink, type SinkRequest } from '../../helpers/sink.js';
import {
  ACCOUNT_APPID,
  ACCOUNT_ORIGINAL_ID,
  COMPONENT,
  addAccount,
  authorizationXml,
  eventXml,
  post,
  signedPost,
  subscriptionXml,
  until,
} from '../../core/callbacks/helpers.js';
import { serveBinary, serveEnv, type ServeBinary } from '../serve/helpers.js';

const SUCCESS = { status: 200, body: 'success' };
const ACCOUNT_PATH = `/wechat/accounts/${ACCOUNT_APPID}`;

async function setUp(t: Test, tdb: TestDatabase): Promise<{ env: Record<string, string>; db: Database }> {
  const env = serveEnv(tdb);
  t.equal((await runCli(['db', 'migrate'], { env })).code, 0);
  const db = await openDatabase(tdb.target);
  t.teardown(() => db.close());
  await addAccount(db);
  return { env, db };
}

async function addRule(t: Test, env: Record<string, string>, args: string[]): Promise<{ id: number; secret: string }> {
  const r = await runCli(['forward', 'add', ...args, '--json'], { env });
  t.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  return { id: doc.rule.id, secret: doc.secret };
}

async function started(t: Test, env: Record<string, string>): Promise<ServeBinary & { base: string }> {
  const serve = serveBinary(env);
  t.teardown(() => {
    if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL');
  });
  return Object.assign(serve, { base: await serve.url });
}

function text(now: Date, content: string, msgId: bigint, openid = 'oTexter'): string {
  return eventXml({ ToUserName: ACCOUNT_ORIGINAL_ID, FromUserName: openid, CreateTime: BigInt(Math.floor(now.getTime() / 1000)), MsgType: 'text', Content: content, MsgId: msgId });
}

function click(now: Date, key: string): string {
  return eventXml({ ToUserName: ACCOUNT_ORIGINAL_ID, FromUserName: 'oClicker', CreateTime: BigInt(Math.floor(now.getTime() / 1000)), MsgType: 'event', Event: 'CLICK', EventKey: key });
}

/** Clicks until a rule just added to a running serve (whose service is `sink`) has taken one. */
async function clickUntilTaken(base: string, sink: Sink): Promise<void> {
  await until(async () => {
    const at = new Date();
    await post(base, signedPost(ACCOUNT_PATH, click(at, `K${at.getTime()}`), { now: at }));
    return sink.requests.length > 0;
  }, 'serve to take the new rule', 30_000);
}

/**
 * Until the rule has deliveries and every one of them is dead, with no stored push still waiting to have
 * its deliveries made (the forwarder makes them after the push's commit): else a delivery made later
 * could go dead after the test's `forward retry --dead`, which retries only what is dead when it runs.
 */
async function untilAllDead(db: Database, ruleId: number): Promise<void> {
  await until(async () => {
    const unqueued = await db.knex('wxplat_callback_inbox').where('forward_state', 'pending');
    if (unqueued.length > 0) return false;
    const rows = await db.knex('wxplat_forward_deliveries').where({ rule_id: ruleId });
    return rows.length >= 1 && rows.every((r: { state: string }) => r.state === 'dead');
  }, 'its deliveries dead', 60_000);
}

const signedBy = (secret: string, r: SinkRequest) => verifyForward(secret, String(r.headers['x-wxplat-timestamp']), r.body, String(r.headers['x-wxplat-signature']));

t.test('async rules: each matching push delivered, signed, as XML or JSON; authorization codes withheld; nothing secret sent', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const { env, db } = await setUp(t, tdb);
    const sink = await startSink(t);
    const xmlRule = await addRule(t, env, ['--to', `${sink.url}/cs/$APPID$`, '--msg-type', 'text', '--event', 'CLICK']);
    const jsonRule = await addRule(t, env, ['--to', `${sink.url}/orders`, '--event', 'subscribe', '--format', 'json', '--appid', ACCOUNT_APPID]);
    const authRule = await addRule(t, env, ['--to', `${sink.url}/audit`, '--route', 'component', '--info-type', 'authorized', '--format', 'json']);
    await addRule(t, env, ['--to', `${sink.url}/other`, '--appid', 'wx0123456789abcdef']);
    const serve = await started(t, env);
    const now = new Date();
    const pushes = [
      [ACCOUNT_PATH, text(now, '你好 <b>&', 22994982940022977n)],
      [ACCOUNT_PATH, click(now, 'MENU_A')],
      [ACCOUNT_PATH, subscriptionXml(now, 'subscribe', 'oNewFollower')],
      [ACCOUNT_PATH, subscriptionXml(now, 'unsubscribe', 'oLeaver')],
      ['/wechat/component', authorizationXml(now, 'authorized', ACCOUNT_APPID, 'queryauthcode@@@secretcode')],
    ] as const;
    for (const [path, xml] of pushes) t.same(await post(serve.base, signedPost(path, xml, { now })), SUCCESS);
    await sink.until((rs) => rs.length >= 4, 'four deliveries');

    const byPath = (p: string) => sink.requests.filter((r) => r.path === p);
    const cs = byPath(`/cs/${ACCOUNT_APPID}`);
    t.equal(cs.length, 2, 'the text and the click, not the subscribe');
    const decrypted = (await db.knex('wxplat_callback_inbox').orderBy('id')).map((r: { decrypted_xml: string }) => r.decrypted_xml);
    t.equal(cs.find((r) => r.body.includes('MsgType><![CDATA[text'))!.body, decrypted[0], 'the message as WeChat sent it');
    for (const r of cs) {
      t.ok(signedBy(xmlRule.secret, r), 'signed with the rule secret');
      t.notOk(signedBy(jsonRule.secret, r), "not with another rule's");
      t.equal(r.headers['x-wxplat-appid'], ACCOUNT_APPID);
      t.match(r.headers['x-wxplat-event-id'], new RegExp(`^evt_\\d+_${xmlRule.id}$`));
      t.match(r.headers['content-type'], 'text/xml');
    }
    const orders = byPath('/orders');
    t.equal(orders.length, 1);
    t.match(JSON.parse(orders[0].body), { MsgType: 'event', Event: 'subscribe', FromUserName: 'oNewFollower', ToUserName: ACCOUNT_ORIGINAL_ID });
    t.ok(signedBy(jsonRule.secret, orders[0]));
    const audit = byPath('/audit');
    t.equal(audit.length, 1);
    const auth = JSON.parse(audit[0].body);
    t.match(auth, { InfoType: 'authorized', AuthorizerAppid: ACCOUNT_APPID });
    t.notOk('AuthorizationCode' in auth || 'PreAuthCode' in auth, 'the single-use codes are withheld');
    t.ok(signedBy(authRule.secret, audit[0]));
    t.equal(byPath('/other').length, 0, "another account's rule takes nothing");
    const everything = JSON.stringify(sink.requests);
    for (const secret of [COMPONENT.token, COMPONENT.encodingAesKey, COMPONENT.appsecret, 'queryauthcode@@@secretcode', xmlRule.secret, jsonRule.secret]) {
      t.notOk(everything.includes(secret), 'no secret of wxplat in a forwarded request');
    }

    // What the operator sees: delivered rows, and counts per rule.
    await until(async () => Number((await db.knex('wxplat_forward_deliveries').where('state', 'delivered').count({ n: '*' }).first())!.n) === 4, 'outcomes written');
    const tail = await runCli(['records', 'tail', 'forwards', '--json'], { env });
    t.equal(tail.code, 0, tail.stderr);
    const rows = tail.stdout.trim().split('\n').map((l) => JSON.parse(l));
    t.equal(rows.length, 4);
    t.ok(rows.every((r: { state: string; lastStatus: number; attempts: number }) => r.state === 'delivered' && r.lastStatus === 200 && r.attempts === 1));
    const human = await runCli(['records', 'tail', 'forwards'], { env });
    t.match(human.stdout, /delivered .*rule 1 · async → .*\/cs\/\$APPID\$ · evt_\d+_1/);
    const list = JSON.parse((await runCli(['forward', 'list', '--json'], { env })).stdout);
    t.same(list.map((r: { backlog: { delivered: number } }) => r.backlog.delivered), [2, 1, 1, 0]);
    serve.child.kill('SIGTERM');
    t.equal((await serve.exit).code, 0);
  }),
);

t.test('a service that fails for a while gets every push once it recovers, with the same event id; one that never does ends dead', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const { env, db } = await setUp(t, tdb);
    const sink = await startSink(t, { status: 503, body: 'not now' });
    await addRule(t, env, ['--to', `${sink.url}/flaky`, '--msg-type', 'text']);
    const serve = await started(t, env);
    const now = new Date();
    t.same(await post(serve.base, signedPost(ACCOUNT_PATH, text(now, 'one', 1n), { now })), SUCCESS);
    t.same(await post(serve.base, signedPost(ACCOUNT_PATH, text(now, 'two', 2n), { now })), SUCCESS);
    await sink.until((rs) => rs.length >= 2, 'the first attempts');
    // A failed attempt is waiting for its next one: shown as retrying, and doctor still passes (young).
    await until(async () => (await db.knex('wxplat_forward_deliveries').where('attempts', 1).whereNull('lease_owner').whereNotNull('last_status')).length === 2, 'failures recorded');
    const retrying = await runCli(['records', 'tail', 'forwards', '--status', 'retrying', '--json'], { env });
    t.equal(retrying.stdout.trim().split('\n').length, 2);
    t.match(JSON.parse(retrying.stdout.trim().split('\n')[0]), { state: 'pending', retrying: true, lastStatus: 503, lastError: 'HTTP 503: not now' });
    sink.answer = {};
    await sink.until((rs) => rs.filter((r) => r.path === '/flaky').length >= 4, 'the second attempts');
    await until(async () => (await db.knex('wxplat_forward_deliveries').where('state', 'delivered')).length === 2, 'both delivered');
    const ids = new Map<string, number>();
    for (const r of sink.requests) ids.set(String(r.headers['x-wxplat-event-id']), (ids.get(String(r.headers['x-wxplat-event-id'])) ?? 0) + 1);
    t.same([...ids.values()], [2, 2], 'two events, each attempted twice under one event id');

    // A service that never recovers: its deliveries end dead after the retry window.
    const broken = await startSink(t, { status: 500 });
    const dead = await addRule(t, env, ['--to', `${broken.url}/broken`, '--event', 'CLICK', '--retry-for', '2s', '--name', 'broken']);
    await until(async () => (await runCli(['forward', 'list', '--json'], { env })).stdout.includes('"broken"'), 'the rule');
    // Running serve processes pick up new rules within seconds, without a restart.
    await clickUntilTaken(serve.base, broken);
    // Every delivery of the rule ends dead (the clicks sent while serve was picking the rule up too).
    await untilAllDead(db, dead.id);
    const doctor = await runCli(['doctor', '--json'], { env });
    const check = JSON.parse(doctor.stdout).checks.find((c: { name: string }) => c.name === 'forwarding');
    t.equal(check.state, 'fail', 'doctor fails on dead deliveries');
    t.match(check.detail, /dead deliveries: rule \d+ \(broken\) \d+/);
    t.match(check.advice, /forward retry --dead/);
    const deadRows = await runCli(['records', 'tail', 'forwards', '--status', 'dead'], { env });
    t.match(deadRows.stdout, /dead .*rule broken .*HTTP 500/);
    // Fixed: forward retry --dead sends them again.
    broken.answer = {};
    const before = broken.requests.length;
    const retry = await runCli(['forward', 'retry', '--dead', '--rule', 'broken'], { env });
    t.equal(retry.code, 0, retry.stderr);
    t.match(retry.stdout, /^\d+ dead deliveries of rule \d+ due again now/);
    await until(async () => (await db.knex('wxplat_forward_deliveries').where({ rule_id: dead.id }).whereNot('state', 'delivered')).length === 0, 'every one delivered');
    t.ok(broken.requests.length > before, 'sent again');
    const after = JSON.parse((await runCli(['doctor', '--json'], { env })).stdout).checks.find((c: { name: string }) => c.name === 'forwarding');
    t.equal(after.state, 'ok');
  }),
);

t.test('a reply rule answers WeChat with the encrypted reply; a slow one gets success within the budget', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const { env, db } = await setUp(t, tdb);
    const reply = '<xml><ToUserName><![CDATA[oTexter]]></ToUserName><FromUserName><![CDATA[gh_eb5e3a772040]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[您好，客服在]]></Content></xml>';
    const sink = await startSink(t, { body: reply, contentType: 'text/xml' });
    const rule = await addRule(t, env, ['--to', `${sink.url}/bot`, '--mode', 'reply', '--msg-type', 'text']);
    const serve = await started(t, env);
    const now = new Date();
    const answer = await post(serve.base, signedPost(ACCOUNT_PATH, text(now, '在吗', 11n), { now }));
    t.equal(answer.status, 200);
    t.equal(openReply(answer.body, COMPONENT), reply, 'the reply, encrypted and signed as WeChat expects');
    t.ok(signedBy(rule.secret, sink.requests[0]));
    // An empty answer or `success`: WeChat gets success.
    sink.answer = { body: 'success' };
    t.same(await post(serve.base, signedPost(ACCOUNT_PATH, text(now, 'two', 12n), { now })), SUCCESS);
    sink.answer = { body: '<html>oops</html>' };
    t.same(await post(serve.base, signedPost(ACCOUNT_PATH, text(now, 'three', 13n), { now })), SUCCESS, 'an answer that is no reply: success');
    // A service that sleeps 10 s: answered success within the budget, while the service still sleeps.
    let answered = 0;
    sink.answer = () => ({ delayMs: 10_000, body: reply });
    const slow = await post(serve.base, signedPost(ACCOUNT_PATH, text(now, 'four', 14n), { now })).then((a) => {
      answered = sink.requests.length;
      return a;
    });
    t.same(slow, SUCCESS);
    t.equal(answered, 4, 'answered after the fourth call began');
    await until(async () => (await db.knex('wxplat_forward_deliveries').where('mode', 'reply')).length === 4, 'four reply records');
    const rows = await db.knex('wxplat_forward_deliveries').where('mode', 'reply').orderBy('inbox_id');
    t.same(rows.map((r: { state: string }) => r.state), ['delivered', 'delivered', 'delivered', 'failed']);
    t.match(rows[2].last_error, /not WeChat XML|not a reply/);
    t.match(rows[3].last_error, /timeout/);
    t.equal((await db.knex('wxplat_forward_deliveries').where('mode', 'async')).length, 0, 'a reply is never retried later');
    const failed = await runCli(['records', 'tail', 'forwards', '--status', 'failed'], { env });
    t.match(failed.stdout, /failed .*reply → .*timeout/);
  }),
);

t.test('kill -9 of serve mid-stream: every acknowledged push that a rule takes reaches the service, under one event id', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const { env, db } = await setUp(t, tdb);
    // A service slower than the pushes come: deliveries are still under way when serve is killed.
    const sink = await startSink(t, { delayMs: 100 });
    await addRule(t, env, ['--to', `${sink.url}/all`]);
    const first = await started(t, env);
    const acknowledged = new Set<string>();
    let next = 0;
    let killed = false;
    const sender = async () => {
      while (!killed) {
        const n = BigInt(++next);
        const now = new Date();
        try {
          const a = await post(first.base, signedPost(ACCOUNT_PATH, text(now, `m${n}`, 5_000_000_000_000_000_000n + n), { now }));
          if (a.status === 200 && a.body === 'success') acknowledged.add(`m${n}`);
        } catch {
          return;
        }
        // Kill once deliveries are under way (on progress, not on time).
        if (!killed && acknowledged.size >= 150 && sink.requests.length >= 20) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, sender));
    t.equal((await first.exit).signal, 'SIGKILL');
    const deliveredBefore = sink.requests.length;
    t.ok(deliveredBefore < acknowledged.size, `killed mid-way: ${deliveredBefore} delivered of ${acknowledged.size} acknowledged`);
    sink.answer = {};
    const second = await started(t, env);
    const contentOf = (r: SinkRequest) => /<Content><!\[CDATA\[(m\d+)\]\]>/.exec(r.body)?.[1];
    await sink.until((rs) => [...acknowledged].every((m) => rs.some((r) => contentOf(r) === m)), 'every acknowledged push delivered', 120_000).catch((err) => {
      t.comment(second.stderr().split('\n').filter((l) => !/ POST /.test(l)).join('\n'));
      throw err;
    });
    const idsByContent = new Map<string, Set<string>>();
    for (const r of sink.requests) {
      const c = contentOf(r)!;
      if (!idsByContent.has(c)) idsByContent.set(c, new Set());
      idsByContent.get(c)!.add(String(r.headers['x-wxplat-event-id']));
    }
    t.ok([...idsByContent.values()].every((ids) => ids.size === 1), 'one event id for each push, however often it was sent');
    // What the killed process held comes due when its lease runs out, and goes again (at least once).
    await until(async () => (await db.knex('wxplat_forward_deliveries').whereNot('state', 'delivered')).length === 0, 'all outcomes written', 90_000);
    second.child.kill('SIGTERM');
    t.equal((await second.exit).code, 0);
  }),
);

t.test('claims run ahead of the requests in flight; what was claimed and not sent is given back when serve stops', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const { env, db } = await setUp(t, tdb);
    // A service that holds each request a while: serve's 64 requests in flight fill up, and it claims more
    // behind them, to start as soon as one ends.
    const sink = await startSink(t, { delayMs: 3000 });
    const rule = await addRule(t, env, ['--to', `${sink.url}/held`]);
    const serve = await started(t, env);
    for (let i = 1; i <= 150; i++) {
      const now = new Date();
      t.same(await post(serve.base, signedPost(ACCOUNT_PATH, text(now, `h${i}`, 6_000_000_000_000_000_000n + BigInt(i)), { now })), SUCCESS, `push ${i}`);
    }
    const held = async () => Number((await db.knex('wxplat_forward_deliveries').where({ rule_id: rule.id }).whereNotNull('lease_owner').count({ n: '*' }).first())!.n);
    const made = async () => Number((await db.knex('wxplat_forward_deliveries').where({ rule_id: rule.id }).count({ n: '*' }).first())!.n);
    // Every push's delivery made (the forwarder queues them in rounds: CI once stopped it 6 short), and
    // claims ahead of the requests in flight.
    await until(async () => sink.requests.length >= 64 && (await made()) === 150 && (await held()) > sink.requests.length, 'claims ahead of the requests in flight');
    t.pass(`claimed ${await held()} with ${sink.requests.length} sent`);
    serve.child.kill('SIGTERM');
    t.equal((await serve.exit).code, 0, 'stops when its requests in flight have ended');
    const rows = (await db.knex('wxplat_forward_deliveries').where({ rule_id: rule.id })) as Array<{ state: string; attempts: number; lease_owner: string | null; next_attempt_at: string }>;
    t.equal(rows.length, 150, 'a delivery for each push');
    t.equal(rows.filter((r) => r.state === 'delivered').length, sink.requests.length, 'each request sent is recorded delivered');
    const unsent = rows.filter((r) => r.state === 'pending');
    t.ok(unsent.length > 0, `${unsent.length} claimed or due and not sent`);
    t.ok(
      unsent.every((r) => r.lease_owner === null && Number(r.attempts) === 0),
      'what was not sent holds no claim and counts no attempt: due for the next serve at once',
    );
  }),
);

t.test('two serve processes on one MariaDB and one service: each event delivered once', (t) =>
  mysqlOnly(t, 'mysql', async (t, tdb) => {
    const { env, db } = await setUp(t, tdb);
    const sink: Sink = await startSink(t);
    await addRule(t, env, ['--to', `${sink.url}/once`]);
    const a = await started(t, env);
    const b = await started(t, env);
    const now = new Date();
    const count = 300;
    await Promise.all(
      Array.from({ length: count }, (_, i) => post(i % 2 ? a.base : b.base, signedPost(ACCOUNT_PATH, text(now, `x${i}`, 6_000_000_000_000_000_000n + BigInt(i)), { now }))),
    );
    await sink.until((rs) => rs.length >= count, `${count} deliveries`, 180_000).catch((err) => {
      t.comment(a.stderr().split('\n').filter((l) => !/ POST /.test(l)).join('\n'));
      t.comment(b.stderr().split('\n').filter((l) => !/ POST /.test(l)).join('\n'));
      throw err;
    });
    await until(async () => (await db.knex('wxplat_forward_deliveries').where('state', 'delivered')).length === count, 'all delivered');
    const ids = sink.requests.map((r) => String(r.headers['x-wxplat-event-id']));
    t.equal(new Set(ids).size, count, 'every event');
    t.equal(ids.length, count, 'each once');
  }),
);

// A receiver that does not process (`--no-process`, or another host) wakes nobody in the forwarding
// process: the forwarder still finds the pushes, within its idle interval. A removed rule's deliveries
// end dead by the operator's choice: doctor no longer fails on them.
t.test('pushes stored by another serve are forwarded; a removed rule stops failing doctor', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const { env, db } = await setUp(t, tdb);
    const sink = await startSink(t, {});
    await addRule(t, env, ['--to', `${sink.url}/texts`, '--msg-type', 'text']);
    const forwarding = await started(t, env);
    const receiving = Object.assign(serveBinary(env, ['--no-process']), {});
    t.teardown(() => {
      if (receiving.child.exitCode === null && receiving.child.signalCode === null) receiving.child.kill('SIGKILL');
    });
    const receiverBase = await receiving.url;
    t.not(receiverBase, forwarding.base);
    const now = new Date();
    t.same(await post(receiverBase, signedPost(ACCOUNT_PATH, text(now, 'via the other one', 71n), { now })), SUCCESS);
    await sink.until((rs) => rs.some((r) => r.path === '/texts' && r.body.includes('via the other one')), 'the forwarding serve to deliver it');

    const broken = await startSink(t, { status: 500 });
    const gone = await addRule(t, env, ['--to', `${broken.url}/broken`, '--event', 'CLICK', '--retry-for', '2s', '--name', 'gone']);
    await clickUntilTaken(forwarding.base, broken);
    await untilAllDead(db, gone.id);
    const forwardingCheck = async () => JSON.parse((await runCli(['doctor', '--json'], { env })).stdout).checks.find((c: { name: string }) => c.name === 'forwarding');
    t.equal((await forwardingCheck()).state, 'fail', 'dead deliveries of a rule in force fail doctor');
    t.equal((await runCli(['forward', 'remove', 'gone'], { env })).code, 0);
    t.match(await forwardingCheck(), { state: 'ok', detail: '1 rule, 0 deliveries waiting, none dead' });
  }),
);
