// `quota get` and `quota clear` against the sandbox, on both stores, through the real binary: an
// account's and the platform's quota, the reset (asked first, 10 a month), and the bad paths — an
// account that is unknown, removed, not authorized here, or no longer authorized at WeChat.
import t from 'tap';
import { runCli, spawnCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { scriptedPrompter } from '../../helpers/scripted-prompter.js';
import { recipientsFile, syncTemplate } from '../../helpers/sending.js';
import { COMPONENT, startWorld } from '../../helpers/world.js';

const RID = /[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}/;

t.test('quota get: an account, the platform, another API', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb, { sandbox: { dailySendQuota: 1000 } });
    const { appid, accountId } = await world.authorize({ followers: 3 });
    const tpl = await syncTemplate(t, world, appid);
    const sent = await runCli(['template', 'send', appid, '--template', tpl.code, '--to', ...world.sandbox.followerOpenids(appid, 0, 3), ...tpl.dataArgs], { env: world.env });
    t.equal(sent.code, 0, sent.stderr);

    const json = await spawnCli(['quota', 'get', appid, '--json'], { env: world.env });
    t.equal(json.code, 0, json.stderr);
    t.same(JSON.parse(json.stdout), {
      target: { kind: 'account', id: accountId, appid, nickname: '沙箱服务号1' },
      api: '/cgi-bin/message/template/send',
      dailyLimit: 1000,
      used: 3,
      remaining: 997,
      rateLimit: { calls: 1500, seconds: 1 },
      componentRateLimit: { calls: 600, seconds: 1 },
    });

    const human = await spawnCli(['quota', 'get', String(accountId)], { env: world.env });
    t.equal(human.code, 0, human.stderr);
    t.match(human.stdout, new RegExp(`target +account ${accountId} ${appid} \\(沙箱服务号1\\)`));
    t.match(human.stdout, /daily limit +1000\n/);
    t.match(human.stdout, /used today +3\n/);
    t.match(human.stdout, /remaining +997 \(resets at midnight Beijing time\)/);
    t.match(human.stdout, /rate limit +1500 calls per 1 s/);
    t.match(human.stdout, /for the platform +600 calls per 1 s/);

    // Another API, given as a whole URL copied from a doc: cut down to its path.
    const users = await spawnCli(['quota', 'get', appid, '--api', 'https://api.weixin.qq.com/cgi-bin/user/get?access_token=ACCESS_TOKEN', '--json'], { env: world.env });
    t.equal(users.code, 0, users.stderr);
    t.match(JSON.parse(users.stdout), { api: '/cgi-bin/user/get', dailyLimit: 500, rateLimit: null, componentRateLimit: null });

    const component = await spawnCli(['quota', 'get', 'component', '--json'], { env: world.env });
    t.equal(component.code, 0, component.stderr);
    t.match(JSON.parse(component.stdout), { target: { kind: 'component', appid: COMPONENT.appid }, api: '/cgi-bin/component/api_authorizer_token', dailyLimit: 100000 });

    // An API of the other identity: WeChat's 76022, explained, with its rid.
    const wrong = await spawnCli(['quota', 'get', 'component', '--api', '/cgi-bin/message/template/send'], { env: world.env });
    t.equal(wrong.code, 1);
    t.match(wrong.stderr, /error: WeChat cgi-bin\/openapi\/quota\/get: 76022 could not use this cgi_path\uff0cno permission \(rid [0-9a-f-]+\)/);
    t.match(wrong.stderr, /this API does not belong to the identity asked with/);
    t.match(wrong.stderr, /`wxplat rid [0-9a-f-]{26}` shows the request WeChat received/);
    const wrongJson = await spawnCli(['quota', 'get', 'component', '--api', '/cgi-bin/message/template/send', '--json'], { env: world.env });
    t.match(JSON.parse(wrongJson.stderr.trim()), { error: { errcode: 76022, rid: RID, exitCode: 1, hint: /wxplat rid/ } });

    const malformed = await spawnCli(['quota', 'get', appid, '--api', 'not a path!'], { env: world.env });
    t.equal(malformed.code, 2);
    t.match(malformed.stderr, /--api "not a path!" is not an API path/);
  }),
);

t.test('quota for an account that is not authorized: exit 2 before WeChat is asked; WeChat refusing: exit 1', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const a = await world.authorize();
    const b = await world.authorize();
    const c = await world.authorize();
    const asked = () => world.sandbox.log.count('cgi-bin/openapi/quota/get');

    const unknown = await spawnCli(['quota', 'get', 'wx0000000000000000'], { env: world.env });
    t.equal(unknown.code, 2);
    t.match(unknown.stderr, /no account matches "wx0000000000000000"/);

    t.equal((await runCli(['account', 'remove', a.appid, '--yes'], { env: world.env })).code, 0);
    const removed = await spawnCli(['quota', 'get', a.appid], { env: world.env });
    t.equal(removed.code, 2);
    t.match(removed.stderr, new RegExp(`account ${a.appid} was removed \\(status -2\\)`));

    await world.db.knex('wxplat_authorizer_tokens').where('authorizer_appid', b.appid).update({ refresh_token: null, access_token: null });
    const tokenless = await spawnCli(['quota', 'clear', b.appid, '--yes'], { env: world.env });
    t.equal(tokenless.code, 2);
    t.match(tokenless.stderr, new RegExp(`account ${b.appid} is not authorized \\(wxplat holds no tokens for it\\)`));
    t.match(tokenless.stderr, /wxplat account authorize/);
    t.equal(asked(), 0, 'WeChat was not asked');

    // Withdrawn at WeChat, not known here yet: WeChat refuses, wxplat says what it means.
    await world.sandbox.unauthorize(c.appid);
    const withdrawn = await spawnCli(['quota', 'get', c.appid], { env: world.env });
    t.equal(withdrawn.code, 1, withdrawn.stderr);
    t.match(withdrawn.stderr, new RegExp(`account ${c.appid} needs re-authorization: WeChat refused its refresh token \\(61023 refresh_token is invalid rid: [0-9a-f-]+\\) and it is not in the authorizer list`));
    t.match(withdrawn.stderr, /`wxplat rid [0-9a-f-]{26}` shows the request WeChat received/);
    const again = await spawnCli(['quota', 'get', c.appid], { env: world.env });
    t.equal(again.code, 2, 'now known here: refused before asking');
    t.match(again.stderr, /needs re-authorization/);
  }),
);

t.test('quota clear: asks first, or --yes; 10 resets a month, then 48006', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb, { sandbox: { dailySendQuota: 2 } });
    const { appid } = await world.authorize({ followers: 4 });
    const tpl = await syncTemplate(t, world, appid);
    const file = recipientsFile(t, world.sandbox.followerOpenids(appid, 0, 4));
    const send = ['template', 'send', appid, '--template', tpl.code, '--to-file', file, ...tpl.dataArgs, '--idempotency-key', 'reset-me', '--json'];
    const stopped = await runCli(send, { env: world.env });
    t.equal(stopped.code, 3);
    t.match(JSON.parse(stopped.stdout), { sent: 2, pending: 2, state: 'stopped' });

    const unasked = await spawnCli(['quota', 'clear', appid], { env: world.env });
    t.equal(unasked.code, 2);
    t.match(unasked.stderr, /resetting today's API call counts of account \d+ \S+ \(沙箱服务号1\) needs confirmation: pass --yes/);
    t.match(unasked.stderr, /WeChat allows 10 resets a month/);

    const no = scriptedPrompter([{ confirm: false }]);
    const declined = await runCli(['quota', 'clear', appid], { env: world.env, overrides: { prompter: no } });
    t.equal(declined.code, 1, '"no" is not bad usage: nothing was done');
    t.match(declined.stderr, /^today's API call counts of account .* not reset: you answered no\n$/);
    t.match(no.asked[0].message, /^Reset today's API call counts of account .*\? WeChat allows 10 resets a month, and this uses one\.$/);
    t.equal(world.sandbox.log.count('cgi-bin/clear_quota'), 0, 'nothing reset');

    const yes = scriptedPrompter([{ confirm: true }]);
    const cleared = await runCli(['quota', 'clear', appid], { env: world.env, overrides: { prompter: yes } });
    t.equal(cleared.code, 0, cleared.stderr);
    t.match(cleared.stdout, /WeChat reset today's API call counts of account .* \(cgi-bin\/clear_quota\)\./);
    t.match(cleared.stderr, /WeChat allows 10 resets a month for each account and for the platform; past that it answers 48006/);
    const after = JSON.parse((await spawnCli(['quota', 'get', appid, '--json'], { env: world.env })).stdout);
    t.match(after, { used: 0, remaining: 2 });
    // The paused job waits for midnight; a new one goes out on the reset quota.
    const fresh = await runCli(['template', 'send', appid, '--template', tpl.code, '--to', world.sandbox.followerOpenids(appid, 3, 1)[0], ...tpl.dataArgs, '--json'], { env: world.env });
    t.equal(fresh.code, 0, fresh.stderr);

    for (let i = 2; i <= 10; i++) t.equal((await runCli(['quota', 'clear', appid, '--yes'], { env: world.env })).code, 0, `reset ${i}`);
    const eleventh = await spawnCli(['quota', 'clear', appid, '--yes', '--json'], { env: world.env });
    t.equal(eleventh.code, 1);
    t.match(JSON.parse(eleventh.stderr.trim()), {
      error: { errcode: 48006, rid: RID, message: /48006 forbid to clear quota because of reaching the limit/, hint: /the 10 quota resets of this month are used up/ },
    });

    const platform = await spawnCli(['quota', 'clear', 'component', '--yes', '--json'], { env: world.env });
    t.equal(platform.code, 0, platform.stderr);
    t.same(JSON.parse(platform.stdout), { target: { kind: 'component', appid: COMPONENT.appid }, cleared: true, via: 'cgi-bin/component/clear_quota/v2', resetsAMonth: 10 });
    t.notMatch(platform.stdout + platform.stderr, COMPONENT.appsecret, 'the appsecret is sent, never shown');
  }),
);
