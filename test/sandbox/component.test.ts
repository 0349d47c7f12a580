import t from 'tap';
import { authorizedAccount, call, COMPONENT, componentToken, preAuthCode, sandboxFor } from './helpers.js';

const RID = / rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;

t.test('api_component_token: credentials and ticket are checked; the token lives 7200 s', async (t) => {
  const { sandbox, clock } = await sandboxFor(t);
  const ticket = await sandbox.pushTicket();
  t.match(ticket, /^ticket@@@[\w-]{86}$/);
  const body = { component_appid: COMPONENT.appid, component_appsecret: COMPONENT.appsecret, component_verify_ticket: ticket };
  const ep = 'cgi-bin/component/api_component_token';

  const wrongSecret = await call(sandbox, ep, {}, { ...body, component_appsecret: 'x'.repeat(32) });
  t.equal(wrongSecret.status, 200, 'errors are HTTP 200');
  t.equal(wrongSecret.body.errcode, 40125);
  t.match(wrongSecret.body.errmsg, /^invalid appsecret rid: /);
  t.match(wrongSecret.body.errmsg, RID);
  t.equal((await call(sandbox, ep, {}, { ...body, component_appsecret: undefined })).body.errcode, 41004);
  t.equal((await call(sandbox, ep, {}, { ...body, component_appid: 'wx9999999999999999' })).body.errcode, 61011);
  t.equal((await call(sandbox, ep, {}, { ...body, component_verify_ticket: 'ticket@@@nope' })).body.errcode, 61006);
  t.equal((await call(sandbox, ep, {}, 'component_appid=x')).body.errcode, 47001, 'a body that is not JSON');

  const ok = await call(sandbox, ep, {}, body);
  t.same(Object.keys(ok.body), ['component_access_token', 'expires_in'], 'the shape of the fixture');
  t.equal(ok.body.expires_in, 7200);
  t.notOk('errcode' in ok.body, 'a data answer has no errcode');
  const token = ok.body.component_access_token;

  const pre = 'cgi-bin/component/api_create_preauthcode';
  t.equal((await call(sandbox, pre, {}, { component_appid: COMPONENT.appid })).body.errcode, 41001, 'no token');
  t.equal((await call(sandbox, pre, { component_access_token: 'bogus' }, { component_appid: COMPONENT.appid })).body.errcode, 40001);
  t.equal((await call(sandbox, pre, { component_access_token: token }, { component_appid: COMPONENT.appid })).status, 200);

  clock.advance(7199 * 1000);
  t.ok((await call(sandbox, pre, { component_access_token: token }, { component_appid: COMPONENT.appid })).body.pre_auth_code, 'alive at 7199 s');
  clock.advance(1000);
  t.equal((await call(sandbox, pre, { component_access_token: token }, { component_appid: COMPONENT.appid })).body.errcode, 42001, 'expired at 7200 s');

  const again = (await call(sandbox, ep, {}, body)).body.component_access_token;
  const newer = (await call(sandbox, ep, {}, body)).body.component_access_token;
  t.not(again, newer);
  t.equal((await call(sandbox, pre, { component_access_token: again }, { component_appid: COMPONENT.appid })).body.errcode, 40001, 'a replaced token fails');
  t.ok((await call(sandbox, pre, { component_access_token: newer }, { component_appid: COMPONENT.appid })).body.pre_auth_code);

  clock.advance(12 * 3600 * 1000 - 7200 * 1000 + 1000);
  t.equal((await call(sandbox, ep, {}, body)).body.errcode, 61005, 'a ticket older than 12 h');
  const fresh = await sandbox.pushTicket();
  t.ok((await call(sandbox, ep, {}, { ...body, component_verify_ticket: fresh })).body.component_access_token);
});

t.test('api_start_push_ticket checks component_secret and issues a new ticket', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const ep = 'cgi-bin/component/api_start_push_ticket';
  t.equal((await call(sandbox, ep, {}, { component_appid: COMPONENT.appid, component_secret: 'wrong' })).body.errcode, 40125);
  t.equal(sandbox.latestTicket(), undefined);
  const ok = await call(sandbox, ep, {}, { component_appid: COMPONENT.appid, component_secret: COMPONENT.appsecret });
  t.same(ok.body, { errcode: 0, errmsg: 'ok' });
  await new Promise((r) => setImmediate(r));
  await sandbox.pushes.settled();
  t.match(sandbox.latestTicket(), /^ticket@@@/);
});

t.test('pre-auth and authorization codes are single use; query_auth returns the fixture shape', async (t) => {
  const { sandbox, clock } = await sandboxFor(t);
  const token = await componentToken(sandbox);
  const code = await preAuthCode(sandbox, token);
  t.match(code, /^preauthcode@@@/);
  const account = sandbox.createAccount({ funcIds: [1, 2, 7] });
  const { authCode, authCodeExpiresAt } = await sandbox.authorize({ preAuthCode: code, appid: account.appid });
  t.equal(authCodeExpiresAt, Math.floor(sandbox.now().getTime() / 1000) + 600, 'epoch seconds, 600 s ahead');
  await t.rejects(sandbox.authorize({ preAuthCode: code }), /single-use/, 'a pre-auth code works once');

  const q = 'cgi-bin/component/api_query_auth';
  const first = await call(sandbox, q, { component_access_token: token }, { component_appid: COMPONENT.appid, authorization_code: authCode });
  const info = first.body.authorization_info;
  t.same(Object.keys(info), ['authorizer_appid', 'authorizer_access_token', 'expires_in', 'authorizer_refresh_token', 'func_info']);
  t.equal(info.authorizer_appid, account.appid);
  t.equal(info.expires_in, 7200);
  t.match(info.authorizer_refresh_token, /^refreshtoken@@@/);
  t.same(info.func_info, [{ funcscope_category: { id: 1 } }, { funcscope_category: { id: 2 } }, { funcscope_category: { id: 7 } }]);
  const reused = await call(sandbox, q, { component_access_token: token }, { component_appid: COMPONENT.appid, authorization_code: authCode });
  t.equal(reused.body.errcode, 61009, 'a used code');
  t.match(reused.body.errmsg, /^code is invalid rid: /);

  const late = await sandbox.authorize({ preAuthCode: await preAuthCode(sandbox, token), appid: account.appid });
  t.equal(late.infoType, 'updateauthorized', 'authorizing an authorized account again');
  clock.advance(601 * 1000);
  t.equal(
    (await call(sandbox, q, { component_access_token: token }, { component_appid: COMPONENT.appid, authorization_code: late.authCode })).body.errcode,
    61010,
    'an expired code',
  );

  const stale = await preAuthCode(sandbox, token);
  clock.advance(600 * 1000);
  await t.rejects(sandbox.authorize({ preAuthCode: stale }), /expired/, 'a pre-auth code lives 600 s');
});

t.test('api_authorizer_token: a new access token replaces the old; unknown refresh tokens are 61023', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const a = await authorizedAccount(sandbox);
  const ep = 'cgi-bin/component/api_authorizer_token';
  const q = { component_access_token: a.componentToken };
  const body = { component_appid: COMPONENT.appid, authorizer_appid: a.appid, authorizer_refresh_token: a.refreshToken };

  const r = await call(sandbox, ep, q, body);
  t.same(Object.keys(r.body), ['authorizer_access_token', 'expires_in', 'authorizer_refresh_token']);
  t.equal(r.body.authorizer_refresh_token, a.refreshToken, 'the refresh token stays');
  t.not(r.body.authorizer_access_token, a.accessToken);
  t.equal((await call(sandbox, 'cgi-bin/template/get_all_private_template', { access_token: a.accessToken })).body.errcode, 40001, 'the old access token fails');
  t.same((await call(sandbox, 'cgi-bin/template/get_all_private_template', { access_token: r.body.authorizer_access_token })).body, { template_list: [] });

  const wrong = await call(sandbox, ep, q, { ...body, authorizer_refresh_token: 'refreshtoken@@@nope' });
  t.equal(wrong.body.errcode, 61023);
  t.match(wrong.body.errmsg, /^refresh_token is invalid rid: /);
  const never = sandbox.createAccount();
  t.equal((await call(sandbox, ep, q, { ...body, authorizer_appid: never.appid })).body.errcode, 61003, 'an account that never authorized');

  await sandbox.unauthorize(a.appid);
  t.equal((await call(sandbox, ep, q, body)).body.errcode, 61023, 'after unauthorized');
  t.equal((await call(sandbox, 'cgi-bin/template/get_all_private_template', { access_token: r.body.authorizer_access_token })).body.errcode, 40001);
});

t.test('api_get_authorizer_info and api_get_authorizer_list', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const a = await authorizedAccount(sandbox, { serviceType: 2, verifyType: 0 });
  const q = { component_access_token: a.componentToken };
  const info = await call(sandbox, 'cgi-bin/component/api_get_authorizer_info', q, { component_appid: COMPONENT.appid, authorizer_appid: a.appid });
  const ai = info.body.authorizer_info;
  t.same(Object.keys(ai), ['nick_name', 'head_img', 'service_type_info', 'verify_type_info', 'user_name', 'principal_name', 'business_info', 'alias', 'qrcode_url', 'account_status']);
  t.equal(ai.account_status, 1, 'account_status: 1 normal');
  t.match(ai.user_name, /^gh_[0-9a-f]{12}$/);
  t.same(ai.service_type_info, { id: 2 });
  t.same(ai.verify_type_info, { id: 0 });
  t.same(ai.business_info, { open_store: 0, open_scan: 0, open_pay: 0, open_card: 0, open_shake: 0 });
  t.same(info.body.authorization_info, {
    authorizer_appid: a.appid,
    authorizer_refresh_token: a.refreshToken,
    func_info: [1, 2, 3, 4, 7, 11, 15].map((id) => ({ funcscope_category: { id } })),
  });

  // Authorized but not yet exchanged: no refresh token, in the info and in the list.
  const b = sandbox.createAccount();
  await sandbox.authorize({ preAuthCode: await preAuthCode(sandbox, a.componentToken), appid: b.appid });
  const bInfo = await call(sandbox, 'cgi-bin/component/api_get_authorizer_info', q, { component_appid: COMPONENT.appid, authorizer_appid: b.appid });
  t.notOk('authorizer_refresh_token' in bInfo.body.authorization_info);
  t.equal((await call(sandbox, 'cgi-bin/component/api_get_authorizer_info', q, { component_appid: COMPONENT.appid, authorizer_appid: sandbox.createAccount().appid })).body.errcode, 61003);

  const list = await call(sandbox, 'cgi-bin/component/api_get_authorizer_list', q, { component_appid: COMPONENT.appid, offset: 0, count: 500 });
  t.equal(list.body.total_count, 2);
  t.same(list.body.list[0], { authorizer_appid: a.appid, refresh_token: a.refreshToken, auth_time: Math.floor(sandbox.now().getTime() / 1000) });
  t.same(Object.keys(list.body.list[1]), ['authorizer_appid', 'auth_time']);
  const page2 = await call(sandbox, 'cgi-bin/component/api_get_authorizer_list', q, { component_appid: COMPONENT.appid, offset: 1, count: 1 });
  t.equal(page2.body.list.length, 1);
  t.equal(page2.body.list[0].authorizer_appid, b.appid);
  t.equal((await call(sandbox, 'cgi-bin/component/api_get_authorizer_list', q, { component_appid: COMPONENT.appid, offset: 0, count: 501 })).body.errcode, 40097);

  await sandbox.unauthorize(b.appid);
  const after = await call(sandbox, 'cgi-bin/component/api_get_authorizer_list', q, { component_appid: COMPONENT.appid, offset: 0, count: 100 });
  t.equal(after.body.total_count, 1, 'an unauthorized account leaves the list');
});

t.test('unknown paths are 404; wrong methods are 43001/43002', async (t) => {
  const { sandbox } = await sandboxFor(t);
  t.equal((await call(sandbox, 'cgi-bin/nope')).status, 404);
  t.equal((await call(sandbox, 'cgi-bin/component/api_component_token')).body.errcode, 43002);
  const a = await authorizedAccount(sandbox);
  t.equal((await call(sandbox, 'cgi-bin/template/get_industry', { access_token: a.accessToken }, {})).body.errcode, 43001);
});
