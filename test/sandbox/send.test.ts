import t from 'tap';
import { accountWithTemplate, call, refreshedAccessToken, sandboxFor, startReceiver } from './helpers.js';

const SEND = 'cgi-bin/message/template/send';

t.test('a send answers a msgid above 2^53 as a bare JSON number, counting up', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const a = await accountWithTemplate(sandbox);
  const [to] = sandbox.followerOpenids(a.appid, 0, 1);
  const body = { touser: to, template_id: a.templateId, url: 'http://weixin.qq.com/download', data: { character_string1: { value: 'SN1' } } };
  const first = await call(sandbox, SEND, { access_token: a.accessToken }, body);
  t.equal(first.text, '{"errcode":0,"errmsg":"ok","msgid":3717005636572528642}', 'the raw text, digit for digit');
  t.not(String(first.body.msgid), '3717005636572528642', 'JSON.parse would round it: clients must not use it');
  const second = await call(sandbox, SEND, { access_token: a.accessToken }, body);
  t.match(second.text, /"msgid":3717005636572528643\}$/);
  t.equal(sandbox.log.deliveries(a.appid, to), 2, 'no client_msg_id: two messages');
  t.equal(sandbox.log.count(SEND), 2);
  t.equal(sandbox.log.count(`/${SEND}`), 2, 'a leading slash is fine');
});

t.test('refusals: template, openid, subscription, recipient, keyword values', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const a = await accountWithTemplate(sandbox, { followers: 5 });
  const other = await accountWithTemplate(sandbox, { followers: 5 });
  const q = { access_token: a.accessToken };
  const [o0, o1, o2] = sandbox.followerOpenids(a.appid, 0, 3) as [string, string, string];
  const send = (body: Record<string, unknown>) => call(sandbox, SEND, q, { touser: o0, template_id: a.templateId, ...body });

  const unknown = await send({ template_id: other.templateId });
  t.equal(unknown.body.errcode, 40037, "another account's template");
  t.match(unknown.body.errmsg, /^invalid template_id rid: /);
  t.equal((await send({ template_id: undefined })).body.errcode, 40036);
  const foreign = await send({ touser: sandbox.followerOpenids(other.appid, 0, 1)[0] });
  t.equal(foreign.body.errcode, 40003, "another account's follower");
  t.match(foreign.body.errmsg, /^invalid openid rid: /);
  t.equal((await send({ touser: 'oTotallyMadeUpOpenid00000000' })).body.errcode, 40003);
  t.equal((await send({ touser: sandbox.followerOpenids(a.appid, 0, 5)[4] })).body.errcode, 0);

  sandbox.unsubscribe(a.appid, o1);
  const gone = await send({ touser: o1 });
  t.equal(gone.body.errcode, 43004);
  t.match(gone.body.errmsg, /^require subscribe rid: /);
  sandbox.setFollowers(a.appid, 2);
  t.equal((await send({ touser: sandbox.followerOpenids(other.appid, 0, 1)[0] })).body.errcode, 40003);
  t.equal((await send({ touser: o2 })).body.errcode, 43004, 'an openid of ours beyond the follower count');

  sandbox.refuseRecipient(a.appid, o0);
  const refused = await send({});
  t.equal(refused.body.errcode, 43101);
  t.match(refused.body.errmsg, /^user refuse to accept the msg rid: /);
  sandbox.refuseRecipient(a.appid, o0, 40003);
  t.equal((await send({})).body.errcode, 40003);
  sandbox.refuseRecipient(a.appid, o0, null);
  t.equal((await send({})).body.errcode, 0, 'accepted again');

  const typed = await send({ data: { amount2: { value: 'lots' } } });
  t.equal(typed.body.errcode, 47003);
  t.match(typed.body.errmsg, /^argument invalid! data\.amount2\.value invalid rid: /);
  t.equal((await send({ data: { character_string1: { value: 'x'.repeat(33) } } })).body.errcode, 47003);
  t.equal((await send({ data: { amount2: { value: '39.8元' }, first: { value: 'ignored' }, remark: { value: 'ignored' } } })).body.errcode, 0, 'first/remark are accepted (and ignored)');
  t.equal((await send({ miniprogram: { appid: 'wxmini0000000000', pagepath: 'index?foo=bar' } })).body.errcode, 0);
  t.equal((await call(sandbox, SEND, q, 'touser=x')).body.errcode, 47001);
  t.equal(sandbox.log.errors(0, SEND), 4);
  t.equal(sandbox.log.errors(43004, SEND), 2);
});

t.test('client_msg_id: the same id within 10 minutes answers the same msgid and delivers once', async (t) => {
  const { sandbox, clock } = await sandboxFor(t);
  const receiver = await startReceiver(t);
  sandbox.callbackUrl = receiver.url;
  const a = await accountWithTemplate(sandbox);
  const q = { access_token: a.accessToken };
  const [o0, o1] = sandbox.followerOpenids(a.appid, 0, 2) as [string, string];
  const send = (touser: string, id: string) => call(sandbox, SEND, q, { touser, template_id: a.templateId, client_msg_id: id });

  const first = await send(o0, 'job-1:o0');
  const repeat = await send(o0, 'job-1:o0');
  t.equal(repeat.text, first.text, 'the same msgid');
  const otherId = await send(o0, 'job-2:o0');
  t.not(otherId.text, first.text, 'another client_msg_id is another message');
  const otherUser = await send(o1, 'job-1:o0');
  t.not(otherUser.text, first.text, 'the key is (openid, client_msg_id)');
  t.equal(sandbox.log.deliveries(a.appid, o0), 2);
  t.equal(sandbox.log.deliveries(a.appid, o1), 1);

  clock.advance(9 * 60 * 1000 + 59 * 1000);
  t.equal((await send(o0, 'job-1:o0')).text, first.text, 'still inside the window at 9:59');
  clock.advance(1000);
  const later = await send(o0, 'job-1:o0');
  t.not(later.text, first.text, 'after 10 minutes: a new message');
  t.equal(sandbox.log.deliveries(a.appid, o0), 3);
  t.equal(sandbox.log.totalDeliveries(), 4);
  t.equal(sandbox.log.count(SEND), 6);

  await sandbox.pushes.settled();
  const receipts = receiver.of('TEMPLATESENDJOBFINISH');
  t.equal(receipts.length, 4, 'one receipt per delivery, none for the repeats');
  const msgidOf = (text: string) => /"msgid":(\d+)/.exec(text)![1];
  t.same(
    receipts.map((r) => r.event.MsgID).sort(),
    [first.text, otherId.text, otherUser.text, later.text].map(msgidOf).sort(),
    'MsgID is the exact 19-digit string',
  );
});

t.test('daily quota: 45009 once used up, back the next (Beijing) day; quota fault', async (t) => {
  const { sandbox, clock } = await sandboxFor(t, { dailySendQuota: 3 });
  const a = await accountWithTemplate(sandbox);
  const q = { access_token: a.accessToken };
  const [to] = sandbox.followerOpenids(a.appid, 0, 1) as [string];
  const send = (id?: string) => call(sandbox, SEND, q, { touser: to, template_id: a.templateId, client_msg_id: id });
  const firstText = (await send('a')).text;
  await send();
  await send();
  const over = await send();
  t.equal(over.body.errcode, 45009);
  t.match(over.body.errmsg, /^reach max api daily quota limit rid: /);
  t.equal((await send('a')).text, firstText, 'a repeat inside the window still answers its msgid');
  t.equal(sandbox.account(a.appid).sentToday, 3);

  clock.advance(12 * 3600 * 1000); // Beijing midnight
  q.access_token = await refreshedAccessToken(sandbox, a);
  t.equal((await send()).body.errcode, 0, 'a new day');

  sandbox.faults.set({ quotaExhausted: a.appid });
  t.equal((await send()).body.errcode, 45009, 'quota exhausted on demand');
  sandbox.faults.set({ quotaExhausted: false });
  t.equal((await send()).body.errcode, 0);
});

t.test('TEMPLATESENDJOBFINISH reports success or the failure set for a recipient', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const receiver = await startReceiver(t);
  sandbox.callbackUrl = receiver.url;
  const a = await accountWithTemplate(sandbox, { followers: 3 });
  const [o0, o1, o2] = sandbox.followerOpenids(a.appid, 0, 3) as [string, string, string];
  sandbox.failRecipients(a.appid, [o1], 'failed:user block');
  sandbox.failRecipients(a.appid, [o2], 'failed: system failed');
  const sent = new Map<string, string>();
  for (const to of [o0, o1, o2]) {
    const r = await call(sandbox, SEND, { access_token: a.accessToken }, { touser: to, template_id: a.templateId });
    t.equal(r.body.errcode, 0, 'accepted: failures show only in the receipt');
    sent.set(to, /"msgid":(\d+)/.exec(r.text)![1]);
  }
  await sandbox.pushes.settled();
  const receipts = receiver.of('TEMPLATESENDJOBFINISH');
  t.equal(receipts.length, 3);
  for (const r of receipts) {
    t.equal(r.path, `/wechat/accounts/${a.appid}`);
    t.equal(r.envelope.ToUserName, a.userName, 'the envelope names the account');
    t.same(Object.keys(r.event), ['ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Event', 'MsgID', 'Status']);
    t.equal(r.event.ToUserName, a.userName);
    t.equal(r.event.MsgType, 'event');
    t.equal(r.event.MsgID, sent.get(r.event.FromUserName));
    t.equal(r.event.CreateTime, String(Math.floor(sandbox.now().getTime() / 1000)));
    t.equal(r.query.get('openid'), r.event.FromUserName);
    t.match(r.plaintext, /<MsgID>\d{19}<\/MsgID>/, 'MsgID bare, as WeChat writes it');
  }
  const status = Object.fromEntries(receipts.map((r) => [r.event.FromUserName, r.event.Status]));
  t.same(status, { [o0]: 'success', [o1]: 'failed:user block', [o2]: 'failed: system failed' });
  t.equal(sandbox.pushes.stats().byKind.TEMPLATESENDJOBFINISH?.delivered, 3);
});
