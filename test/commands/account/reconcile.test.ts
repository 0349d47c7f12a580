// `account reconcile` against the sandbox, on both stores, through the real binary: accounts missing
// or removed here are adopted or restored, one WeChat no longer lists is marked removed, a refresh
// token that differs takes WeChat's, one WeChat refuses (61023) and one never exchanged are left undone
// (exit 3); --dry-run changes nothing; a second run carries on.
import t from 'tap';
import { runCli, spawnCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { startWorld, type World } from '../../helpers/world.js';

async function snapshot(world: World) {
  const accounts = await world.db.knex('official_accounts').select('appid', 'status', 'nickname').orderBy('appid');
  const tokens = await world.db.knex('wxplat_authorizer_tokens').select('authorizer_appid', 'refresh_token', 'needs_reauth').orderBy('authorizer_appid');
  return { accounts, tokens };
}

async function listedTokens(world: World): Promise<Map<string, string | undefined>> {
  const page = await world.wechat.getAuthorizerList(0);
  return new Map(page.list.map((a) => [a.authorizer_appid, a.refresh_token]));
}

t.test('reconcile: adopt, restore, take tokens, mark removed; 61023 and an unexchanged code are left undone', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const knex = world.db.knex;
    const missing = await world.authorize(); // deleted here by hand: adopted
    const removed = await world.authorize(); // removed here: restored
    const stale = await world.authorize(); // a stale refresh token here: WeChat's is taken
    const gone = await world.authorize(); // withdrawn at WeChat, unknown here yet: marked removed
    const fine = await world.authorize(); // in agreement
    const marked = await world.authorize(); // marked dead here, WeChat still takes its token: repaired
    // Authorized at WeChat, but the code was never exchanged: WeChat lists no refresh token.
    const pre = await world.wechat.createPreauthcode();
    const { appid: unexchanged } = await world.sandbox.authorize({ preAuthCode: pre.pre_auth_code });

    await knex('official_accounts').where('appid', missing.appid).del();
    await knex('wxplat_authorizer_tokens').where('authorizer_appid', missing.appid).del();
    t.equal((await runCli(['account', 'remove', removed.appid, '--yes'], { env: world.env })).code, 0);
    await knex('wxplat_authorizer_tokens').where('authorizer_appid', stale.appid).update({ refresh_token: 'refreshtoken@@@stale', needs_reauth: 1, reauth_reason: 'test' });
    await world.sandbox.unauthorize(gone.appid); // no receiver: nothing here knows yet
    await knex('wxplat_authorizer_tokens').where('authorizer_appid', marked.appid).update({ needs_reauth: 1, reauth_reason: 'a lost race' });

    // --dry-run: the plan, nothing changed.
    const before = await snapshot(world);
    const dry = await spawnCli(['account', 'reconcile', '--dry-run'], { env: world.env });
    t.equal(dry.code, 0, dry.stderr);
    t.match(dry.stdout, new RegExp(`${missing.appid}\t—\tadopt\tplanned\tauthorized at WeChat, unknown here: would be adopted`));
    t.match(dry.stdout, new RegExp(`${removed.appid}\t\\d+ 沙箱服务号\\d\trestore\tplanned`));
    t.match(dry.stdout, new RegExp(`${stale.appid}\t.*\ttake WeChat's token\tplanned`));
    t.match(dry.stdout, new RegExp(`${gone.appid}\t.*\tmark removed\tplanned\tnot authorized at WeChat: would be marked removed \\(-2\\)`));
    t.match(dry.stdout, new RegExp(`${unexchanged}\t—\tadopt\tundone\tWeChat lists the authorization without a refresh token`));
    t.match(dry.stdout, new RegExp(`${marked.appid}\t.*\tretry its token\tplanned\tmarked for re-authorization, but WeChat still lists its refresh token`));
    t.notMatch(dry.stdout, fine.appid, 'accounts in agreement are counted, not listed');
    t.match(dry.stdout, /dry run: nothing changed · WeChat lists 6 authorizations \(1 page\): 0 done, 5 planned, 1 left undone, 1 in agreement, 0 ignored/);
    t.same(await snapshot(world), before, 'nothing changed');

    // WeChat refuses the stale account's listed token for now (61023): left undone, nothing of it changes.
    world.sandbox.faults.set({ refuseRefreshToken: stale.appid });
    const run = await spawnCli(['account', 'reconcile', '--json'], { env: world.env });
    t.equal(run.code, 3, run.stderr);
    const summary = JSON.parse(run.stdout);
    t.match(summary, { dryRun: false, listed: 6, pages: 1, counts: { done: 4, planned: 0, undone: 2, unchanged: 1, ignored: 0 }, exitCode: 3 });
    const item = (appid: string) => summary.items.find((i: { appid: string }) => i.appid === appid);
    t.match(item(missing.appid), { action: 'adopt', result: 'done', account: { appid: missing.appid, id: Number } });
    t.match(item(removed.appid), { action: 'restore', result: 'done', account: { id: removed.accountId } });
    t.match(item(gone.appid), { action: 'remove', result: 'done', account: { id: gone.accountId } });
    t.match(item(stale.appid), { action: 'take-token', result: 'undone', errcode: 61023, detail: /WeChat refused its listed refresh token: WeChat cgi-bin\/component\/api_authorizer_token: 61023 refresh_token is invalid \(rid [0-9a-f-]+\)/ });
    t.match(item(unexchanged), { action: 'adopt', result: 'undone', errcode: null });
    t.match(item(fine.appid), { action: 'none', result: 'unchanged' });
    t.match(item(marked.appid), { action: 'repair', result: 'done', detail: /the re-authorization mark is cleared/ });

    const listed = await listedTokens(world);
    const rows = await knex('official_accounts').select('*');
    const row = (appid: string) => rows.find((r: { appid: string }) => r.appid === appid);
    const token = async (appid: string) => knex('wxplat_authorizer_tokens').where('authorizer_appid', appid).first();
    t.match(row(missing.appid), { status: 1, nickname: /^沙箱服务号/, original_id: /^gh_/ }, 'adopted with its profile');
    t.equal((await token(missing.appid)).refresh_token, listed.get(missing.appid), "with WeChat's refresh token");
    t.ok((await token(missing.appid)).access_token, 'and the access token WeChat gave for it');
    t.equal(row(removed.appid).status, 1, 'restored');
    t.equal((await token(removed.appid)).refresh_token, listed.get(removed.appid));
    t.equal(row(gone.appid).status, -2, 'marked removed');
    t.equal((await token(gone.appid)).refresh_token, null, 'its tokens dropped');
    t.match(await token(stale.appid), { refresh_token: 'refreshtoken@@@stale', needs_reauth: 1 }, 'the refused one is left as it was');
    t.notOk(row(unexchanged), 'an unexchanged authorization is not adopted');
    t.match(await token(marked.appid), { needs_reauth: 0, reauth_reason: null }, 'repaired');
    const status = await knex('wxplat_authorizer_status').where('authorizer_appid', missing.appid).first();
    t.equal(status.account_status, 1, 'account_status recorded');

    const human = await spawnCli(['account', 'reconcile'], { env: world.env });
    t.equal(human.code, 3);
    t.match(human.stdout, new RegExp(`${stale.appid}\t.*\ttake WeChat's token\tundone\tWeChat refused its listed refresh token`));
    t.match(human.stdout, /WeChat lists 6 authorizations \(1 page\): 0 done, 0 planned, 2 left undone, 4 in agreement, 0 ignored/);
    t.match(human.stderr, /`wxplat rid [0-9a-f-]{26}` shows the request WeChat received/);
    t.match(human.stderr, /some accounts were left undone \(see detail\)/);

    // WeChat takes the token again; the admin of the unexchanged one withdraws: all agree.
    world.sandbox.faults.set({ refuseRefreshToken: null });
    await world.sandbox.unauthorize(unexchanged);
    const last = await spawnCli(['account', 'reconcile', '--json'], { env: world.env });
    t.equal(last.code, 0, last.stderr);
    const s2 = JSON.parse(last.stdout);
    t.match(s2, { listed: 5, counts: { done: 1, undone: 0, unchanged: 4 }, exitCode: 0 });
    t.match(s2.items.find((i: { appid: string }) => i.appid === stale.appid), { action: 'take-token', result: 'done' });
    t.match(await token(stale.appid), { refresh_token: listed.get(stale.appid), needs_reauth: 0, reauth_reason: null });
    const quota = await spawnCli(['quota', 'get', stale.appid], { env: world.env });
    t.equal(quota.code, 0, 'the account works again');
  }),
);

t.test('reconcile pages the list 500 at a time', (t) =>
  eachDatabase(
    t,
    async (t, tdb) => {
      const world = await startWorld(t, tdb);
      for (let i = 0; i < 503; i++) {
        const pre = await world.wechat.createPreauthcode();
        const { authCode } = await world.sandbox.authorize({ preAuthCode: pre.pre_auth_code });
        await world.wechat.queryAuth(authCode); // exchanged at WeChat; nothing stored here
      }
      const r = await spawnCli(['account', 'reconcile', '--dry-run', '--json'], { env: world.env });
      t.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      t.match(s, { listed: 503, pages: 2, counts: { planned: 503 } });
      t.equal(world.sandbox.log.count('cgi-bin/component/api_get_authorizer_list'), 2);
    },
    ['sqlite'],
  ),
);
