// `wxplat user sync` and `wxplat user list` on both databases against the sandbox: the summary (human
// and --json), paging (--limit, --after by id or openid, --all, --json), bad input (exit 2, nothing
// changed), -1 faults during a sync, and the real binary killed with SIGKILL mid-sync, then run again:
// it carries on from its checkpoint and the end state is right.
import t from 'tap';
import { FAST_RETRY, startWorld, startWxplat as start, type World } from '../../helpers/world.js';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { until } from '../../helpers/wait.js';


async function counts(world: World, accountId: number) {
  const rows: Array<{ status: number; n: number | string }> = await world.db
    .knex('official_account_users')
    .where('official_account_id', accountId)
    .groupBy('status')
    .select('status')
    .count({ n: '*' });
  const byStatus = Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
  const distinct = (await world.db.knex('official_account_users').where('official_account_id', accountId).countDistinct({ n: 'openid' }))[0] as { n: number };
  return { byStatus, distinctOpenids: Number(distinct.n) };
}

t.test('user sync and user list', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid, accountId } = await world.authorize({ followers: 12_345 });
    const env = world.env;
    const opts = { env, overrides: { retry: FAST_RETRY } };
    const openids = world.sandbox.followerOpenids(appid, 0, 12_345);

    await t.test('user list before any sync says what to do', async (t) => {
      const r = await runCli(['user', 'list', appid], opts);
      t.equal(r.code, 0, r.stderr);
      t.equal(r.stdout, '');
      t.match(r.stderr, new RegExp(`no followers stored for account ${accountId} .*wxplat user sync ${accountId}`));
      const j = await runCli(['user', 'list', appid, '--json'], opts);
      t.same(JSON.parse(j.stdout), []);
    });

    await t.test('bad input: exit 2, nothing changed', async (t) => {
      const cases: Array<[string[], RegExp]> = [
        [['user', 'sync', 'wx0000000000000000'], /no account matches "wx0000000000000000"/],
        [['user', 'sync', 'nonsense!'], /is not an account/],
        [['user', 'sync', '9999'], /no account matches "9999"/],
        [['user', 'sync'], /missing <account>/],
        [['user', 'sync', appid, '--concurrency', '0'], /--concurrency must be a whole number from 1 to 64/],
        [['user', 'sync', appid, '--concurrency', 'many'], /--concurrency must be a whole number/],
        [['user', 'list', 'wx0000000000000000'], /no account matches/],
        [['user', 'list', appid, '--limit', '0'], /--limit must be a whole number from 1 to 10000/],
        [['user', 'list', appid, '--limit', '10001'], /--limit must be/],
        [['user', 'list', appid, '--limit', 'x'], /--limit must be/],
        [['user', 'list', appid, '--after', 'no such thing!'], /--after .* is neither a row id nor an openid/],
        [['user', 'list', appid, '--after', 'oNotAFollowerOfThisAccount00'], /has no follower oNotAFollowerOfThisAccount00/],
      ];
      for (const [argv, message] of cases) {
        const r = await runCli(argv, opts);
        t.equal(r.code, 2, `${argv.join(' ')} → exit 2 (${r.stderr.trim()})`);
        t.match(r.stderr, message);
        t.equal(r.stdout, '');
      }
      const json = await runCli(['user', 'sync', '777', '--json'], opts);
      t.equal(json.code, 2);
      t.match(JSON.parse(json.stderr), { error: { exitCode: 2, message: /no account matches "777"/ } });
      t.equal(world.sandbox.log.count('cgi-bin/user/get'), 0, 'WeChat was not asked');
      t.equal(Number((await world.db.knex('official_account_users').count({ n: '*' }))[0].n), 0, 'nothing stored');
    });

    await t.test('the first sync: summary as lines', async (t) => {
      const r = await runCli(['user', 'sync', appid], opts);
      t.equal(r.code, 0, r.stderr);
      t.match(r.stdout, new RegExp(`followers of ${accountId} ${appid}.*: pass 1 complete`));
      t.match(r.stdout, /12,345 following \(WeChat counts 12,345\): 12,345 new, 0 following again; 0 no longer following \(marked -2\)/);
      t.match(r.stdout, /this run: 12,345 followers in [\d.]+ s \([\d,]+\/s\), 3 user\/get and 124 batchget calls/);
      t.notMatch(r.stdout, /\u001b\[/, 'no colour when piped');
      t.equal(r.stderr, '', 'no progress bar without a terminal');
    });

    await t.test('user list pages through the followers', async (t) => {
      const first = await runCli(['user', 'list', appid, '--limit', '5'], opts);
      t.equal(first.code, 0, first.stderr);
      // Piped: id, openid, subscribed, scene, unionid, remark, tags, tab-separated.
      t.match(first.stdout, new RegExp(`^\\d+\\t${openids[0]}\\t\\d{4}-\\d\\d-\\d\\d\\t[A-Z_]+\\t\\S+\\t\\t$`, 'm'));
      for (const o of openids.slice(0, 5)) t.match(first.stdout, o);
      t.notMatch(first.stdout, openids[5]);
      const more = /more: wxplat user list \d+ --after (\d+) --limit 5/.exec(first.stderr);
      t.ok(more, first.stderr);

      const page1 = JSON.parse((await runCli(['user', 'list', appid, '--limit', '5', '--json'], opts)).stdout);
      t.equal(page1.length, 5);
      t.same(
        page1.map((f: { openid: string }) => f.openid),
        openids.slice(0, 5),
        "in WeChat's order (the order the rows were written)",
      );
      t.match(page1[0], { id: Number, openid: openids[0], following: true, unionid: String, subscribeScene: /^ADD_SCENE_/, tags: [], remark: null });
      t.match(page1[0].subscribedAt, /^\d{4}-\d\d-\d\dT/);
      t.notOk('nickname' in page1[0] || 'headimgurl' in page1[0] || 'sex' in page1[0], 'nothing WeChat no longer returns');
      t.equal(String(page1[4].id), more![1], 'the hint names the last id');

      const page2 = JSON.parse((await runCli(['user', 'list', appid, '--limit', '5', '--after', String(page1[4].id), '--json'], opts)).stdout);
      t.same(
        page2.map((f: { openid: string }) => f.openid),
        openids.slice(5, 10),
      );
      const byOpenid = JSON.parse((await runCli(['user', 'list', String(accountId), '--limit', '3', '--after', openids[4], '--json'], opts)).stdout);
      t.same(
        byOpenid.map((f: { openid: string }) => f.openid),
        openids.slice(5, 8),
        '--after an openid',
      );

      // Walk everything with --after: every follower once.
      let after: string | undefined;
      const seen = new Set<string>();
      for (;;) {
        const argv = ['user', 'list', appid, '--limit', '5000', '--json', ...(after ? ['--after', after] : [])];
        const page = JSON.parse((await runCli(argv, opts)).stdout) as Array<{ id: number; openid: string }>;
        for (const f of page) seen.add(f.openid);
        if (page.length < 5000) break;
        after = String(page[page.length - 1].id);
      }
      t.equal(seen.size, 12_345);
      const end = await runCli(['user', 'list', appid, '--after', String(Number.MAX_SAFE_INTEGER)], opts);
      t.equal(end.code, 0);
      t.match(end.stderr, /no more followers/);
    });

    await t.test('unfollows, follows again, new followers; --json summary; --all', async (t) => {
      for (const o of openids.slice(0, 20)) world.sandbox.unsubscribe(appid, o);
      world.sandbox.setFollowers(appid, 12_400);
      const r = await runCli(['user', 'sync', appid, '--json'], opts);
      t.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      t.match(s, {
        account: { id: accountId, appid },
        generation: 2,
        state: 'done',
        total: 12_380,
        following: 12_380,
        added: 55,
        refollowed: 0,
        unfollowed: 20,
        duplicatesRetired: 0,
        startedAt: /T/,
        finishedAt: /T/,
        run: { resumed: false, resumedAfter: 0, followers: 12_380, pages: 2, requests: { userGet: 3, batchget: 124 }, skipped: 0, adopted: 0 },
      });
      t.type(s.run.seconds, 'number');
      t.same(await counts(world, accountId), { byStatus: { '1': 12_380, '-2': 20 }, distinctOpenids: 12_400 });

      const following = JSON.parse((await runCli(['user', 'list', appid, '--limit', '3', '--json'], opts)).stdout);
      t.same(
        following.map((f: { openid: string }) => f.openid),
        openids.slice(20, 23),
        'those gone are not listed',
      );
      const all = JSON.parse((await runCli(['user', 'list', appid, '--limit', '3', '--all', '--json'], opts)).stdout);
      t.match(all[0], { openid: openids[0], following: false });
      t.notOk('status' in all[0], 'following says it: no status beside it');
      const human = await runCli(['user', 'list', appid, '--limit', '2', '--all'], opts);
      t.match(human.stdout, new RegExp(`${openids[0]}\\tno\\t`), 'piped: the following column says no');

      for (const o of openids.slice(0, 5)) world.sandbox.subscribe(appid, o);
      const again = JSON.parse((await runCli(['user', 'sync', appid, '--json'], opts)).stdout);
      t.match(again, { generation: 3, following: 12_385, added: 0, refollowed: 5, unfollowed: 0 });
      t.same(await counts(world, accountId), { byStatus: { '1': 12_385, '-2': 15 }, distinctOpenids: 12_400 });
    });

    await t.test('a progress bar on a terminal, on stderr only; none with --json', async (t) => {
      const tty = await runCli(['user', 'sync', appid], { ...opts, stderrTTY: true });
      t.equal(tty.code, 0, tty.stderr);
      // "starting…" until WeChat says how many, then the bar.
      t.match(tty.stderr, /followers: starting…/);
      t.notMatch(tty.stderr, /0\/0/, 'never 0/0 100%');
      t.match(tty.stderr, /followers \[.*\] 12,385\/12,385 100%/);
      t.notMatch(tty.stdout, /followers \[/);
      const json = await runCli(['user', 'sync', appid, '--json'], { ...opts, stderrTTY: true });
      t.equal(json.stderr, '');
      t.match(JSON.parse(json.stdout), { generation: 5, following: 12_385 });
    });

    await t.test('-1 faults during a sync: retried, the result complete', async (t) => {
      world.sandbox.faults.set({ errorRate: 0.25 });
      world.sandbox.log.reset();
      const r = await runCli(['user', 'sync', appid, '--json'], opts);
      world.sandbox.faults.clear();
      t.equal(r.code, 0, r.stderr);
      t.ok(world.sandbox.log.errors(-1) > 10, `${world.sandbox.log.errors(-1)} answers of -1`);
      t.match(JSON.parse(r.stdout), { generation: 6, following: 12_385, added: 0, refollowed: 0, unfollowed: 0 });
      t.same(await counts(world, accountId), { byStatus: { '1': 12_385, '-2': 15 }, distinctOpenids: 12_400 });
    });

    await t.test('WeChat failing throughout: exit 1 naming the error, and the next run carries on', async (t) => {
      world.sandbox.faults.set({ errorRate: 1 });
      const r = await runCli(['user', 'sync', appid], opts);
      world.sandbox.faults.clear();
      t.equal(r.code, 1);
      t.match(r.stderr, /follower sync of account .* stopped after 0 followers of .*-1 system error/);
      t.match(r.stderr, /run `wxplat user sync \d+` again to carry on/);
      t.notMatch(r.stderr, /internal error/);
      const ok = JSON.parse((await runCli(['user', 'sync', appid, '--json'], opts)).stdout);
      t.match(ok, { generation: 7, following: 12_385, run: { resumed: true } });
    });
  }),
);

t.test('Ctrl-C mid-sync: exit 130, the pages written kept, the next run carries on', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb, { sandbox: { latencyMs: 3 } });
    const { appid, accountId } = await world.authorize({ followers: 30_000 });
    const opts = { env: world.env, overrides: { retry: FAST_RETRY } };
    const controller = new AbortController();
    const running = runCli(['user', 'sync', appid], { ...opts, signal: controller.signal });
    await until(async () => {
      const cp = await world.db.knex('wxplat_follower_syncs').where('official_account_id', accountId).first();
      return Boolean(cp && cp.pages >= 1);
    }, 'a page of the sync committed');
    controller.abort();
    const r = await running;
    t.equal(r.code, 130, r.stderr);
    // It ends as an interrupted send does: what was done, then "stopped: interrupted"; no error.
    t.match(r.stdout, /^followers of account .*: [\d,]+ of 30,000 written\n {2}stopped: interrupted; run `wxplat user sync \d+` again to carry on/);
    t.notMatch(r.stderr, /error|internal/);
    const cp = await world.db.knex('wxplat_follower_syncs').where('official_account_id', accountId).first();
    t.match(cp, { state: 'running', lease_owner: null, last_error: 'interrupted' });
    const again = JSON.parse((await runCli(['user', 'sync', appid, '--json'], opts)).stdout);
    t.match(again, { generation: 1, following: 30_000, added: 30_000, run: { resumed: true, resumedAfter: Number(cp.seen) } });
  }),
);

t.test('kill -9 mid-sync, run again: it carries on and the end state is right', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const N = 45_000;
    const world = await startWorld(t, tdb, { sandbox: { latencyMs: 4 } });
    const { appid, accountId } = await world.authorize({ followers: N });
    const openids = world.sandbox.followerOpenids(appid, 0, N);
    // A first sync, then changes: the killed pass must mark these only once it is complete.
    const first = await start(world, ['user', 'sync', appid, '--json']).done;
    t.equal(first.code, 0, first.stderr);
    for (const o of openids.slice(100, 130)) world.sandbox.unsubscribe(appid, o);
    world.sandbox.setFollowers(appid, N + 500);

    const checkpoint = () => world.db.knex('wxplat_follower_syncs').where('official_account_id', accountId).first();
    const run = start(world, ['user', 'sync', appid, '--json']);
    // Once a page of the second pass is committed, WeChat slows to 3 s an answer: the pass cannot end
    // before the kill, however fast this machine is.
    await until(async () => {
      const cp = await checkpoint();
      return cp.generation === 2 && cp.pages >= 1;
    }, 'a page of the second pass committed');
    world.sandbox.faults.set({ latencyMs: 3000 });
    run.child.kill('SIGKILL');
    const killed = await run.done;
    world.sandbox.faults.set({ latencyMs: 4 });
    t.equal(killed.signal, 'SIGKILL', 'killed mid-way');
    const cp = await checkpoint();
    t.match(cp, { generation: 2, state: 'running' }, 'the pass was not complete');
    t.ok(cp.pages >= 1 && cp.pages < 5, `killed after ${cp.pages} of 5 pages`);
    t.ok(cp.lease_owner, 'the dead run still holds the lease');
    t.same((await counts(world, accountId)).byStatus, { '1': N + Number(cp.added) }, 'nobody marked -2 by an incomplete pass');

    world.sandbox.log.reset();
    const again = await start(world, ['user', 'sync', appid, '--json']).done;
    t.equal(again.code, 0, again.stderr);
    const s = JSON.parse(again.stdout);
    t.match(s, { generation: 2, following: N + 470, added: 500, unfollowed: 30, run: { resumed: true, resumedAfter: Number(cp.seen) } });
    t.equal(s.run.followers, N + 470 - Number(cp.seen), 'only the rest was walked');
    t.equal(world.sandbox.log.count('cgi-bin/user/get'), 5 - Number(cp.pages) + 1, 'from the page after the checkpoint');
    t.same(await counts(world, accountId), { byStatus: { '1': N + 470, '-2': 30 }, distinctOpenids: N + 500 });
    const dup = await world.db
      .knex('official_account_users')
      .where('official_account_id', accountId)
      .groupBy('openid')
      .havingRaw('count(*) > 1')
      .select('openid');
    t.same(dup, [], 'one row an openid');
  }),
);
