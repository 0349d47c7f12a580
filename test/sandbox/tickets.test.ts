// The JS-SDK ticket endpoint, cgi-bin/ticket/getticket: WeChat's shape (errcode 0, "ok", ticket,
// expires_in 7200), called with an authorizer token; token and argument errors as WeChat answers them.
import t from 'tap';
import { authorizedAccount, call, refreshedAccessToken, sandboxFor } from './helpers.js';

t.test('getticket: type=jsapi with an authorizer token', async (t) => {
  const { sandbox, clock } = await sandboxFor(t);
  const a = await authorizedAccount(sandbox);
  const r = await call(sandbox, 'cgi-bin/ticket/getticket', { access_token: a.accessToken, type: 'jsapi' });
  t.equal(r.status, 200);
  t.same(Object.keys(r.body), ['errcode', 'errmsg', 'ticket', 'expires_in'], "the doc's field order");
  t.match(r.body, { errcode: 0, errmsg: 'ok', expires_in: 7200 });
  t.match(r.body.ticket, /^[A-Za-z0-9_-]{86}$/);
  const again = await call(sandbox, 'cgi-bin/ticket/getticket', { access_token: a.accessToken, type: 'jsapi' });
  t.not(again.body.ticket, r.body.ticket, 'each call issues a ticket: a client that does not keep it shows in the count');
  t.equal((await call(sandbox, 'cgi-bin/ticket/getticket', { access_token: a.accessToken, type: 'wx_card' })).body.errcode, 0);
  t.equal(sandbox.log.count('cgi-bin/ticket/getticket'), 3);

  t.equal((await call(sandbox, 'cgi-bin/ticket/getticket', { access_token: a.accessToken, type: 'other' })).body.errcode, 40097);
  t.equal((await call(sandbox, 'cgi-bin/ticket/getticket', { access_token: a.accessToken })).body.errcode, 40097);
  t.equal((await call(sandbox, 'cgi-bin/ticket/getticket', { type: 'jsapi' })).body.errcode, 41001);
  t.equal((await call(sandbox, 'cgi-bin/ticket/getticket', { access_token: 'not-a-token', type: 'jsapi' })).body.errcode, 40001);
  t.equal((await call(sandbox, 'cgi-bin/ticket/getticket', { access_token: a.componentToken, type: 'jsapi' })).body.errcode, 40001, 'the component token is not an account token');
  t.equal((await call(sandbox, 'cgi-bin/ticket/getticket', { access_token: a.accessToken, type: 'jsapi' }, {})).body.errcode, 43001, 'GET only');

  clock.advance(7200_000);
  t.equal((await call(sandbox, 'cgi-bin/ticket/getticket', { access_token: a.accessToken, type: 'jsapi' })).body.errcode, 42001);
  const fresh = await refreshedAccessToken(sandbox, a);
  t.equal((await call(sandbox, 'cgi-bin/ticket/getticket', { access_token: fresh, type: 'jsapi' })).body.errcode, 0);
  t.match(sandbox.log.snapshot().endpoints['cgi-bin/ticket/getticket'], { calls: 11, errcodes: { '0': 4, '40097': 2, '41001': 1, '40001': 2, '43001': 1, '42001': 1 } });
});

t.test('getticket needs no particular permission set, but a withdrawn account has no token', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const a = await authorizedAccount(sandbox, { funcIds: [1] });
  t.equal((await call(sandbox, 'cgi-bin/ticket/getticket', { access_token: a.accessToken, type: 'jsapi' })).body.errcode, 0);
  await sandbox.unauthorize(a.appid);
  t.equal((await call(sandbox, 'cgi-bin/ticket/getticket', { access_token: a.accessToken, type: 'jsapi' })).body.errcode, 40001);
});
