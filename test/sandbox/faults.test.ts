import t from 'tap';
import { accountWithTemplate, call, COMPONENT, refreshedAccessToken, sandboxFor } from './helpers.js';

const SEND = 'cgi-bin/message/template/send';

t.test('errorRate 1: every API call answers -1 system error; 0 again: none', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const a = await accountWithTemplate(sandbox);
  sandbox.faults.set({ errorRate: 1 });
  const r = await call(sandbox, 'cgi-bin/template/get_all_private_template', { access_token: a.accessToken });
  t.equal(r.status, 200);
  t.equal(r.body.errcode, -1);
  t.match(r.body.errmsg, /^system error rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
  t.equal((await call(sandbox, 'cgi-bin/component/api_component_token', {}, {})).body.errcode, -1, 'component endpoints too');
  t.equal((await call(sandbox, 'sandbox/state')).status, 200, 'the control API is never faulted');
  sandbox.faults.set({ errorRate: 0 });
  t.ok((await call(sandbox, 'cgi-bin/template/get_all_private_template', { access_token: a.accessToken })).body.template_list);
});

t.test('a share of failures, reproducible from the seed; a failed send delivers nothing', async (t) => {
  const pattern = async (seed: number) => {
    const { sandbox } = await sandboxFor(t, { seed });
    const a = await accountWithTemplate(sandbox, { followers: 200 });
    sandbox.faults.set({ errorRate: 0.3 });
    const outcomes: number[] = [];
    for (const touser of sandbox.followerOpenids(a.appid, 0, 200)) {
      outcomes.push((await call(sandbox, SEND, { access_token: a.accessToken }, { touser, template_id: a.templateId })).body.errcode);
    }
    const failed = outcomes.filter((c) => c === -1).length;
    t.equal(sandbox.log.errors(-1, SEND), failed);
    t.equal(sandbox.log.totalDeliveries(), 200 - failed, 'only accepted sends are delivered');
    t.ok(outcomes.every((c) => c === 0 || c === -1));
    return outcomes.join(',');
  };
  const one = await pattern(11);
  const failures = one.split(',').filter((c) => c === '-1').length;
  t.ok(failures > 20 && failures < 100, `about 30% failed (${failures} of 200)`);
  t.equal(await pattern(11), one, 'the same seed fails the same calls');
});

t.test('latency is added to every API answer', async (t) => {
  const { sandbox } = await sandboxFor(t, { latencyMs: 60 });
  const started = performance.now();
  const r = await call(sandbox, 'cgi-bin/component/api_component_token', {}, {});
  t.ok(performance.now() - started >= 55, 'not sooner than the latency');
  t.equal(r.body.errcode, 61011);
  t.equal(sandbox.faults.settings.latencyMs, 60);
  sandbox.faults.set({ latencyMs: 0 });
  t.equal(sandbox.faults.clear().latencyMs, 60, 'clear goes back to the configured latency');
});

t.test('revokeToken kills an access token (or the component token) now; a refresh brings one back', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const a = await accountWithTemplate(sandbox);
  const q = { access_token: a.accessToken };
  sandbox.faults.set({ revokeToken: a.appid });
  const dead = await call(sandbox, 'cgi-bin/template/get_industry', q);
  t.equal(dead.body.errcode, 40001);
  t.match(dead.body.errmsg, /^invalid credential, access_token is invalid or not latest rid: /);
  const fresh = await refreshedAccessToken(sandbox, a);
  t.equal((await call(sandbox, 'cgi-bin/template/get_industry', { access_token: fresh })).body.primary_industry.first_class, 'IT科技');

  const componentToken = await call(sandbox, 'cgi-bin/component/api_component_token', {}, {
    component_appid: COMPONENT.appid,
    component_appsecret: COMPONENT.appsecret,
    component_verify_ticket: sandbox.latestTicket(),
  });
  const ct = componentToken.body.component_access_token;
  sandbox.faults.set({ revokeToken: COMPONENT.appid });
  const r = await call(sandbox, 'cgi-bin/component/api_create_preauthcode', { component_access_token: ct }, { component_appid: COMPONENT.appid });
  t.equal(r.body.errcode, 40001);
  t.throws(() => sandbox.faults.set({ revokeToken: 'wx0000000000000000' }), /no account/);
});

t.test('quotaExhausted: true stops every account', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const a = await accountWithTemplate(sandbox);
  const [to] = sandbox.followerOpenids(a.appid, 0, 1);
  sandbox.faults.set({ quotaExhausted: true });
  t.equal((await call(sandbox, SEND, { access_token: a.accessToken }, { touser: to, template_id: a.templateId })).body.errcode, 45009);
  sandbox.faults.clear();
  t.equal((await call(sandbox, SEND, { access_token: a.accessToken }, { touser: to, template_id: a.templateId })).body.errcode, 0);
  t.throws(() => sandbox.faults.set({ errorRate: 2 }), /errorRate/);
  t.throws(() => sandbox.faults.set({ latencyMs: -1 }), /latencyMs/);
});
