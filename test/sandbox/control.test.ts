import t from 'tap';
import type { Sandbox } from '../../src/sandbox/index.js';
import { call, COMPONENT, componentToken, preAuthCode, sandboxFor, startReceiver } from './helpers.js';

async function control(sandbox: Sandbox, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sandbox.url}/sandbox/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

t.test('the control API drives the sandbox from another process', async (t) => {
  const receiver = await startReceiver(t);
  const { sandbox } = await sandboxFor(t);

  const state = await control(sandbox, 'GET', 'state');
  t.equal(state.status, 200);
  t.match(state.body, { url: sandbox.url, componentAppid: COMPONENT.appid, callbackUrl: null, ticketIssued: false, accounts: [] });
  t.notMatch(JSON.stringify(state.body), COMPONENT.appsecret, 'no secret in the state');

  t.same((await control(sandbox, 'POST', 'callback', { url: receiver.url })).body, { callbackUrl: receiver.url });
  const ticket = await control(sandbox, 'POST', 'tickets');
  t.match(ticket.body.ticket, /^ticket@@@/);
  t.equal(receiver.of('component_verify_ticket')[0]?.event.ComponentVerifyTicket, ticket.body.ticket, 'pushed before the answer');
  t.same((await control(sandbox, 'GET', 'tickets')).body, { ticket: ticket.body.ticket });

  const created = await control(sandbox, 'POST', 'accounts', { nickname: '控制台', followers: 12, funcIds: [1, 2, 7] });
  t.equal(created.status, 201);
  t.match(created.body, { nickname: '控制台', followers: 12, authorization: 'never', funcIds: [1, 2, 7] });
  const appid = created.body.appid;
  t.equal((await control(sandbox, 'GET', `accounts/${appid}`)).body.appid, appid);
  t.equal((await control(sandbox, 'GET', 'accounts/wx0000000000000000')).status, 404);
  t.equal((await control(sandbox, 'POST', 'accounts', { appid })).status, 409, 'the same appid twice');
  t.equal((await control(sandbox, 'POST', 'accounts', { appid: 'nope' })).status, 400);

  const token = await componentToken(sandbox);
  const code = await preAuthCode(sandbox, token);
  const authorized = await control(sandbox, 'POST', 'authorize', { preAuthCode: code, appid, redirectUri: 'http://127.0.0.1/cb' });
  t.match(authorized.body, { appid, infoType: 'authorized', authCode: /^queryauthcode@@@/, redirectUrl: /^http:\/\/127\.0\.0\.1\/cb\?auth_code=/ });
  t.equal((await control(sandbox, 'POST', 'authorize', { preAuthCode: code })).status, 400, 'a used pre-auth code');
  const exchanged = await call(sandbox, 'cgi-bin/component/api_query_auth', { component_access_token: token }, {
    component_appid: COMPONENT.appid,
    authorization_code: authorized.body.authCode,
  });
  const access = exchanged.body.authorization_info.authorizer_access_token;

  const followers = await control(sandbox, 'POST', 'followers', { appid, count: 30 });
  t.equal(followers.body.followers, 30);
  const listed = await control(sandbox, 'GET', `followers?appid=${appid}&offset=28&limit=10`);
  t.equal(listed.body.total, 30);
  t.equal(listed.body.openids.length, 2);
  t.same((await control(sandbox, 'POST', 'unsubscribe', { appid, openid: listed.body.openids[0] })).body, { ok: true });
  t.equal((await control(sandbox, 'GET', `accounts/${appid}`)).body.followers, 29);
  t.same((await control(sandbox, 'POST', 'subscribe', { appid, openid: listed.body.openids[0] })).body, { ok: true });
  const explicit = await control(sandbox, 'POST', 'followers', { appid, openids: ['oia2TjuEGTNoeX76QEjQNrcURxG8'] });
  t.equal(explicit.body.followers, 1);
  t.equal((await control(sandbox, 'POST', 'followers', { appid })).status, 400);

  await call(sandbox, 'cgi-bin/template/api_set_industry', { access_token: access }, { industry_id1: 1, industry_id2: 2 });
  const added = await call(sandbox, 'cgi-bin/template/api_add_template', { access_token: access }, { template_id_short: '44102', keyword_name_list: ['登录账号', '登录时间'] });
  const send = (touser: string) => call(sandbox, 'cgi-bin/message/template/send', { access_token: access }, { touser, template_id: added.body.template_id });

  t.same((await control(sandbox, 'POST', 'recipients/refuse', { appid, openid: 'oia2TjuEGTNoeX76QEjQNrcURxG8', errcode: 43101 })).body, { ok: true });
  t.equal((await send('oia2TjuEGTNoeX76QEjQNrcURxG8')).body.errcode, 43101);
  await control(sandbox, 'POST', 'recipients/refuse', { appid, openid: 'oia2TjuEGTNoeX76QEjQNrcURxG8', errcode: null });
  t.same((await control(sandbox, 'POST', 'recipients/fail', { appid, openids: ['oia2TjuEGTNoeX76QEjQNrcURxG8'], status: 'failed: system failed' })).body, { ok: true });
  t.equal((await control(sandbox, 'POST', 'recipients/fail', { appid, openids: [], status: 'nope' })).status, 400);
  t.equal((await send('oia2TjuEGTNoeX76QEjQNrcURxG8')).body.errcode, 0);
  const pushes = await control(sandbox, 'POST', 'pushes/settled');
  t.match(pushes.body, { queued: 0, inFlight: 0 });
  t.equal(receiver.of('TEMPLATESENDJOBFINISH')[0]?.event.Status, 'failed: system failed');
  const recent = (await control(sandbox, 'GET', 'pushes')).body.recent;
  t.match(recent.at(-1), { kind: 'TEMPLATESENDJOBFINISH', outcome: 'delivered', url: `${receiver.url}/wechat/accounts/${appid}` });

  const log = await control(sandbox, 'GET', 'log');
  t.equal(log.body.endpoints['cgi-bin/message/template/send'].calls, 2);
  t.same(log.body.endpoints['cgi-bin/message/template/send'].errcodes, { 0: 1, 43101: 1 });
  t.same((await control(sandbox, 'GET', `log/deliveries?appid=${appid}&openid=oia2TjuEGTNoeX76QEjQNrcURxG8`)).body, {
    appid,
    openid: 'oia2TjuEGTNoeX76QEjQNrcURxG8',
    deliveries: 1,
  });
  t.same((await control(sandbox, 'GET', `log/deliveries?appid=${appid}`)).body, { appid, deliveries: 1 });
  t.match((await control(sandbox, 'DELETE', 'log')).body, { requests: 0, deliveries: 0 });

  t.same((await control(sandbox, 'POST', 'faults', { errorRate: 1, latencyMs: 5 })).body, { latencyMs: 5, errorRate: 1, quotaExhausted: false, refuseRefreshToken: null });
  t.equal((await send('oia2TjuEGTNoeX76QEjQNrcURxG8')).body.errcode, -1);
  t.same((await control(sandbox, 'DELETE', 'faults')).body, { latencyMs: 0, errorRate: 0, quotaExhausted: false, refuseRefreshToken: null });
  t.equal((await control(sandbox, 'POST', 'faults', { errorRate: 'lots' })).status, 400);
  await control(sandbox, 'POST', 'faults', { revokeToken: appid });
  t.equal((await send('oia2TjuEGTNoeX76QEjQNrcURxG8')).body.errcode, 40001);

  const before = sandbox.now().getTime();
  const moved = await control(sandbox, 'POST', 'clock', { advanceSeconds: 7200 });
  t.equal(new Date(moved.body.now).getTime(), before + 7_200_000);
  t.equal((await control(sandbox, 'GET', 'clock')).body.now, moved.body.now);

  const lib = await control(sandbox, 'POST', 'library', { shortId: '60001', industryCode: 10, title: '排队提醒', keywords: [{ name: '排队号', key: 'character_string1' }] });
  t.match(lib.body, { shortId: '60001', industryCode: 10 });
  t.ok((await control(sandbox, 'GET', 'library')).body.some((x: { shortId: string }) => x.shortId === '60001'));
  t.equal((await control(sandbox, 'POST', 'library', { shortId: 'TM1', industryCode: 10, title: 'x', keywords: [] })).status, 400);

  t.same((await control(sandbox, 'POST', 'unauthorize', { appid })).body.authorization, 'revoked');
  t.equal(receiver.of('unauthorized').length, 1);

  t.equal((await control(sandbox, 'GET', 'nothing-here')).status, 404);
  t.equal((await control(sandbox, 'DELETE', 'state')).status, 405);
  const bad = await control(sandbox, 'POST', 'accounts', '{not json');
  t.equal(bad.status, 400);
  t.match(bad.body.error, /not JSON/);
});
