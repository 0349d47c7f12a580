// The errcode table and the rid: every WeChat error wxplat makes names its errcode in plain words, says
// what to do, shows its rid and points at `wxplat rid`.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { bareErrmsg, describeWeChatError, ERRCODES, explainErrcode, ridOf } from '../../src/wechat/errcodes.js';
import { maskSecretFields, WeChatError } from '../../src/wechat/errors.js';

t.test('the table covers the errcodes an operator meets', async (t) => {
  for (const code of [40001, 40037, 40246, 43004, 43101, 43116, 43117, 45009, 47003, 48001, 61004, 61023]) {
    const entry = explainErrcode(code);
    t.ok(entry && entry.meaning.length > 10 && entry.action.length > 10, `${code}: ${entry?.meaning}`);
  }
  t.equal(explainErrcode(123456), undefined);
  t.equal(explainErrcode(null), undefined);
  t.notOk(Object.values(ERRCODES).some((e) => /\n/.test(e.meaning + e.action)), 'one line each');
});

t.test('rid and hint suffixes come off errmsg', async (t) => {
  const real = JSON.parse(readFileSync(new URL('../fixtures/errors/47003_argument_invalid.json', import.meta.url), 'utf8'));
  t.equal(ridOf(real.errmsg), '65004ee5-3ca2dfc2-6eb97a55');
  t.equal(bareErrmsg(real.errmsg), 'argument invalid! data.character_string21.value invalid');
  const legacy = JSON.parse(readFileSync(new URL('../fixtures/errors/61023_refresh_token_invalid.legacy_hint.json', import.meta.url), 'utf8'));
  t.equal(ridOf(legacy.errmsg), null, 'the old hint: […] form has no rid');
  t.equal(bareErrmsg(legacy.errmsg), 'refresh_token is invalid');
  t.equal(ridOf(null), null);
  t.equal(
    describeWeChatError(43101, 'user refuse to accept the msg rid: 6583f1a2-0a1b2c3d-4e5f6a7b'),
    '43101 user refuse to accept the msg — the recipient has refused template messages from this account (rid 6583f1a2-0a1b2c3d-4e5f6a7b)',
  );
  t.match(describeWeChatError(45009, 'reach max api daily quota limit rid: 6583f1a2-0a1b2c3d-4e5f6a7b', { action: true }), /daily quota .* used up: it resets at midnight Beijing time/);
  t.equal(describeWeChatError(99999, 'something new'), '99999 something new');
});

t.test('a WeChatError shows the rid and suggests `wxplat rid`', async (t) => {
  const err = new WeChatError({ errcode: 61023, errmsg: 'refresh_token is invalid rid: 6583f1a2-0a1b2c3d-4e5f6a7b', endpoint: 'cgi-bin/component/api_authorizer_token' });
  t.equal(err.message, 'WeChat cgi-bin/component/api_authorizer_token: 61023 refresh_token is invalid (rid 6583f1a2-0a1b2c3d-4e5f6a7b)');
  t.equal(err.rid, '6583f1a2-0a1b2c3d-4e5f6a7b');
  t.match(err.hint, /^WeChat refused the account's refresh token .*: run `wxplat account reconcile`/);
  t.match(err.hint, /`wxplat rid 6583f1a2-0a1b2c3d-4e5f6a7b` shows the request WeChat received$/);
  const network = new WeChatError({ errcode: null, errmsg: 'ECONNREFUSED', endpoint: 'cgi-bin/user/get' });
  t.equal(network.rid, null);
  t.equal(network.hint, undefined);
});

t.test('tokens and secrets in what WeChat shows back are masked', async (t) => {
  t.equal(maskSecretFields('access_token=50_Im7xxxx'), 'access_token=…');
  t.equal(maskSecretFields('component_access_token=abc&openid=o1'), 'component_access_token=…&openid=o1');
  t.equal(
    maskSecretFields('{"component_appid":"wx1","component_appsecret":"s3cr3t","authorizer_refresh_token":"refreshtoken@@@x\\"y"}'),
    '{"component_appid":"wx1","component_appsecret":"…","authorizer_refresh_token":"…"}',
  );
  t.equal(maskSecretFields('{"touser":"o1","data":{"thing1":{"value":"x"}}}'), '{"touser":"o1","data":{"thing1":{"value":"x"}}}', 'the rest is left as it was');
});
