import t from 'tap';
import {
  authCodeFromAnswer,
  authCodeFromRedirectUrl,
  authorizationLinks,
  authorizationPagesOrigin,
  checkRedirectUri,
  parseAuthType,
} from '../../../src/core/accounts/links.js';
import { UsageError } from '../../../src/errors.js';

t.test("WeChat's API origin means mp.weixin.qq.com pages; any other origin serves its own", async (t) => {
  t.equal(authorizationPagesOrigin('https://api.weixin.qq.com'), 'https://mp.weixin.qq.com');
  t.equal(authorizationPagesOrigin('https://api.weixin.qq.com/'), 'https://mp.weixin.qq.com');
  t.equal(authorizationPagesOrigin('http://127.0.0.1:4321'), 'http://127.0.0.1:4321');
});

t.test('the PC and mobile links (wechat-api.md §1.4)', async (t) => {
  const links = authorizationLinks({
    pagesOrigin: 'https://mp.weixin.qq.com',
    componentAppid: 'wx1234567890abcdef',
    preAuthCode: 'preauthcode@@@abc-DEF_1',
    redirectUri: 'https://platform.example.com/authorized?from=cli&x=1 2',
    authType: 1,
    expiresIn: 600,
  });
  const pc = new URL(links.pc);
  t.equal(pc.origin + pc.pathname, 'https://mp.weixin.qq.com/cgi-bin/componentloginpage');
  t.same([...pc.searchParams.keys()], ['component_appid', 'pre_auth_code', 'redirect_uri', 'auth_type']);
  t.equal(pc.searchParams.get('component_appid'), 'wx1234567890abcdef');
  t.equal(pc.searchParams.get('pre_auth_code'), 'preauthcode@@@abc-DEF_1');
  t.equal(pc.searchParams.get('redirect_uri'), 'https://platform.example.com/authorized?from=cli&x=1 2');
  t.equal(pc.searchParams.get('auth_type'), '1');
  t.match(links.pc, /redirect_uri=https%3A%2F%2Fplatform\.example\.com%2Fauthorized%3Ffrom%3Dcli%26x%3D1%202/, 'redirect_uri URL-encoded');

  const mobile = new URL(links.mobile);
  t.equal(mobile.origin + mobile.pathname, 'https://mp.weixin.qq.com/safe/bindcomponent');
  t.equal(mobile.hash, '#wechat_redirect');
  t.equal(mobile.searchParams.get('action'), 'bindcomponent');
  t.equal(mobile.searchParams.get('no_scan'), '1');
  t.equal(mobile.searchParams.getAll('auth_type').length, 1, 'auth_type once (the doc once showed it twice)');
  t.equal(mobile.searchParams.get('pre_auth_code'), 'preauthcode@@@abc-DEF_1');
  t.notOk(mobile.searchParams.has('biz_appid'), 'biz_appid and auth_type are exclusive');
});

t.test('auth type', async (t) => {
  t.equal(parseAuthType(undefined), 1, 'official accounts by default');
  t.equal(parseAuthType('3'), 3);
  for (const bad of ['0', '4', 'x', '']) t.throws(() => parseAuthType(bad), UsageError);
});

t.test('redirect URI', async (t) => {
  t.equal(checkRedirectUri(' https://a.example.com/cb '), 'https://a.example.com/cb');
  for (const bad of ['a.example.com/cb', 'ftp://a.example.com', '', 'https://']) t.throws(() => checkRedirectUri(bad), UsageError, bad);
});

t.test('the code from the redirect URL', async (t) => {
  t.equal(
    authCodeFromRedirectUrl('https://platform.example.com/authorized?auth_code=queryauthcode%40%40%40Abc_1-2&expires_in=600'),
    'queryauthcode@@@Abc_1-2',
  );
  t.equal(authCodeFromRedirectUrl('http://127.0.0.1:9/cb?x=1&auth_code=abc'), 'abc');
  t.throws(() => authCodeFromRedirectUrl('not a url'), /malformed redirect URL/);
  t.throws(() => authCodeFromRedirectUrl('mailto:someone@example.com'), /malformed redirect URL/);
  t.throws(() => authCodeFromRedirectUrl('https://platform.example.com/authorized?expires_in=600'), /no auth_code/);
  t.throws(() => authCodeFromRedirectUrl('https://platform.example.com/authorized?auth_code=&expires_in=600'), /no auth_code/);
  t.throws(() => authCodeFromRedirectUrl('https://platform.example.com/authorized?auth_code=a%20b'), /malformed authorization code/);
});

t.test('what is pasted at the prompt: a URL or a bare code', async (t) => {
  t.equal(authCodeFromAnswer('  queryauthcode@@@xyz  '), 'queryauthcode@@@xyz');
  t.equal(authCodeFromAnswer('https://p.example.com/cb?auth_code=queryauthcode%40%40%40xyz&expires_in=600'), 'queryauthcode@@@xyz');
  t.throws(() => authCodeFromAnswer('https://p.example.com/cb?expires_in=600'), /no auth_code/);
  t.throws(() => authCodeFromAnswer('two words'), /malformed authorization code/);
  t.throws(() => authCodeFromAnswer(''), /malformed authorization code/);
  t.throws(() => authCodeFromAnswer('?auth_code=x'), /malformed redirect URL/, 'a half URL is not taken for a code');
});
