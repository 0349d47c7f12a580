// Processing from the inbox on both databases: failures and backoff, claims shared by several workers,
// leases that run out, replay, and the authorization edge cases.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { fixedClock } from '../../../src/clock.js';
import { describeMessage } from '../../../src/core/callbacks/message.js';
import { InboxProcessor, type ProcessorOptions } from '../../../src/core/callbacks/processor.js';
import { replayInboxRow } from '../../../src/core/callbacks/replay.js';
import type { Database } from '../../../src/db/database.js';
import { InboxRepository } from '../../../src/db/repositories/inbox.js';
import { TokenRepository } from '../../../src/db/repositories/tokens.js';
import type { InboxRoute } from '../../../src/db/rows.js';
import { toSqlDateTime } from '../../../src/db/time.js';
import { FailedError, NotFoundError } from '../../../src/errors.js';
import { parseFlatXml } from '../../../src/wechat/xml.js';
import { eachDatabase, openTestDatabase } from '../../helpers/databases.js';
import {
  ACCOUNT_APPID,
  COMPONENT,
  authorizationXml,
  eventXml,
  memoryLogger,
  receiptXml,
  startFakeWeChat,
  subscriptionXml,
  unauthorizedXml,
  until,
  wechatFor,
} from './helpers.js';

type Clock = ReturnType<typeof fixedClock>;

async function store(db: Database, clock: Clock, route: InboxRoute, xml: string, appid: string | null = null): Promise<number> {
  const m = describeMessage(route, appid, parseFlatXml(xml), clock.now());
  const [s] = await new InboxRepository(db.knex, db.dialect).store(
    [{ dedupeKey: m.dedupeKey, route, appid: m.appid, eventType: m.eventType, messageTime: m.messageTime, openid: null, decryptedXml: xml }],
    `test-${Math.random()}`,
    clock.now(),
  );
  return s.id;
}

function processorFor(db: Database, clock: Clock, options: ProcessorOptions & { apiBase?: string } = {}) {
  const logger = memoryLogger();
  const processor = new InboxProcessor(
    { db, clock, logger, componentAppid: COMPONENT.appid, wechat: wechatFor(db, options.apiBase ?? 'http://127.0.0.1:9', clock) },
    { random: () => 0.5, ...options },
  );
  return Object.assign(processor, { logger });
}

async function addAccount(db: Database, appid = ACCOUNT_APPID): Promise<number> {
  const [id] = await db.knex('official_accounts').insert({ appid, nickname: 'test', status: 1, created_at: '2026-01-01 00:00:00' });
  return Number(id);
}

t.test('a failed row stays pending with its error and is tried again after a backoff', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const clock = fixedClock(new Date('2026-11-28T08:00:00Z'));
    const inbox = new InboxRepository(db.knex, db.dialect);
    const p = processorFor(db, clock);
    const id = await store(db, clock, 'account', subscriptionXml(clock.now(), 'subscribe', 'oEarly'), ACCOUNT_APPID);

    t.equal(await p.runOnce(), 1);
    let row = (await inbox.findById(id))!;
    t.equal(row.state, 'pending');
    t.equal(row.attempts, 1);
    t.match(row.lastError, /no account with appid wxf8b4f85f3a794e77/);
    t.same(row.nextAttemptAt, new Date(clock.now().getTime() + 10_000), 'the first backoff: 10 s');
    t.equal(await p.runOnce(), 0, 'not due yet');

    await addAccount(db);
    clock.advance(10_000);
    t.equal(await p.runOnce(), 1);
    row = (await inbox.findById(id))!;
    t.equal(row.state, 'done');
    t.equal(row.attempts, 2);
    t.equal(row.lastError, null);
    t.match(row.outcome, /new follower/);
    t.equal((await db.knex('official_account_users').where('openid', 'oEarly').first()).status, 1);
  }),
);

t.test('after the last attempt, or when the message cannot be processed, the row is failed', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const clock = fixedClock(new Date('2026-11-28T08:00:00Z'));
    const inbox = new InboxRepository(db.knex, db.dialect);
    const p = processorFor(db, clock, { backoff: { baseMs: 1000, maxMs: 1000, maxAttempts: 2 } });

    const broken = eventXml({ ToUserName: 'gh_1', FromUserName: 'o1', CreateTime: 1, MsgType: 'event', Event: 'TEMPLATESENDJOBFINISH', Status: 'success' });
    const a = await store(db, clock, 'account', broken, ACCOUNT_APPID);
    const b = await store(db, clock, 'account', subscriptionXml(clock.now(), 'unsubscribe', 'oX'), ACCOUNT_APPID);
    const good = await store(db, clock, 'account', receiptXml(clock.now(), '123'), ACCOUNT_APPID);
    await p.runOnce();
    const ra = (await inbox.findById(a))!;
    t.equal(ra.state, 'failed', 'no MsgID: failed at once');
    t.match(ra.lastError, /no numeric MsgID/);
    t.equal((await inbox.findById(b))!.state, 'pending', 'first failure: pending');
    t.equal((await inbox.findById(good))!.state, 'done', 'a bad row does not hold up the good one in its batch');
    clock.advance(2000);
    await p.runOnce();
    const rb = (await inbox.findById(b))!;
    t.equal(rb.state, 'failed', 'the second and last attempt failed');
    t.equal(rb.attempts, 2);
    clock.advance(3_600_000);
    t.equal(await p.runOnce(), 0, 'failed rows are not tried again automatically');
    t.ok(p.logger.lines.some((l) => l.level === 'warn' && l.fields.retry === 'no (failed)'));
  }),
);

t.test('several workers share one database: each row is processed once', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const clock = fixedClock(new Date('2026-11-28T08:00:00Z'));
    await storeReceipts(db, clock, 300, 5_000_000_000_000_000_000n);
    // Three worker processes at once, each with its own connection(s) to the same database, each taking
    // at most 100 rows: every one of them takes part.
    const script = fileURLToPath(new URL('./drain-worker.ts', import.meta.url));
    const runs = [0, 1, 2].map(() => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, tdb.url, clock.now().toISOString(), '25', '100'], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      return {
        child,
        ready: () => out.startsWith('ready\n'),
        done: new Promise<{ claimed: number; processed: number }>((resolve, reject) =>
          child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length))) : reject(new Error(`worker exited ${code}`)))),
        ),
      };
    });
    t.teardown(() => runs.forEach((r) => r.child.kill()));
    await until(() => runs.every((r) => r.ready()), 'the three workers to connect');
    // MySQL: the receipts table is locked until all three hold a batch of claimed rows at once (each
    // then waits to write its receipts). SQLite has one writer at a time: a claim there is a write
    // transaction, so claims cannot overlap; the cap above is what makes all three share the rows.
    const release = db.dialect === 'mysql' ? await holdReceipts(db) : null;
    for (const r of runs) r.child.stdin.write('go\n');
    if (release) {
      await until(async () => (await workersHoldingClaims(db, tdb.name)) === 3, 'the three workers to hold claims at once');
      t.pass('three workers held claimed rows at the same time');
      await release();
    }
    const results = await Promise.all(runs.map((r) => r.done));
    t.comment(`claims per worker: ${results.map((r) => r.claimed).join(', ')}`);
    t.ok(results.every((r) => r.claimed > 0), 'each worker processed a part');
    t.equal(results.reduce((a, r) => a + r.claimed, 0), 300, 'claimed 300 times in all');
    t.equal(results.reduce((a, r) => a + r.processed, 0), 300, 'processed 300 times in all');
    t.equal(Number((await db.knex('wechat_message_receipt_records').count({ n: '*' }).first())!.n), 300, 'one receipt per row');
    t.equal(Number((await db.knex('wxplat_callback_inbox').where('state', 'done').count({ n: '*' }).first())!.n), 300);
  }),
);

t.test('one processor with several workers takes batches at once and processes each row once', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const clock = fixedClock(new Date('2026-11-28T08:00:00Z'));
    await storeReceipts(db, clock, 300, 6_000_000_000_000_000_000n);
    const p = processorFor(db, clock, { batchSize: 25, workers: 3, gatherMs: 0, idleMs: 20 });
    // MySQL: with the receipts table locked, each worker's batch waits inside its transaction, so all
    // three are seen holding rows at once (the third finds its rows past the first two's, which it
    // cannot lock). SQLite: its one writer at a time makes the workers take turns.
    const release = db.dialect === 'mysql' ? await holdReceipts(db) : null;
    p.start();
    t.teardown(() => p.stop());
    if (release) {
      await until(async () => (await workersHoldingClaims(db, tdb.name)) === 3, 'three workers of one processor to hold batches at once');
      t.pass('three batches held at the same time');
      await release();
    }
    await until(async () => Number((await db.knex('wxplat_callback_inbox').where('state', 'pending').count({ n: '*' }).first())!.n) === 0, 'every row processed');
    await p.stop();
    t.equal(p.stats.processed, 300, 'processed 300 times in all');
    t.equal(Number((await db.knex('wechat_message_receipt_records').count({ n: '*' }).first())!.n), 300, 'one receipt per row');
    t.equal(Number((await db.knex('wxplat_callback_inbox').where({ state: 'done', attempts: 1 }).count({ n: '*' }).first())!.n), 300, 'each row done at its first attempt');
  }),
);

/** Stores `count` receipts for distinct msgids from `firstMsgid` on, in one batch. */
async function storeReceipts(db: Database, clock: Clock, count: number, firstMsgid: bigint): Promise<void> {
  const entries = [];
  for (let i = 0; i < count; i++) {
    const xml = receiptXml(clock.now(), String(firstMsgid + BigInt(i)));
    const m = describeMessage('account', ACCOUNT_APPID, parseFlatXml(xml), clock.now());
    entries.push({ dedupeKey: m.dedupeKey, route: 'account' as const, appid: ACCOUNT_APPID, eventType: m.eventType, messageTime: m.messageTime, openid: null, decryptedXml: xml });
  }
  await new InboxRepository(db.knex, db.dialect).store(entries, 'bulk', clock.now());
}

/** Locks the receipts table (a connection of its own) until the returned function is called. */
async function holdReceipts(db: Database): Promise<() => Promise<void>> {
  const conn = await db.knex.client.acquireConnection();
  const query = (sql: string) => new Promise((resolve, reject) => conn.query(sql, (err: Error | null, rows: unknown) => (err ? reject(err) : resolve(rows))));
  await query('LOCK TABLES wechat_message_receipt_records WRITE');
  return async () => {
    await query('UNLOCK TABLES');
    await db.knex.client.releaseConnection(conn);
  };
}

/**
 * Worker connections waiting to write the receipts of a batch: each is inside the transaction that
 * holds the batch's claimed rows (the receipts are written in it).
 */
async function workersHoldingClaims(db: Database, schema: string): Promise<number> {
  const [rows] = await db.knex.raw(
    `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST
      WHERE DB = ? AND STATE = 'Waiting for table metadata lock' AND INFO LIKE 'insert into \`wechat_message_receipt_records\`%'`,
    [schema],
  );
  return Number(rows[0].n);
}

t.test('receipts processed together have the effects of one at a time', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const clock = fixedClock(new Date('2026-11-28T08:00:00Z'));
    const inbox = new InboxRepository(db.knex, db.dialect);
    const mine = await addAccount(db);
    const theirs = await addAccount(db, 'wx00000000000000cc');
    const delivery = (id: number, account: number, msgid: string) => ({
      send_record_id: id, job_id: 1, official_account_id: account, openid: `o${id}`, client_msg_id: `c${id}`, state: 'sent', msgid, attempts: 1, updated_at: toSqlDateTime(clock.now()),
    });
    // Another account's send shares a msgid with ours: only ours is settled.
    await db.knex('wxplat_send_deliveries').insert([delivery(1, mine, '111'), delivery(2, theirs, '222'), delivery(3, mine, '222'), delivery(4, mine, '333')]);
    const ids = [];
    for (const [msgid, status] of [['111', 'success'], ['222', 'failed:user block'], ['999', 'success'], ['333', 'failed:freq limit']] as const) {
      ids.push(await store(db, clock, 'account', receiptXml(clock.now(), msgid, status, `o${msgid}`), ACCOUNT_APPID));
    }
    const sub = await store(db, clock, 'account', subscriptionXml(clock.now(), 'subscribe', 'oMixed'), ACCOUNT_APPID);
    ids.push(await store(db, clock, 'account', receiptXml(clock.now(), '111', 'failed: system failed', 'o111b'), ACCOUNT_APPID));
    t.equal(await processorFor(db, clock).runOnce(), 6);
    const rows = await Promise.all(ids.map((id) => inbox.findById(id)));
    t.same(rows.map((r) => r!.state), ['done', 'done', 'done', 'done', 'done']);
    t.same(
      rows.map((r) => r!.outcome!.replace(/receipt \d+/, 'receipt N')),
      ['receipt N; send 1 delivered', 'receipt N; send 3 blocked', 'receipt N; no send with msgid 999', 'receipt N; send 4 system-failed', 'receipt N; send 1 system-failed'],
    );
    t.equal((await inbox.findById(sub))!.state, 'done', 'a row of another type in the same batch');
    const states = Object.fromEntries((await db.knex('wxplat_send_deliveries').select('send_record_id', 'state')).map((d) => [d.send_record_id, d.state]));
    t.same(states, { 1: 'system-failed', 2: 'sent', 3: 'blocked', 4: 'system-failed' }, 'the later receipt of msgid 111 wins, as one at a time');
    const receipts = await db.knex('wechat_message_receipt_records').orderBy('wechat_message_receipt_record_id');
    t.same(receipts.map((r) => [r.msg_id, r.status]), [['111', 1], ['222', 2], ['999', 1], ['333', 4], ['111', 3]]);
    // Each row's outcome names its own receipt (ids read back from one multi-row INSERT).
    const expected = [['111', 'o111'], ['222', 'o222'], ['999', 'o999'], ['333', 'o333'], ['111', 'o111b']];
    for (const [i, row] of rows.entries()) {
      const receiptId = Number(/receipt (\d+)/.exec(row!.outcome!)![1]);
      const r = receipts.find((x) => Number(x.wechat_message_receipt_record_id) === receiptId);
      t.same([r?.msg_id, r?.from_user_name], expected[i], `row ${i} names its receipt`);
    }
    const linked = await db.knex('wxplat_send_deliveries').where('send_record_id', 1).first();
    t.equal(Number(linked.receipt_record_id), Number(receipts[4].wechat_message_receipt_record_id));
  }),
);

t.test('a claim that runs out goes to another worker; the first one can no longer finish it', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const clock = fixedClock(new Date('2026-11-28T08:00:00Z'));
    const inbox = new InboxRepository(db.knex, db.dialect, db);
    const id = await store(db, clock, 'account', receiptXml(clock.now(), '42'), ACCOUNT_APPID);
    const now = clock.now();
    const claimed = await inbox.claimIds([id], 'dead-worker/1', now, new Date(now.getTime() + 60_000));
    t.same(claimed.map((e) => e.id), [id]);
    const p = processorFor(db, clock);
    t.equal(await p.runOnce(), 0, 'claimed rows are not taken while the claim lasts');
    t.same(await replayInboxRow({ db, clock, logger: memoryLogger(), componentAppid: COMPONENT.appid, wechat: wechatFor(db, 'http://127.0.0.1:9') }, id).catch((e) => e.constructor), FailedError, 'replay refuses a row another worker holds');
    clock.advance(61_000);
    t.equal(await p.runOnce(), 1, 'due again once the claim ran out');
    t.equal((await inbox.findById(id))!.state, 'done');
    t.equal(await inbox.finish(id, 'dead-worker/1', 'done', 'late', clock.now()), false, 'the old claim finishes nothing');
    t.equal((await inbox.findById(id))!.outcome, 'receipt 1; no send with msgid 42');
  }),
);

t.test('events replay runs one row again, whatever its state', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const clock = fixedClock(new Date('2026-11-28T08:00:00Z'));
    const deps = { db, clock, logger: memoryLogger(), componentAppid: COMPONENT.appid, wechat: wechatFor(db, 'http://127.0.0.1:9') };
    const id = await store(db, clock, 'account', subscriptionXml(clock.now(), 'subscribe', 'oReplay'), ACCOUNT_APPID);
    let result = await replayInboxRow(deps, id);
    t.equal(result.state, 'pending', 'the account is unknown: it fails');
    t.match(result.error, /no account/);
    t.ok(result.retryAt);
    await addAccount(db);
    result = await replayInboxRow(deps, id);
    t.equal(result.state, 'done', 'replayed before its retry was due');
    t.equal(result.attempts, 2);
    result = await replayInboxRow(deps, id);
    t.equal(result.state, 'done', 'a done row runs again');
    t.match(result.outcome, /follower unchanged/);
    await t.rejects(replayInboxRow(deps, 9999), NotFoundError);
  }),
);

t.test('authorization events: a retry after a half-done attempt, recovery, and order', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const wechat = await startFakeWeChat(t);
    const clock = fixedClock(new Date('2026-11-28T08:00:00Z'));
    const inbox = new InboxRepository(db.knex, db.dialect);
    await new TokenRepository(db.knex, clock).saveTicket(COMPONENT.appid, 'ticket@@@x', clock.now());
    const p = processorFor(db, clock, { apiBase: wechat.url });

    // The code is exchanged, then fetching the profile fails: the retry finds the code spent (61009)
    // and goes on with the tokens it stored.
    wechat.codes.set('queryauthcode@@@a', ACCOUNT_APPID);
    wechat.failNext('cgi-bin/component/api_get_authorizer_info', 61004);
    const id = await store(db, clock, 'component', authorizationXml(clock.now(), 'authorized', ACCOUNT_APPID, 'queryauthcode@@@a'));
    await p.runOnce();
    let row = (await inbox.findById(id))!;
    t.equal(row.state, 'pending');
    t.match(row.lastError, /61004/);
    t.equal((await db.knex('official_accounts').where('appid', ACCOUNT_APPID)).length, 0);
    clock.advance(10_000);
    await p.runOnce();
    row = (await inbox.findById(id))!;
    t.equal(row.state, 'done', row.lastError ?? '');
    t.match(row.outcome, /created/);
    t.equal(wechat.calls['cgi-bin/component/api_query_auth'], 2);
    t.equal((await db.knex('official_accounts').where({ appid: ACCOUNT_APPID, status: 1 })).length, 1);

    // A spent code and no tokens here, but WeChat lists the authorization: recovered from the list.
    const other = 'wx00000000000000aa';
    wechat.listed.set(other, 'refreshtoken@@@listed');
    const id2 = await store(db, clock, 'component', authorizationXml(clock.now(), 'authorized', other, 'queryauthcode@@@lost'));
    await p.runOnce();
    row = (await inbox.findById(id2))!;
    t.equal(row.state, 'done', row.lastError ?? '');
    t.equal((await db.knex('wxplat_authorizer_tokens').where('authorizer_appid', other).first()).refresh_token, 'refreshtoken@@@listed');

    // A spent code, no tokens, not listed: nothing more to try.
    const id3 = await store(db, clock, 'component', authorizationXml(clock.now(), 'authorized', 'wx00000000000000bb', 'queryauthcode@@@never'));
    await p.runOnce();
    row = (await inbox.findById(id3))!;
    t.equal(row.state, 'failed');
    t.match(row.lastError, /must authorize again/);

    // Order: an unauthorized made later wins over an authorized processed after it, and the other way round.
    const base = clock.now().getTime();
    const un = await store(db, clock, 'component', unauthorizedXml(new Date(base + 60_000), ACCOUNT_APPID));
    await p.runOnce();
    t.equal((await inbox.findById(un))!.state, 'done');
    t.equal((await db.knex('official_accounts').where('appid', ACCOUNT_APPID).first()).status, -2);
    wechat.codes.set('queryauthcode@@@old', ACCOUNT_APPID);
    const old = await store(db, clock, 'component', authorizationXml(new Date(base + 30_000), 'updateauthorized', ACCOUNT_APPID, 'queryauthcode@@@old'));
    await p.runOnce();
    row = (await inbox.findById(old))!;
    t.equal(row.state, 'ignored');
    t.match(row.outcome, new RegExp(`superseded by the later unauthorized event in inbox row ${un}`));
    t.equal((await db.knex('official_accounts').where('appid', ACCOUNT_APPID).first()).status, -2, 'still removed');

    wechat.codes.set('queryauthcode@@@new', ACCOUNT_APPID);
    const again = await store(db, clock, 'component', authorizationXml(new Date(base + 90_000), 'authorized', ACCOUNT_APPID, 'queryauthcode@@@new'));
    await p.runOnce();
    t.equal((await inbox.findById(again))!.state, 'done');
    t.equal((await db.knex('official_accounts').where('appid', ACCOUNT_APPID).first()).status, 1, 'authorized again');
    const stale = await store(db, clock, 'component', unauthorizedXml(new Date(base + 45_000), ACCOUNT_APPID));
    await p.runOnce();
    t.equal((await inbox.findById(stale))!.state, 'ignored', 'an older unauthorized changes nothing');
    t.equal((await db.knex('official_accounts').where('appid', ACCOUNT_APPID).first()).status, 1);
    t.ok((await db.knex('wxplat_authorizer_tokens').where('authorizer_appid', ACCOUNT_APPID).first()).refresh_token);
    t.equal(toSqlDateTime(clock.now()), '2026-11-28 08:00:10');
  }),
);
