import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { accountWithTemplate, call, COMPONENT, sandboxFor, startReceiver } from './helpers.js';
import { until } from '../helpers/wait.js';

t.test('a ticket is pushed at start, signed and encrypted like WeChat, and it works', async (t) => {
  const receiver = await startReceiver(t);
  const { sandbox } = await sandboxFor(t, { callbackUrl: receiver.url });
  await sandbox.pushes.settled();
  t.same(receiver.problems, [], 'signature and msg_signature verify, the body decrypts');
  const [push] = receiver.of('component_verify_ticket');
  t.ok(push);
  t.equal(push.path, '/wechat/component');
  t.same([...push.query.keys()], ['signature', 'timestamp', 'nonce', 'encrypt_type', 'msg_signature']);
  t.equal(push.query.get('encrypt_type'), 'aes');
  t.match(push.raw, /^<xml><AppId><!\[CDATA\[wx0123456789abcdef\]\]><\/AppId><Encrypt><!\[CDATA\[[A-Za-z0-9+/=]+\]\]><\/Encrypt><\/xml>$/);
  t.equal(push.receiveId, COMPONENT.appid, 'encrypted for the component appid');
  t.same(Object.keys(push.event), ['AppId', 'CreateTime', 'InfoType', 'ComponentVerifyTicket']);
  t.equal(push.event.AppId, COMPONENT.appid);
  t.equal(push.event.CreateTime, push.query.get('timestamp'));
  t.equal(push.event.ComponentVerifyTicket, sandbox.latestTicket());
  t.match(push.plaintext, /<CreateTime>\d+<\/CreateTime><InfoType><!\[CDATA\[component_verify_ticket\]\]><\/InfoType>/);
  const token = await call(sandbox, 'cgi-bin/component/api_component_token', {}, {
    component_appid: COMPONENT.appid,
    component_appsecret: COMPONENT.appsecret,
    component_verify_ticket: push.event.ComponentVerifyTicket,
  });
  t.ok(token.body.component_access_token, 'the pushed ticket buys a token');
});

t.test('tickets are pushed every N seconds', async (t) => {
  const receiver = await startReceiver(t);
  await sandboxFor(t, { callbackUrl: receiver.url, ticketIntervalSeconds: 1 });
  await until(() => receiver.of('component_verify_ticket').length >= 3, 'three tickets');
  const tickets = receiver.of('component_verify_ticket').map((p) => p.event.ComponentVerifyTicket);
  t.equal(new Set(tickets).size, tickets.length, 'a new ticket each time');
});

t.test('a push not answered `success` is tried three times in all, with the same message', async (t) => {
  const receiver = await startReceiver(t, (attempt) => (attempt < 3 ? 'fail' : 'success'));
  const { sandbox } = await sandboxFor(t, { pushRetryDelayMs: 10 });
  sandbox.callbackUrl = receiver.url;
  await sandbox.pushTicket();
  t.equal(receiver.attempts, 3);
  t.equal(new Set(receiver.pushes.map((p) => p.envelope.Encrypt)).size, 1, 'a retry carries the same message');
  const [record] = sandbox.pushes.recent();
  t.match(record, { kind: 'component_verify_ticket', outcome: 'delivered', attempts: 3, status: 200 });

  const stubborn = await startReceiver(t, () => 'fail');
  sandbox.callbackUrl = stubborn.url;
  await sandbox.pushTicket();
  t.equal(stubborn.attempts, 3, 'no fourth attempt');
  const failed = sandbox.pushes.recent().at(-1);
  t.match(failed, { outcome: 'failed', attempts: 3, status: 200 });
  t.match(failed?.error, /fail/);
  t.match(sandbox.pushes.stats(), { delivered: 1, failed: 1 });
});

t.test('a receiver that does not answer in time counts as a failed attempt', async (t) => {
  const silent = await startReceiver(t, () => null);
  const { sandbox } = await sandboxFor(t, { pushTimeoutMs: 200, pushRetryDelayMs: 10 });
  sandbox.callbackUrl = silent.url;
  await sandbox.pushTicket();
  t.equal(silent.attempts, 3);
  t.match(sandbox.pushes.recent().at(-1), { outcome: 'failed', attempts: 3, error: /no answer within 200 ms/ });
});

t.test('closing the sandbox settles every push still waiting', async (t) => {
  const silent = await startReceiver(t, () => null);
  const { sandbox } = await sandboxFor(t, { pushTimeoutMs: 60_000, pushConcurrency: 1 });
  sandbox.callbackUrl = silent.url;
  const inFlight = sandbox.pushTicket();
  const queued = sandbox.pushTicket();
  await until(() => silent.attempts === 1, 'the first push to arrive');
  await sandbox.close();
  await Promise.all([inFlight, queued]);
  t.match(sandbox.pushes.stats(), { failed: 1, skipped: 1, queued: 0, inFlight: 0 });
  await sandbox.pushTicket();
  t.match(sandbox.pushes.recent().at(-1), { outcome: 'skipped', error: 'the sandbox closed' });
});

t.test('a receiver that is down: three failed attempts, and the sandbox carries on', async (t) => {
  const { sandbox } = await sandboxFor(t, { pushRetryDelayMs: 10 });
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  sandbox.callbackUrl = `http://127.0.0.1:${port}`;
  await sandbox.pushTicket();
  t.match(sandbox.pushes.recent().at(-1), { outcome: 'failed', attempts: 3, error: /ECONNREFUSED/ });
  sandbox.callbackUrl = undefined;
  await sandbox.pushTicket();
  t.match(sandbox.pushes.recent().at(-1), { outcome: 'skipped', attempts: 0 }, 'no callback URL: nothing pushed');
});

t.test('sends never wait for their receipts; receipts go out with bounded concurrency', async (t) => {
  let open = 0;
  let most = 0;
  let received = 0;
  // The receiver holds every receipt until the sends are all answered.
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const held = http.createServer((req, res) => {
    open++;
    most = Math.max(most, open);
    req.resume();
    req.on('end', () =>
      void gate.then(() => {
        open--;
        received++;
        res.end('success');
      }),
    );
  });
  await new Promise<void>((r) => held.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => held.close(() => r())));
  const { sandbox } = await sandboxFor(t, { pushConcurrency: 4, pushTimeoutMs: 60_000 });
  const a = await accountWithTemplate(sandbox, { followers: 200 });
  sandbox.callbackUrl = `http://127.0.0.1:${(held.address() as AddressInfo).port}`;
  const openids = sandbox.followerOpenids(a.appid, 0, 200);
  const answers = await Promise.all(
    openids.map((touser) => call(sandbox, 'cgi-bin/message/template/send', { access_token: a.accessToken }, { touser, template_id: a.templateId })),
  );
  t.ok(answers.every((r) => r.body.errcode === 0), 'all 200 answered while no receipt was acknowledged');
  t.equal(received, 0);
  t.match(sandbox.pushes.stats(), { delivered: 0, inFlight: 4, queued: 196 });
  release();
  await sandbox.pushes.settled();
  t.equal(received, 200);
  t.ok(most <= 4, `at most 4 receipts in flight (saw ${most})`);
  t.match(sandbox.pushes.stats(), { delivered: 200, queued: 0, inFlight: 0 });
});
