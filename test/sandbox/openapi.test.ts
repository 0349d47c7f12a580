// The sandbox's API-management endpoints (quota/get, clear_quota, component/clear_quota/v2, rid/get),
// customer-service messages, user/info, account_status and the refused-refresh-token fault: WeChat's
// shapes and errcodes, over real HTTP.
import t from 'tap';
import { authorizedAccount, call, COMPONENT, componentToken, sandboxFor } from './helpers.js';

const QUOTA = 'cgi-bin/openapi/quota/get';
const RID = 'cgi-bin/openapi/rid/get';
const SEND = 'cgi-bin/message/template/send';
const CUSTOM = 'cgi-bin/message/custom/send';

t.test('quota/get: an account asks about its APIs, the platform about its own', async (t) => {
  const { sandbox } = await sandboxFor(t, { dailySendQuota: 50 });
  const a = await authorizedAccount(sandbox, { followers: 3 });
  const q = { access_token: a.accessToken };

  const send = await call(sandbox, QUOTA, q, { cgi_path: '/cgi-bin/message/template/send' });
  t.same(send.body, {
    errcode: 0,
    errmsg: 'ok',
    quota: { daily_limit: 50, used: 0, remain: 50 },
    rate_limit: { call_count: 1500, refresh_second: 1 },
    component_rate_limit: { call_count: 600, refresh_second: 1 },
  });
  await call(sandbox, 'cgi-bin/user/get', q);
  await call(sandbox, 'cgi-bin/user/get', q);
  t.same((await call(sandbox, QUOTA, q, { cgi_path: '/cgi-bin/user/get' })).body, { errcode: 0, errmsg: 'ok', quota: { daily_limit: 500, used: 2, remain: 498 } });

  t.equal((await call(sandbox, QUOTA, q, { cgi_path: 'cgi-bin/user/get' })).body.errcode, 76003, 'without the leading /');
  t.equal((await call(sandbox, QUOTA, q, { cgi_path: 'https://api.weixin.qq.com/cgi-bin/user/get' })).body.errcode, 76003, 'with the host');
  t.equal((await call(sandbox, QUOTA, q, { cgi_path: '/cgi-bin/no/such' })).body.errcode, 76021);
  const wrong = await call(sandbox, QUOTA, q, { cgi_path: '/cgi-bin/component/api_authorizer_token' });
  t.equal(wrong.body.errcode, 76022, "an account cannot ask about the platform's API");
  t.match(wrong.body.errmsg, /^could not use this cgi_path\uff0cno permission rid: /);

  const component = { access_token: a.componentToken };
  const own = await call(sandbox, QUOTA, component, { cgi_path: '/cgi-bin/component/api_authorizer_token' });
  t.same(own.body.quota, { daily_limit: 100000, used: 0, remain: 100000 });
  const created = await call(sandbox, QUOTA, component, { cgi_path: '/cgi-bin/component/api_create_preauthcode' });
  t.equal(created.body.quota.used, 1, 'the pre-auth code of the authorization counted');
  t.equal((await call(sandbox, QUOTA, component, { cgi_path: '/cgi-bin/message/template/send' })).body.errcode, 76022);
  t.equal((await call(sandbox, QUOTA, { access_token: 'nope' }, { cgi_path: '/cgi-bin/user/get' })).body.errcode, 40001);
  t.equal((await call(sandbox, QUOTA, {}, { cgi_path: '/cgi-bin/user/get' })).body.errcode, 41001);
});

t.test('clear_quota: resets the day, ten times a month, then 48006', async (t) => {
  const { sandbox, clock } = await sandboxFor(t, { dailySendQuota: 2 });
  const a = await authorizedAccount(sandbox, { followers: 3 });
  const q = { access_token: a.accessToken };
  const b = await authorizedAccount(sandbox);
  const template = await (async () => {
    await call(sandbox, 'cgi-bin/template/api_set_industry', q, { industry_id1: '1', industry_id2: '2' });
    return (await call(sandbox, 'cgi-bin/template/api_add_template', q, { template_id_short: '43568', keyword_name_list: ['订单编号', '支付金额', '支付时间'] })).body.template_id;
  })();
  const [o1] = sandbox.followerOpenids(a.appid, 0, 1);
  const data = { character_string1: { value: 'SN1' }, amount2: { value: '39.8元' }, time3: { value: '2024年3月15日 12:00' } };
  const sendOnce = () => call(sandbox, SEND, q, { touser: o1, template_id: template, data });
  t.equal((await sendOnce()).body.errcode, 0);
  t.equal((await sendOnce()).body.errcode, 0);
  t.equal((await sendOnce()).body.errcode, 45009, 'the quota of 2');

  t.equal((await call(sandbox, 'cgi-bin/clear_quota', q, { appid: b.appid })).body.errcode, 40013, "another account's appid");
  t.equal((await call(sandbox, 'cgi-bin/clear_quota', q, {})).body.errcode, 41002);
  t.same((await call(sandbox, 'cgi-bin/clear_quota', q, { appid: a.appid })).body, { errcode: 0, errmsg: 'ok' });
  t.equal((await call(sandbox, QUOTA, q, { cgi_path: '/cgi-bin/message/template/send' })).body.quota.used, 0, 'reset');
  t.equal((await sendOnce()).body.errcode, 0, 'sends again');

  for (let i = 2; i <= 10; i++) t.equal((await call(sandbox, 'cgi-bin/clear_quota', q, { appid: a.appid })).body.errcode, 0, `reset ${i}`);
  const eleventh = await call(sandbox, 'cgi-bin/clear_quota', q, { appid: a.appid });
  t.equal(eleventh.body.errcode, 48006);
  t.match(eleventh.body.errmsg, /^forbid to clear quota because of reaching the limit rid: /);
  t.equal((await call(sandbox, 'cgi-bin/clear_quota', { access_token: b.accessToken }, { appid: b.appid })).body.errcode, 0, 'each account has its ten');

  // With the appsecret: the platform's own counts, or an authorized account's (the same ten).
  const v2 = (body: Record<string, unknown>) => call(sandbox, 'cgi-bin/component/clear_quota/v2', {}, body);
  t.same((await v2({ component_appid: COMPONENT.appid, appsecret: COMPONENT.appsecret })).body, { errcode: 0, errmsg: 'ok' });
  t.equal((await v2({ component_appid: COMPONENT.appid, appsecret: 'wrong' })).body.errcode, 40125);
  t.equal((await v2({ component_appid: COMPONENT.appid })).body.errcode, 41004);
  t.equal((await v2({ component_appid: 'wx9999999999999999', appsecret: COMPONENT.appsecret })).body.errcode, 40013);
  t.equal((await v2({ component_appid: COMPONENT.appid, appsecret: COMPONENT.appsecret, appid: a.appid })).body.errcode, 48006, "the account's ten are spent");
  t.equal((await v2({ component_appid: COMPONENT.appid, appsecret: COMPONENT.appsecret, appid: 'wx9999999999999999' })).body.errcode, 61003);
  // (Each authorization above made a new component token; the last one is current.)
  t.equal((await call(sandbox, 'cgi-bin/clear_quota', { access_token: b.componentToken }, { appid: COMPONENT.appid })).body.errcode, 0, 'the component token resets the platform');

  // Next month: ten again.
  clock.advance(31 * 86_400_000);
  const fresh = await authorizedAccountToken(sandbox, a);
  t.equal((await call(sandbox, 'cgi-bin/clear_quota', { access_token: fresh }, { appid: a.appid })).body.errcode, 0, 'a new month');
});

async function authorizedAccountToken(sandbox: Parameters<typeof componentToken>[0], a: { appid: string; refreshToken: string }): Promise<string> {
  const component = await componentToken(sandbox);
  const r = await call(sandbox, 'cgi-bin/component/api_authorizer_token', { component_access_token: component }, {
    component_appid: COMPONENT.appid,
    authorizer_appid: a.appid,
    authorizer_refresh_token: a.refreshToken,
  });
  return r.body.authorizer_access_token;
}

t.test('rid/get: the failed call, shown only to whoever made it, for 7 days', async (t) => {
  const { sandbox, clock } = await sandboxFor(t);
  const a = await authorizedAccount(sandbox, { followers: 2 });
  const b = await authorizedAccount(sandbox);
  const failed = await call(sandbox, 'cgi-bin/user/info', { access_token: a.accessToken, openid: 'oNotAFollowerOfThisAccount00' });
  t.equal(failed.body.errcode, 40003);
  const rid = /rid: (\S+)$/.exec(failed.body.errmsg)![1];
  t.match(rid, /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);

  const mine = await call(sandbox, RID, { access_token: a.accessToken }, { rid });
  t.equal(mine.body.errcode, 0);
  t.match(mine.body.request, {
    invoke_time: Math.floor(clock.now().getTime() / 1000),
    cost_in_ms: Number,
    request_url: `access_token=${a.accessToken}&openid=oNotAFollowerOfThisAccount00`,
    request_body: '',
    response_body: failed.text,
    client_ip: /127\.0\.0\.1/,
  });
  t.equal((await call(sandbox, RID, { access_token: b.accessToken }, { rid })).body.errcode, 76003, 'another account may not see it');
  const component = b.componentToken; // the current one
  t.equal((await call(sandbox, RID, { access_token: component }, { rid })).body.errcode, 76003, 'nor the platform');
  t.equal((await call(sandbox, RID, { access_token: a.accessToken }, { rid: '00000000-00000000-00000000' })).body.errcode, 76001);
  t.equal((await call(sandbox, RID, { access_token: a.accessToken }, { rid: 'not a rid' })).body.errcode, 76002);

  // The platform's own failure is the platform's.
  const own = await call(sandbox, 'cgi-bin/component/api_get_authorizer_info', { component_access_token: component }, { component_appid: COMPONENT.appid, authorizer_appid: 'wx9999999999999999' });
  t.equal(own.body.errcode, 61003);
  const ownRid = /rid: (\S+)$/.exec(own.body.errmsg)![1];
  const seen = await call(sandbox, RID, { access_token: component }, { rid: ownRid });
  t.match(seen.body.request.request_body, /"authorizer_appid":"wx9999999999999999"/);

  clock.advance(7 * 86_400_000 + 60_000);
  const later = await authorizedAccountToken(sandbox, a);
  t.equal((await call(sandbox, RID, { access_token: later }, { rid })).body.errcode, 76001, 'gone after 7 days');
});

t.test('user/info: one follower, someone not following, an openid of another account', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const a = await authorizedAccount(sandbox, { followers: 3 });
  const b = await authorizedAccount(sandbox, { followers: 1 });
  const [o0, o1] = sandbox.followerOpenids(a.appid, 0, 2);
  const q = { access_token: a.accessToken };
  const info = await call(sandbox, 'cgi-bin/user/info', { ...q, openid: o0, lang: 'zh_CN' });
  t.match(info.body, { subscribe: 1, openid: o0, subscribe_time: Number, unionid: /^o/, tagid_list: [], subscribe_scene: /^ADD_SCENE_/ });
  t.notOk('nickname' in info.body || 'headimgurl' in info.body, 'the post-2021 fields only');
  const batch = await call(sandbox, 'cgi-bin/user/info/batchget', q, { user_list: [{ openid: o0 }] });
  t.same(batch.body.user_info_list[0], info.body, 'the same as batchget');
  sandbox.unsubscribe(a.appid, o1);
  t.same((await call(sandbox, 'cgi-bin/user/info', { ...q, openid: o1 })).body, { subscribe: 0, openid: o1 });
  t.equal((await call(sandbox, 'cgi-bin/user/info', { ...q, openid: sandbox.followerOpenids(b.appid, 0, 1)[0] })).body.errcode, 40003);
  t.equal((await call(sandbox, 'cgi-bin/user/info', q)).body.errcode, 40003);
  t.equal((await call(sandbox, 'cgi-bin/user/info', { ...q, openid: o0, lang: 'fr' })).body.errcode, 40097);
  const noUsers = await authorizedAccount(sandbox, { funcIds: [1, 7] });
  t.equal((await call(sandbox, 'cgi-bin/user/info', { access_token: noUsers.accessToken, openid: o0 })).body.errcode, 48001, 'needs 用户管理 (2)');
});

t.test('custom/send: within 48 hours of the user writing, 5 at most; each kept', async (t) => {
  const { sandbox, clock } = await sandboxFor(t);
  const a = await authorizedAccount(sandbox, { followers: 3 });
  const [o0, o1] = sandbox.followerOpenids(a.appid, 0, 2);
  const q = { access_token: a.accessToken };
  const text = (touser: string, content = 'queryauthcode@@@x_from_api') => call(sandbox, CUSTOM, q, { touser, msgtype: 'text', text: { content } });

  const early = await text(o0);
  t.equal(early.body.errcode, 45015, 'the user has not written');
  t.match(early.body.errmsg, /^response out of time limit or subscription is canceled rid: /);
  sandbox.userWrote(a.appid, o0);
  t.same((await text(o0)).body, { errcode: 0, errmsg: 'ok' });
  const messages = sandbox.customMessages(a.appid);
  t.equal(messages.length, 1);
  t.match(messages[0], { appid: a.appid, touser: o0, msgtype: 'text', content: 'queryauthcode@@@x_from_api', body: { text: { content: 'queryauthcode@@@x_from_api' } } });
  t.same(sandbox.state().customMessages, messages, 'in the state');
  const overHttp = await fetch(`${sandbox.url}/sandbox/custom-messages?appid=${a.appid}`);
  t.same(await overHttp.json(), messages, 'and under /sandbox/custom-messages');

  for (let i = 2; i <= 5; i++) t.equal((await text(o0)).body.errcode, 0, `message ${i}`);
  t.equal((await text(o0)).body.errcode, 45047, 'the sixth');
  sandbox.userWrote(a.appid, o0);
  t.equal((await text(o0)).body.errcode, 0, 'the user wrote again');
  clock.advance(48 * 3600_000 + 1000);
  await authorizedAccountToken(sandbox, a).then((token) => (q.access_token = token));
  t.equal((await text(o0)).body.errcode, 45015, 'the window closed');

  t.equal((await text(sandbox.followerOpenids((await authorizedAccount(sandbox)).appid, 0, 1)[0] ?? 'oXXXXXXXXXXXXXXXXXXXXXXXXXXX')).body.errcode, 40003);
  sandbox.userWrote(a.appid, o1);
  sandbox.unsubscribe(a.appid, o1);
  t.equal((await text(o1)).body.errcode, 45015, 'unfollowed');
  t.equal((await call(sandbox, CUSTOM, q, { touser: o0, msgtype: 'telegram', telegram: {} })).body.errcode, 40008);
  t.equal((await text(o0, '')).body.errcode, 44004);
  const noMessages = await authorizedAccount(sandbox, { funcIds: [2, 7] });
  t.equal((await call(sandbox, CUSTOM, { access_token: noMessages.accessToken }, { touser: o0, msgtype: 'text', text: { content: 'x' } })).body.errcode, 48001, 'needs 消息管理 (1)');
});

t.test('account_status and the refused refresh token', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const a = await authorizedAccount(sandbox);
  const info = () =>
    call(sandbox, 'cgi-bin/component/api_get_authorizer_info', { component_access_token: a.componentToken }, { component_appid: COMPONENT.appid, authorizer_appid: a.appid });
  t.equal((await info()).body.authorizer_info.account_status, 1);
  t.equal(sandbox.setAccountStatus(a.appid, 16).accountStatus, 16);
  t.equal((await info()).body.authorizer_info.account_status, 16, 'banned');
  const res = await fetch(`${sandbox.url}/sandbox/accounts/status`, { method: 'POST', body: JSON.stringify({ appid: a.appid, accountStatus: 7 }) });
  t.equal(res.status, 400, 'an undocumented status is refused');
  t.throws(() => sandbox.createAccount({ accountStatus: 2 }), /accountStatus must be/);

  const refresh = () =>
    call(sandbox, 'cgi-bin/component/api_authorizer_token', { component_access_token: a.componentToken }, {
      component_appid: COMPONENT.appid,
      authorizer_appid: a.appid,
      authorizer_refresh_token: a.refreshToken,
    });
  sandbox.faults.set({ refuseRefreshToken: a.appid });
  t.equal((await refresh()).body.errcode, 61023);
  sandbox.faults.set({ refuseRefreshToken: null });
  t.equal((await refresh()).body.errcode, undefined, 'accepted again');
});
