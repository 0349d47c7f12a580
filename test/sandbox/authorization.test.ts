import t from 'tap';
import { call, COMPONENT, componentToken, preAuthCode, sandboxFor, startReceiver } from './helpers.js';

function pageUrl(base: string, path: string, params: Record<string, string>): string {
  return `${base}${path}?${new URLSearchParams(params).toString()}`;
}

t.test('the authorization page acts as the admin who confirms: 302 with auth_code, and the authorized event', async (t) => {
  const receiver = await startReceiver(t);
  const { sandbox } = await sandboxFor(t, { callbackUrl: receiver.url, defaultFollowers: 3 });
  const token = await componentToken(sandbox);
  const code = await preAuthCode(sandbox, token);

  const res = await fetch(
    pageUrl(sandbox.url, '/cgi-bin/componentloginpage', {
      component_appid: COMPONENT.appid,
      pre_auth_code: code,
      redirect_uri: 'https://platform.example.com/authorized?state=42',
      auth_type: '1',
    }),
    { redirect: 'manual' },
  );
  t.equal(res.status, 302);
  const location = new URL(res.headers.get('location')!);
  t.equal(location.origin + location.pathname, 'https://platform.example.com/authorized');
  t.equal(location.searchParams.get('state'), '42', 'the redirect_uri keeps its own query');
  t.equal(location.searchParams.get('expires_in'), '600');
  const authCode = location.searchParams.get('auth_code')!;
  t.match(authCode, /^queryauthcode@@@/);

  const [account] = sandbox.accounts();
  t.equal(account.authorization, 'authorized');
  t.equal(account.followers, 3, 'a new account, with the default followers');
  t.equal(account.exchanged, false);

  await sandbox.pushes.settled();
  const [event] = receiver.of('authorized');
  t.same(Object.keys(event.event), ['AppId', 'CreateTime', 'InfoType', 'AuthorizerAppid', 'AuthorizationCode', 'AuthorizationCodeExpiredTime', 'PreAuthCode']);
  t.equal(event.path, '/wechat/component');
  t.equal(event.envelope.AppId, COMPONENT.appid);
  t.equal(event.event.AuthorizerAppid, account.appid);
  t.equal(event.event.AuthorizationCode, authCode);
  t.equal(event.event.PreAuthCode, code);
  t.equal(Number(event.event.AuthorizationCodeExpiredTime), Number(event.event.CreateTime) + 600, 'an absolute epoch time');

  const q = await call(sandbox, 'cgi-bin/component/api_query_auth', { component_access_token: token }, { component_appid: COMPONENT.appid, authorization_code: authCode });
  t.equal(q.body.authorization_info.authorizer_appid, account.appid);

  const reused = await fetch(
    pageUrl(sandbox.url, '/cgi-bin/componentloginpage', { component_appid: COMPONENT.appid, pre_auth_code: code, redirect_uri: 'https://platform.example.com/' }),
    { redirect: 'manual' },
  );
  t.equal(reused.status, 400, 'a pre-auth code is used once');
  t.match(await reused.text(), /single-use/);
  const wrong = await fetch(
    pageUrl(sandbox.url, '/cgi-bin/componentloginpage', {
      component_appid: 'wx9999999999999999',
      pre_auth_code: await preAuthCode(sandbox, token),
      redirect_uri: 'https://platform.example.com/',
    }),
    { redirect: 'manual' },
  );
  t.equal(wrong.status, 400);
});

t.test('the mobile page with biz_appid authorizes that account; unauthorize pushes unauthorized', async (t) => {
  const receiver = await startReceiver(t);
  const { sandbox } = await sandboxFor(t, { callbackUrl: receiver.url });
  const token = await componentToken(sandbox);
  const made = sandbox.createAccount({ nickname: '测试服务号', followers: 7 });

  const res = await fetch(
    pageUrl(sandbox.url, '/safe/bindcomponent', {
      action: 'bindcomponent',
      no_scan: '1',
      component_appid: COMPONENT.appid,
      pre_auth_code: await preAuthCode(sandbox, token),
      redirect_uri: 'http://127.0.0.1:1/cb',
      biz_appid: made.appid,
    }),
    { redirect: 'manual' },
  );
  t.equal(res.status, 302);
  const authCode = new URL(res.headers.get('location')!).searchParams.get('auth_code')!;
  t.equal(sandbox.accounts().length, 1, 'no new account');
  const first = await call(sandbox, 'cgi-bin/component/api_query_auth', { component_access_token: token }, { component_appid: COMPONENT.appid, authorization_code: authCode });
  const refresh = first.body.authorization_info.authorizer_refresh_token;

  await sandbox.unauthorize(made.appid);
  const [gone] = receiver.of('unauthorized');
  t.same(gone.event, { AppId: COMPONENT.appid, CreateTime: gone.event.CreateTime, InfoType: 'unauthorized', AuthorizerAppid: made.appid });
  t.equal(sandbox.account(made.appid).authorization, 'revoked');
  await t.rejects(sandbox.unauthorize(made.appid), /not authorized/);

  const back = await sandbox.authorize({ preAuthCode: await preAuthCode(sandbox, token), appid: made.appid });
  t.equal(back.infoType, 'authorized', 'authorized again after unauthorized');
  const second = await call(sandbox, 'cgi-bin/component/api_query_auth', { component_access_token: token }, { component_appid: COMPONENT.appid, authorization_code: back.authCode });
  t.not(second.body.authorization_info.authorizer_refresh_token, refresh, 'a new authorization has a new refresh token');
  t.equal(receiver.of('authorized').length, 2);
  t.same(receiver.problems, []);
});
