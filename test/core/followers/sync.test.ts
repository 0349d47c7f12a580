// syncFollowers called directly, on both databases against the sandbox: tens of thousands of
// followers, unfollows between syncs marked -2 and follows again 1, new followers, events and syncs
// agreeing on one row an openid, an interrupted pass carried on (and nobody marked -2 before the pass
// is complete), -1 faults, a second sync of the same account refused, rows written by other software
// taken in (duplicates retired), and the lease of a dead process taken over.
import t from 'tap';
import type { Test } from 'tap';
import { syncFollowers, type SyncSummary } from '../../../src/core/followers/sync.js';
import { AccountRepository } from '../../../src/db/repositories/accounts.js';
import { FollowerRepository, FollowerSyncRepository, lockFollowers } from '../../../src/db/repositories/followers.js';
import { writeTransaction } from '../../../src/db/locks.js';
import { toSqlDateTime } from '../../../src/db/time.js';
import { eachDatabase } from '../../helpers/databases.js';
import { startWorld, type World } from '../../helpers/world.js';

const FAST = { patience: { retries: 6, baseDelayMs: 1, maxDelayMs: 5 } };

async function setup(t: Test, tdb: Parameters<Parameters<typeof eachDatabase>[1]>[1], followers: number) {
  const world = await startWorld(t, tdb);
  const { appid, accountId } = await world.authorize({ followers });
  const account = (await new AccountRepository(world.db.knex).findById(accountId))!;
  const sync = (options: Parameters<typeof syncFollowers>[2] = {}, signal = new AbortController().signal, onProgress?: Parameters<typeof syncFollowers>[0]['onProgress']) =>
    syncFollowers({ db: world.db, wechat: world.wechat, clock: world.clock, signal, onProgress, sleep: async () => {} }, account, { ...FAST, ...options });
  return { world, appid, accountId, account, sync };
}

/** status → count, for the account's production rows. */
async function statuses(world: World, accountId: number): Promise<Record<string, number>> {
  const rows: Array<{ status: number; n: number | string }> = await world.db
    .knex('official_account_users')
    .where('official_account_id', accountId)
    .groupBy('status')
    .select('status')
    .count({ n: '*' });
  return Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
}

async function statusOf(world: World, accountId: number, openid: string): Promise<number | undefined> {
  const row = await new FollowerRepository(world.db.knex).find(accountId, openid);
  return row ? Number(row.status) : undefined;
}

async function duplicates(world: World, accountId: number): Promise<number> {
  const rows = await world.db
    .knex('wxplat_followers')
    .where('official_account_id', accountId)
    .groupBy('openid')
    .havingRaw('count(*) > 1')
    .select('openid');
  return rows.length;
}

/** wxplat_followers rows whose production row (same id) is of another account or openid. */
async function mismatched(world: World): Promise<number> {
  const rows = await world.db
    .knex('wxplat_followers as f')
    .leftJoin('official_account_users as u', 'u.official_account_user_id', 'f.official_account_user_id')
    .whereNull('u.official_account_user_id')
    .orWhereRaw('u.official_account_id <> f.official_account_id')
    .orWhereRaw('u.openid <> f.openid')
    .count({ n: '*' });
  return Number(rows[0].n);
}

t.test('follower sync (core)', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const N = 25_000;
    const { world, appid, accountId, sync } = await setup(t, tdb, N);
    const { sandbox, db } = world;
    const openids = sandbox.followerOpenids(appid, 0, N);

    let first: SyncSummary;
    await t.test('the first sync: every follower, status 1, what WeChat still returns', async (t) => {
      const progress: number[] = [];
      first = await syncFollowers(
        { db, wechat: world.wechat, clock: world.clock, signal: new AbortController().signal, onProgress: (p) => p.phase === 'walking' && progress.push(p.done) },
        (await new AccountRepository(db.knex).findById(accountId))!,
        FAST,
      );
      t.match(first, { generation: 1, state: 'done', total: N, following: N, added: N, refollowed: 0, unfollowed: 0, duplicatesRetired: 0 });
      t.match(first.run, { resumed: false, followers: N, pages: 3, requests: { userGet: 4, batchget: 250 }, skipped: 0 });
      t.same(progress, [10_000, 20_000, 25_000], 'progress a page at a time');
      t.same(await statuses(world, accountId), { '1': N });
      t.equal(await duplicates(world, accountId), 0);
      const row = await db.knex('official_account_users').where({ official_account_id: accountId, openid: openids[7] }).first();
      t.equal(row.user_wx_info_id, null, 'no user_wx_infos link: WeChat returns nothing that table holds');
      t.equal(Number((await db.knex('user_wx_infos').count({ n: '*' }))[0].n), 0, 'and no user_wx_infos rows');
      const f = await db.knex('wxplat_followers').where('official_account_user_id', row.official_account_user_id).first();
      t.match(f, { openid: openids[7], seen_generation: 1, remark: null, tagid_list: '[]' });
      t.match(f.unionid, /^o[\w-]{20,}/);
      t.match(f.subscribe_scene, /^ADD_SCENE_/);
      t.match(String(f.subscribe_time), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      t.equal(Number((await db.knex('wxplat_followers').where('official_account_id', accountId).count({ n: '*' }))[0].n), N);
      t.equal(await mismatched(world), 0, 'each wxplat_followers row names the production row of its openid');
    });

    await t.test('unfollows become -2, follows again 1, new followers added', async (t) => {
      for (const o of openids.slice(0, 30)) sandbox.unsubscribe(appid, o);
      sandbox.setFollowers(appid, N + 120);
      const second = await sync();
      t.match(second, { generation: 2, total: N + 120 - 30, following: N + 90, added: 120, refollowed: 0, unfollowed: 30 });
      t.same(await statuses(world, accountId), { '1': N + 90, '-2': 30 });
      t.equal(await statusOf(world, accountId, openids[0]), -2);
      t.equal(await statusOf(world, accountId, openids[30]), 1);

      for (const o of openids.slice(0, 10)) sandbox.subscribe(appid, o);
      const third = await sync();
      t.match(third, { generation: 3, following: N + 100, added: 0, refollowed: 10, unfollowed: 0 });
      t.same(await statuses(world, accountId), { '1': N + 100, '-2': 20 });
      t.equal(await statusOf(world, accountId, openids[0]), 1, 'following again: the same row');
      t.equal(await duplicates(world, accountId), 0);
      t.equal(
        Number((await db.knex('official_account_users').where({ official_account_id: accountId, openid: openids[0] }).count({ n: '*' }))[0].n),
        1,
        'one row an openid',
      );
    });

    await t.test('events and syncs keep one row an openid', async (t) => {
      const event = (openid: string, status: number, at: Date) =>
        writeTransaction(db, async (trx) => {
          await lockFollowers(trx, db.dialect, accountId, toSqlDateTime(at));
          return new FollowerRepository(trx).setSubscription(accountId, openid, status, toSqlDateTime(at));
        });
      // A follower the sync knows unfollows by event, then a new one follows by event before WeChat lists them.
      // (Two seconds ago: an event in the second a page is read counts as newer than the page.)
      const earlier = new Date(world.clock.now().getTime() - 2_000);
      const gone = await event(openids[50], -2, earlier);
      t.match(gone, { created: false, previous: 1 });
      sandbox.setFollowers(appid, N + 121);
      const newcomer = sandbox.followerOpenids(appid, N + 100, 1)[0]; // the last: 20 of the first N are unfollowed
      const made = await event(newcomer, 1, earlier);
      t.match(made, { created: true, previous: null });
      // WeChat still lists openids[50] (the sandbox was not told): the sync's newer word puts it back.
      const s = await sync();
      t.match(s, { added: 0, refollowed: 1 });
      t.equal(await statusOf(world, accountId, newcomer), 1);
      t.equal(
        Number((await db.knex('official_account_users').where({ official_account_id: accountId, openid: newcomer }).count({ n: '*' }))[0].n),
        1,
        'the event made the row; the sync found it',
      );
      t.equal(await duplicates(world, accountId), 0);
    });

    await t.test('an event processed after the page was read wins over the page', async (t) => {
      const repo = new FollowerSyncRepository(db);
      const begun = await repo.begin(accountId, 'test:1:a', world.clock.now(), 60_000);
      t.equal(begun.kind, 'begun');
      const pass = { accountId, generation: Number((begun as { row: { generation: number } }).row.generation), owner: 'test:1:a', leaseMs: 60_000 };
      const fetchedAt = new Date(world.clock.now().getTime() - 5_000);
      const eventAt = toSqlDateTime(new Date(world.clock.now().getTime() - 2_000));
      await writeTransaction(db, async (trx) => {
        await lockFollowers(trx, db.dialect, accountId, eventAt);
        await new FollowerRepository(trx).setSubscription(accountId, openids[60], -2, eventAt);
      });
      const counts = await repo.writePage(pass, {
        followers: [{ openid: openids[60], unionid: 'u', subscribeTime: null, subscribeScene: null, qrScene: null, qrSceneStr: null, remark: null, tagidList: null }],
        fetchedAt,
        nextOpenid: openids[60],
        total: 1,
        now: world.clock.now(),
      });
      t.match(counts, { added: 0, refollowed: 0, written: 1 });
      t.equal(await statusOf(world, accountId, openids[60]), -2, 'the unsubscribe stands');
      await repo.release(pass, world.clock.now());
      // The pass left running is carried on by the next sync, which restores what WeChat says.
      const s = await sync({ restart: true });
      t.equal(s.run.resumed, false, '--restart begins a new pass');
      t.equal(await statusOf(world, accountId, openids[60]), 1);
    });
  }),
);

t.test('an interrupted pass carries on, and marks nobody -2 before it is complete', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const N = 32_000;
    const { world, appid, accountId, sync } = await setup(t, tdb, N);
    const { sandbox, db } = world;
    const openids = sandbox.followerOpenids(appid, 0, N);
    await sync();
    for (const o of openids.slice(25_000, 25_010)) sandbox.unsubscribe(appid, o);
    sandbox.log.reset();

    const controller = new AbortController();
    const stopped = await sync({}, controller.signal, (p) => {
      if (p.phase === 'walking' && p.done >= 10_000) controller.abort();
    }).then(
      () => null,
      (err) => err,
    );
    t.ok(stopped, 'the run ended early');
    t.equal(stopped.exitCode, 130);
    t.match(stopped.message, /interrupted after 10000 followers of 31990.*again to carry on/);
    const cp = await new FollowerSyncRepository(db).checkpoint(accountId);
    t.match(cp, { generation: 2, state: 'running', pages: 1, seen: 10_000, lease_owner: null, last_error: 'interrupted' });
    t.same(await statuses(world, accountId), { '1': N }, 'nobody marked -2 yet');

    sandbox.log.reset();
    const resumed = await sync();
    t.match(resumed, { generation: 2, following: N - 10, added: 0, unfollowed: 10 });
    t.match(resumed.run, { resumed: true, resumedAfter: 10_000, followers: N - 10 - 10_000, pages: 3, requests: { userGet: 4 } });
    t.equal(sandbox.log.count('cgi-bin/user/get'), 4, 'the second run asked for the pages after the checkpoint only');
    t.same(await statuses(world, accountId), { '1': N - 10, '-2': 10 });
  }),
);

t.test('-1 from WeChat: retried; a sync that cannot go on keeps its place', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const N = 21_000;
    const { world, accountId, sync } = await setup(t, tdb, N);
    const { sandbox } = world;
    sandbox.faults.set({ errorRate: 0.4 });
    const s = await sync();
    t.match(s, { following: N, added: N });
    t.ok(sandbox.log.errors(-1) > 50, `WeChat answered -1 ${sandbox.log.errors(-1)} times`);
    t.same(await statuses(world, accountId), { '1': N });

    // Failing for good after the first page: exit 1, the page kept, the next run carries on.
    // Slow enough that the second page is still being fetched when the first is written.
    sandbox.faults.set({ errorRate: 0, latencyMs: 20 });
    let pages = 0;
    const controller = new AbortController();
    const failed = await syncFollowers(
      {
        db: world.db,
        wechat: world.wechat,
        clock: world.clock,
        signal: controller.signal,
        sleep: async () => {},
        onProgress: (p) => {
          if (p.phase === 'walking' && ++pages === 1) sandbox.faults.set({ errorRate: 1 });
        },
      },
      (await new AccountRepository(world.db.knex).findById(accountId))!,
      { ...FAST, concurrency: 1 },
    ).then(
      () => null,
      (err) => err,
    );
    t.ok(failed);
    t.equal(failed.exitCode, 1);
    t.match(failed.message, /stopped after 10000 followers of 21000: WeChat cgi-bin\/user.*-1 system error/);
    t.match(failed.hint, /again to carry on/);
    const cp = (await new FollowerSyncRepository(world.db).checkpoint(accountId))!;
    t.match(cp, { state: 'running', lease_owner: null });
    t.equal(cp.seen, 10_000, 'the page written before is kept');
    t.match(cp.last_error, /-1/);
    sandbox.faults.clear();
    const after = await sync();
    t.match(after, { generation: 2, following: N, unfollowed: 0 });
    t.match(after.run, { resumed: true, resumedAfter: cp.seen, followers: N - cp.seen });
  }),
);

t.test('one sync of an account at a time; a dead owner is taken over', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const { world, accountId, sync } = await setup(t, tdb, 300);
    const repo = new FollowerSyncRepository(world.db);
    const os = await import('node:os');
    // A live owner (this process) on this host holds the lease.
    const held = await repo.begin(accountId, `${os.hostname()}:${process.pid}:other`, world.clock.now(), 60_000);
    t.equal(held.kind, 'begun');
    const busy = await sync().then(
      () => null,
      (err) => err,
    );
    t.equal(busy?.exitCode, 1);
    t.match(busy?.message, /another wxplat process .* is syncing the followers/);
    // The same lease, held by a process of this host that is gone: taken at once.
    await world.db.knex('wxplat_follower_syncs').where('official_account_id', accountId).update({ lease_owner: `${os.hostname()}:999999:dead` });
    const s = await sync();
    t.match(s, { generation: 1, following: 300 });
    t.equal(s.run.resumed, true, 'the dead run\'s pass is carried on');
  }),
);

t.test('rows written by other software are taken in; duplicates retired', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const { world, appid, accountId, sync } = await setup(t, tdb, 50);
    const { db, sandbox } = world;
    const openids = sandbox.followerOpenids(appid, 0, 50);
    const stamp = '2020-01-01 00:00:00';
    await db.knex('official_account_users').insert([
      { official_account_id: accountId, openid: openids[0], status: 1, created_at: stamp, user_wx_info_id: 7 },
      { official_account_id: accountId, openid: openids[0], status: 1, created_at: stamp },
      { official_account_id: accountId, openid: openids[1], status: -2, created_at: stamp },
      { official_account_id: accountId, openid: 'oGoneLongAgo000000000000000', status: 1, created_at: stamp },
    ]);
    const oldest = (await db.knex('official_account_users').where('openid', openids[0]).orderBy('official_account_user_id').first()).official_account_user_id;
    const s = await sync();
    t.match(s, { following: 50, added: 48, refollowed: 1, unfollowed: 1, duplicatesRetired: 1 });
    t.equal(s.run.adopted, 3);
    const rows = await db.knex('official_account_users').where('openid', openids[0]).orderBy('official_account_user_id');
    t.same(
      rows.map((r: { status: number }) => Number(r.status)),
      [1, -2],
      'the oldest row is the follower; the second is retired',
    );
    t.equal(rows[0].official_account_user_id, oldest);
    t.equal(rows[0].user_wx_info_id, 7, 'an existing user_wx_infos link is kept');
    t.equal(await statusOf(world, accountId, 'oGoneLongAgo000000000000000'), -2);
    t.same(await statuses(world, accountId), { '1': 50, '-2': 2 });
  }),
);

t.test('ids of new rows read back when the server does not promise consecutive ones', (t) =>
  eachDatabase(
    t,
    async (t, tdb) => {
      const { world, appid, accountId } = await setup(t, tdb, 2500);
      const other = await world.authorize({ followers: 10 });
      const repo = new FollowerSyncRepository(world.db);
      (repo as unknown as { consecutive: boolean }).consecutive = false;
      const begun = await repo.begin(accountId, 'test:1:b', world.clock.now(), 60_000);
      const pass = { accountId, generation: Number((begun as { row: { generation: number } }).row.generation), owner: 'test:1:b', leaseMs: 60_000 };
      const openids = world.sandbox.followerOpenids(appid, 0, 2500);
      // Another account's rows first, so that the ids do not start at 1.
      await world.db.knex('official_account_users').insert(world.sandbox.followerOpenids(other.appid, 0, 10).map((openid) => ({ official_account_id: other.accountId, openid, status: 1 })));
      const details = openids.map((openid) => ({ openid, unionid: null, subscribeTime: null, subscribeScene: null, qrScene: null, qrSceneStr: null, remark: null, tagidList: null }));
      t.match(await repo.writePage(pass, { followers: details, fetchedAt: world.clock.now(), nextOpenid: openids[2499], total: 2500, now: world.clock.now() }), { added: 2500 });
      t.equal(await mismatched(world), 0);
    },
    ['mysql'],
  ),
);

t.test('values written into statements or bound come back as they were', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const { world, appid, accountId } = await setup(t, tdb, 3);
    const repo = new FollowerSyncRepository(world.db);
    const begun = await repo.begin(accountId, 'test:1:c', world.clock.now(), 60_000);
    const pass = { accountId, generation: Number((begun as { row: { generation: number } }).row.generation), owner: 'test:1:c', leaseMs: 60_000 };
    const [a, b, c] = world.sandbox.followerOpenids(appid, 0, 3) as [string, string, string];
    const base = { unionid: null, subscribeTime: null, subscribeScene: null, qrScene: null, qrSceneStr: null, remark: null, tagidList: null };
    const details = [
      { ...base, openid: a, remark: "O'Neil \\ 张三 ? ?? --", qrSceneStr: "x'); DROP TABLE official_account_users; --", qrScene: 4_294_967_295, tagidList: '[2,101]' },
      { ...base, openid: b, remark: 'plain_remark-1', subscribeScene: 'ADD_SCENE_OTHERS', subscribeTime: '2021-12-27 00:00:00', unionid: 'oUnion_-0' },
      { ...base, openid: c, remark: '\u0000\n\t"', qrSceneStr: '`;`' },
    ];
    for (const round of [1, 2]) {
      // Round 1 inserts, round 2 updates the same rows.
      await repo.writePage(pass, { followers: details, fetchedAt: world.clock.now(), nextOpenid: c, total: 3, now: world.clock.now() });
      const rows = await world.db.knex('wxplat_followers').where('official_account_id', accountId).orderBy('official_account_user_id');
      t.same(
        rows.map((r: Record<string, unknown>) => [r.openid, r.remark, r.qr_scene_str, r.qr_scene === null ? null : Number(r.qr_scene), r.tagid_list, r.subscribe_scene, r.subscribe_time, r.unionid]),
        details.map((d) => [d.openid, d.remark, d.qrSceneStr, d.qrScene, d.tagidList, d.subscribeScene, d.subscribeTime, d.unionid]),
        `round ${round}`,
      );
    }
    t.equal(Number((await world.db.knex('official_account_users').count({ n: '*' }))[0].n), 3);
  }),
);
