import t, { type Test } from 'tap';
import { describeMessage } from '../../../src/core/callbacks/message.js';
import { CallbackRejectedError, verifyCallback, verifyEcho, type RejectReason } from '../../../src/core/callbacks/verify.js';
import { MessageCrypto } from '../../../src/wechat/crypto.js';
import { COMPONENT, componentCrypto, fixture, receiptXml, signedPost, subscriptionXml, ticketXml } from './helpers.js';

const now = new Date('2026-11-28T08:00:00Z');
const crypto = componentCrypto();
const opts = { crypto, maxSkewSeconds: 300, now };

function rejects(t: Test, fn: () => unknown, reason: RejectReason, status: number, detail?: RegExp) {
  try {
    fn();
    t.fail(`expected a ${reason} rejection`);
  } catch (err) {
    t.type(err, CallbackRejectedError);
    const e = err as CallbackRejectedError;
    t.equal(e.reason, reason, `reason ${reason}`);
    t.equal(e.status, status, `status ${status}`);
    if (detail) t.match(e.message, detail);
  }
}

t.test('a safe-mode request: msg_signature, decryption, AppId, timestamp', async (t) => {
  const xml = ticketXml(now, 'ticket@@@abc');
  const req = signedPost('/wechat/component', xml, { now });
  const v = verifyCallback(req.query, req.body, opts);
  t.equal(v.xml, xml, 'the decrypted XML is kept exactly');
  t.equal(v.fields.InfoType, 'component_verify_ticket');
  t.equal(v.fields.ComponentVerifyTicket, 'ticket@@@abc');
});

t.test("the reference's encrypted fixtures are accepted with the skew check off", async (t) => {
  const vectors = JSON.parse(fixture('crypto-vectors.json')).vectors as Array<Record<string, any>>;
  const cases = [
    { file: 'component_verify_ticket.safe_mode_request.easyswoole.json', vector: 'easyswoole-component-verify-ticket-push' },
    { file: 'official_account_text.safe_mode_request.easyswoole.json', vector: 'easyswoole-official-account-safe-mode' },
  ];
  for (const c of cases) {
    const f = JSON.parse(fixture(`callbacks/${c.file}`));
    const v = vectors.find((x) => x.id === c.vector)!;
    const vc = new MessageCrypto({ token: v.token, encodingAesKey: v.encoding_aes_key, receiveId: v.receive_id });
    const query = new URLSearchParams(f.query);
    const got = verifyCallback(query, f.body, { crypto: vc, maxSkewSeconds: 0, now });
    for (const part of v.expected_contains) t.ok(got.xml.includes(part), `${c.file}: decrypted message has ${part}`);
    rejects(t, () => verifyCallback(query, f.body, { crypto: vc, maxSkewSeconds: 300, now }), 'timestamp', 403);
  }
});

t.test('every rejection has its own status and reason', async (t) => {
  const xml = receiptXml(now, '3717005636572528642');
  const good = signedPost('/wechat/accounts/wxf8b4f85f3a794e77', xml, { now });
  const account = opts;

  const badSig = new URLSearchParams(good.query);
  badSig.set('msg_signature', '0'.repeat(40));
  rejects(t, () => verifyCallback(badSig, good.body, account), 'signature', 401, /does not match/);
  const noSig = new URLSearchParams(good.query);
  noSig.delete('msg_signature');
  rejects(t, () => verifyCallback(noSig, good.body, account), 'signature', 401, /missing/);
  const otherNonce = new URLSearchParams(good.query);
  otherNonce.set('nonce', '1');
  rejects(t, () => verifyCallback(otherNonce, good.body, account), 'signature', 401);

  // Signed correctly, but not decryptable with our key: random blocks, and not base64 at all.
  for (const encrypt of [Buffer.alloc(64, 7).toString('base64'), 'not*base64']) {
    const ts = String(Math.floor(now.getTime() / 1000));
    const q = new URLSearchParams({ timestamp: ts, nonce: '5', encrypt_type: 'aes', msg_signature: crypto.msgSignature(ts, '5', encrypt) });
    rejects(t, () => verifyCallback(q, `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`, account), 'decrypt', 422, /cannot decrypt/);
  }

  const foreign = signedPost('/wechat/component', xml, { now, receiveId: 'wx0000000000000000' });
  rejects(t, () => verifyCallback(foreign.query, foreign.body, opts), 'appid', 421, /wx0000000000000000/);

  for (const offset of [-301, 301]) {
    const skewed = signedPost('/wechat/component', xml, { now, timestamp: Math.floor(now.getTime() / 1000) + offset });
    rejects(t, () => verifyCallback(skewed.query, skewed.body, opts), 'timestamp', 403, /301 s/);
  }
  const inside = signedPost('/wechat/component', xml, { now, timestamp: Math.floor(now.getTime() / 1000) - 299 });
  t.ok(verifyCallback(inside.query, inside.body, opts), 'inside the window');
  const q = new URLSearchParams({ timestamp: 'soon', nonce: '5' });
  const sealed = crypto.sealEnvelope(xml, 'soon', '5');
  q.set('msg_signature', sealed.msgSignature);
  rejects(t, () => verifyCallback(q, `<xml><Encrypt>${sealed.encrypt}</Encrypt></xml>`, opts), 'timestamp', 403, /not a number/);
  t.ok(verifyCallback(q, `<xml><Encrypt>${sealed.encrypt}</Encrypt></xml>`, { ...opts, maxSkewSeconds: 0 }), 'skew 0: no check');

  rejects(t, () => verifyCallback(good.query, `<!DOCTYPE xml [<!ENTITY a "b">]>${good.body}`, account), 'xml-doctype', 400);
  rejects(t, () => verifyCallback(good.query, '<xml><Encrypt>&ext;</Encrypt></xml>', account), 'xml-entity', 400);
  rejects(t, () => verifyCallback(good.query, '<xml><Encrypt>', account), 'xml-malformed', 400);
  rejects(t, () => verifyCallback(good.query, '', account), 'xml-malformed', 400);
  rejects(t, () => verifyCallback(good.query, `<xml><A>${'x'.repeat(70_000)}</A></xml>`, account), 'too-large', 413);
  rejects(t, () => verifyCallback(good.query, '<xml><ToUserName>gh_1</ToUserName></xml>', account), 'plaintext', 415);
  rejects(t, () => verifyCallback(good.query, '<xml><ToUserName>gh_1</ToUserName><Encrypt></Encrypt></xml>', account), 'no-encrypt', 400);

  // A DOCTYPE or entity inside the encrypted message is refused the same way.
  const evil = signedPost('/wechat/component', '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><A>&x;</A></xml>', { now });
  rejects(t, () => verifyCallback(evil.query, evil.body, opts), 'xml-doctype', 400, /decrypted/);
});

t.test('plaintext is refused, whatever its signature: it covers the token, timestamp and nonce, not the body', async (t) => {
  // What an attacker holding one push URL can build: the real signature, timestamp and nonce, and a
  // body of their own. Before, this was accepted (and, on the component route, processed).
  const real = signedPost('/wechat/component', ticketXml(now), { now });
  const forged = new URLSearchParams(real.query);
  forged.delete('encrypt_type');
  forged.delete('msg_signature');
  t.equal(forged.get('signature'), crypto.signature(forged.get('timestamp')!, forged.get('nonce')!), 'the signature is genuine');
  const ts = forged.get('timestamp')!;
  const unauthorized = `<xml><AppId><![CDATA[${COMPONENT.appid}]]></AppId><CreateTime>${ts}</CreateTime><InfoType><![CDATA[unauthorized]]></InfoType><AuthorizerAppid><![CDATA[wxf8b4f85f3a794e77]]></AuthorizerAppid></xml>`;
  rejects(t, () => verifyCallback(forged, unauthorized, opts), 'plaintext', 415, /only safe mode/);
  const unsubscribe = subscriptionXml(now, 'unsubscribe', 'oVictim');
  rejects(t, () => verifyCallback(forged, unsubscribe, opts), 'plaintext', 415);
  // …and with encrypt_type=aes kept, or a msg_signature made up, still no.
  const withAes = new URLSearchParams(forged);
  withAes.set('encrypt_type', 'aes');
  rejects(t, () => verifyCallback(withAes, unauthorized, opts), 'plaintext', 415);
  withAes.set('msg_signature', forged.get('signature')!);
  rejects(t, () => verifyCallback(withAes, unsubscribe, opts), 'plaintext', 415);
});

t.test('GET URL verification answers echostr when the signature is right', async (t) => {
  // The official doc vector (token AAAAA).
  const doc = new MessageCrypto({ token: 'AAAAA', encodingAesKey: 'A'.repeat(43), receiveId: 'wx134c8103faa5a59e' });
  const ts = '1714036504';
  const nonce = '1514711492';
  const q = new URLSearchParams({ signature: doc.signature(ts, nonce), timestamp: ts, nonce, echostr: '4375120948345356249' });
  const then = new Date(Number(ts) * 1000 + 10_000);
  t.equal(verifyEcho(q, { crypto: doc, maxSkewSeconds: 300, now: then }), '4375120948345356249');
  // The same skew as a POST: an old URL (from a log) does not verify again.
  rejects(t, () => verifyEcho(q, { crypto: doc, maxSkewSeconds: 300, now: new Date(Number(ts) * 1000 + 301_000) }), 'timestamp', 403);
  t.equal(verifyEcho(q, { crypto: doc, maxSkewSeconds: 0, now }), '4375120948345356249', 'skew 0: no check');
  q.set('signature', '0'.repeat(40));
  rejects(t, () => verifyEcho(q, { crypto: doc, maxSkewSeconds: 300, now: then }), 'signature', 401);
  q.delete('echostr');
  rejects(t, () => verifyEcho(q, { crypto: doc, maxSkewSeconds: 300, now: then }), 'no-echostr', 400);
});

t.test('dedupe keys: one per push, the same for its retries', async (t) => {
  const xml = receiptXml(now, '3717005636572528642');
  const a = signedPost('/wechat/accounts/wxf8b4f85f3a794e77', xml, { now });
  const b = signedPost('/wechat/accounts/wxf8b4f85f3a794e77', xml, { now });
  t.not(a.body, b.body, 'each retry is encrypted afresh');
  const key = (r: typeof a) => {
    const v = verifyCallback(r.query, r.body, opts);
    return describeMessage('account', 'wxf8b4f85f3a794e77', v.fields, now);
  };
  const da = key(a);
  t.equal(da.dedupeKey, key(b).dedupeKey);
  t.equal(da.eventType, 'TEMPLATESENDJOBFINISH');
  t.equal(da.appid, 'wxf8b4f85f3a794e77');
  t.same(da.messageTime, new Date(Math.floor(now.getTime() / 1000) * 1000));
  t.match(da.dedupeKey, /3717005636572528642/, 'the msgid digits exactly');
  const other = signedPost('/wechat/accounts/wxf8b4f85f3a794e77', receiptXml(now, '3717005636572528643'), { now });
  t.not(key(other).dedupeKey, da.dedupeKey, 'another msgid, another key');
  const fields = verifyCallback(a.query, a.body, opts).fields;
  t.not(describeMessage('account', 'wx0000000000000000', fields, now).dedupeKey, da.dedupeKey, 'another account, another key');

  const t1 = describeMessage('component', null, { InfoType: 'component_verify_ticket', CreateTime: '1413192605', ComponentVerifyTicket: 'secret-ish' }, now);
  const t2 = describeMessage('component', null, { InfoType: 'component_verify_ticket', CreateTime: '1413193205', ComponentVerifyTicket: 'secret-ish' }, now);
  t.not(t1.dedupeKey, t2.dedupeKey, 'the next ticket push is a new row');
  t.notMatch(t1.dedupeKey, /secret-ish/, 'the ticket is not in the key');
  t.equal(t1.appid, null);
  const auth = describeMessage('component', null, { InfoType: 'authorized', CreateTime: '1', AuthorizerAppid: 'wxf8b4f85f3a794e77' }, now);
  t.equal(auth.appid, 'wxf8b4f85f3a794e77');
  t.equal(auth.eventType, 'authorized');
  const noTime1 = describeMessage('component', null, { InfoType: 'x', A: '1' }, now);
  const noTime2 = describeMessage('component', null, { InfoType: 'x', A: '2' }, now);
  t.not(noTime1.dedupeKey, noTime2.dedupeKey, 'without CreateTime the key is the content');
  const text = describeMessage('account', 'wxf8b4f85f3a794e77', { MsgType: 'text', FromUserName: 'o1', CreateTime: '5', MsgId: '22994982940022977' }, now);
  t.equal(text.eventType, 'text');
  const long = describeMessage('account', 'wxf8b4f85f3a794e77', { MsgType: 'event', Event: 'x'.repeat(300), FromUserName: 'o1', CreateTime: '5' }, now);
  t.ok(long.dedupeKey.length <= 191, 'long keys are hashed');
});

t.test('events without a MsgId: what tells them apart is in the key, and retries still collapse', async (t) => {
  const created = String(Math.floor(now.getTime() / 1000));
  const click = (key: string) => ({ ToUserName: 'gh_eb5e3a772040', FromUserName: 'oClicker', CreateTime: created, MsgType: 'event', Event: 'CLICK', EventKey: key });
  const a = describeMessage('account', 'wxf8b4f85f3a794e77', click('MENU_A'), now);
  const b = describeMessage('account', 'wxf8b4f85f3a794e77', click('MENU_B'), now);
  t.not(a.dedupeKey, b.dedupeKey, 'two clicks in one second on two menus are two rows');
  t.equal(describeMessage('account', 'wxf8b4f85f3a794e77', { ...click('MENU_A') }, now).dedupeKey, a.dedupeKey, "WeChat's retry: the same key");
  // The same fields in another order (a retry written differently) are the same push.
  const reordered = Object.fromEntries(Object.entries(click('MENU_A')).reverse());
  t.equal(describeMessage('account', 'wxf8b4f85f3a794e77', reordered, now).dedupeKey, a.dedupeKey, 'field order does not matter');
  const scan = (ticket: string) => ({ ...click('123'), Event: 'SCAN', Ticket: ticket });
  t.not(describeMessage('account', 'wxf8b4f85f3a794e77', scan('T1'), now).dedupeKey, describeMessage('account', 'wxf8b4f85f3a794e77', scan('T2'), now).dedupeKey, 'two scans');
  const location = (lat: string) => ({ ...click(''), Event: 'LOCATION', Latitude: lat, Longitude: '113.3', Precision: '119' });
  t.not(describeMessage('account', 'wxf8b4f85f3a794e77', location('23.1'), now).dedupeKey, describeMessage('account', 'wxf8b4f85f3a794e77', location('23.2'), now).dedupeKey, 'two locations');
  // Two authorization events of one account in one second with different codes are two rows too.
  const auth = (code: string) => ({ AppId: COMPONENT.appid, CreateTime: created, InfoType: 'updateauthorized', AuthorizerAppid: 'wxf8b4f85f3a794e77', AuthorizationCode: code });
  t.not(describeMessage('component', null, auth('c1'), now).dedupeKey, describeMessage('component', null, auth('c2'), now).dedupeKey);
  // openids differ by case: two keys (the column compares bytes; the receiver test shows it on MySQL).
  const sub = (openid: string) => ({ ...click(''), FromUserName: openid, Event: 'subscribe' });
  t.not(describeMessage('account', 'wxf8b4f85f3a794e77', sub('oAbc'), now).dedupeKey, describeMessage('account', 'wxf8b4f85f3a794e77', sub('oABC'), now).dedupeKey);
});

t.test('CreateTime is kept only when it is a plausible time', async (t) => {
  const at = (createTime: string) => describeMessage('account', 'wxf8b4f85f3a794e77', { MsgType: 'event', Event: 'subscribe', FromUserName: 'o1', CreateTime: createTime }, now).messageTime;
  t.same(at(String(now.getTime() / 1000)), now);
  t.equal(at('999999999999'), null, 'year 33658: null, not a value the database refuses');
  t.equal(at(String(now.getTime() / 1000 + 2 * 86400)), null, 'two days ahead');
  t.equal(at('5'), null, '1970');
  t.equal(at('x'), null);
});
