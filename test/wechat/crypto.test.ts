import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import t from 'tap';
import {
  AppIdMismatchError,
  BadKeyError,
  BadPaddingError,
  BadSignatureError,
  CryptoError,
  MalformedCiphertextError,
  MessageCrypto,
  decodeAesKey,
  sha1Signature,
} from '../../src/wechat/crypto.js';
import { buildXml, parseFlatXml, parseXml } from '../../src/wechat/xml.js';

interface Vector {
  id: string;
  kind: string;
  token?: string;
  encoding_aes_key?: string;
  receive_id?: string;
  random?: string;
  plaintext?: string;
  expected_encrypt?: string;
  expected_msg_signature?: string;
  expected_reply_xml?: string;
  timestamp?: string;
  nonce?: string;
  msg_signature?: string;
  encrypt?: string;
  computed_plaintext?: string;
  expected_plaintext?: string;
  expected_contains?: string[];
  pkcs7_pad_len?: number;
  post_body?: string;
  query?: Record<string, string>;
  plain_signature?: string;
  clear_body_sdk_normalized?: string;
  parts?: string[];
  expected?: string;
  echostr?: string;
}

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url);
const vectors = (JSON.parse(readFileSync(fixture('crypto-vectors.json'), 'utf8')) as { vectors: Vector[] }).vectors;
const byId = (id: string): Vector => {
  const v = vectors.find((x) => x.id === id);
  if (!v) throw new Error(`no vector ${id}`);
  return v;
};

function cryptoFor(v: Vector, receiveId = v.receive_id!): MessageCrypto {
  return new MessageCrypto({ token: v.token!, encodingAesKey: v.encoding_aes_key!, receiveId });
}

/** The padded plaintext, decrypted independently of the module (no padding removed). */
function rawDecrypt(encodingAesKey: string, encrypt: string): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  d.setAutoPadding(false);
  return Buffer.concat([d.update(Buffer.from(encrypt, 'base64')), d.final()]);
}

/** Encrypts exactly these bytes (a multiple of 16) — for building bad plaintexts. */
function rawEncrypt(encodingAesKey: string, plain: Buffer): string {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(plain), c.final()]).toString('base64');
}

/** random(16) ‖ uint32be(len) ‖ msg ‖ receiveId, then `pad` bytes of `padByte` (defaults to PKCS#7). */
function plainBlock(msg: Buffer, receiveId: string, opts: { lengthField?: number; padByte?: number; pad?: number } = {}): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(opts.lengthField ?? msg.length, 0);
  const body = Buffer.concat([Buffer.alloc(16, 0x61), len, msg, Buffer.from(receiveId)]);
  const pad = opts.pad ?? 32 - (body.length % 32);
  return Buffer.concat([body, Buffer.alloc(pad, opts.padByte ?? pad)]);
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

const HANDLED_KINDS = new Set(['encrypt', 'decrypt', 'url_verify_encrypted', 'signature']);

t.test('the vector file', async (t) => {
  t.ok(vectors.length >= 17, `${vectors.length} vectors`);
  t.equal(new Set(vectors.map((v) => v.id)).size, vectors.length, 'ids are unique');
  for (const v of vectors) t.ok(HANDLED_KINDS.has(v.kind), `${v.id}: kind ${v.kind} is handled`);
});

t.test('every vector', async (t) => {
  for (const v of vectors) {
    t.test(v.id, async (t) => {
      switch (v.kind) {
        case 'encrypt': {
          const c = cryptoFor(v);
          const random = Buffer.from(v.random!, 'utf8');
          t.equal(random.length, 16, 'the fixed random is 16 bytes');
          const encrypt = c.encrypt(v.plaintext!, random);
          t.equal(encrypt, v.expected_encrypt, 'ciphertext byte for byte');
          t.equal(c.decrypt(encrypt).message, v.plaintext, 'and it decrypts back');
          t.equal(c.decrypt(encrypt).receiveId, v.receive_id);
          if (v.expected_msg_signature !== undefined) {
            t.equal(c.msgSignature(v.timestamp!, v.nonce!, encrypt), v.expected_msg_signature, 'msg_signature');
            t.doesNotThrow(() => c.verifyMsgSignature(v.expected_msg_signature!, v.timestamp!, v.nonce!, encrypt));
            const sealed = c.sealEnvelope(v.plaintext!, v.timestamp!, v.nonce!, random);
            t.same(sealed, { encrypt: v.expected_encrypt, msgSignature: v.expected_msg_signature }, 'sealEnvelope');
          }
          if (v.expected_reply_xml !== undefined) {
            const reply = buildXml({
              Encrypt: encrypt,
              MsgSignature: c.msgSignature(v.timestamp!, v.nonce!, encrypt),
              TimeStamp: Number(v.timestamp),
              Nonce: v.nonce!,
            });
            t.equal(reply, v.expected_reply_xml.replace(/\n/g, ''), 'reply envelope byte for byte (the vector adds newlines)');
            t.same({ ...parseFlatXml(reply) }, { ...parseFlatXml(v.expected_reply_xml) }, 'and the same fields');
          }
          break;
        }
        case 'decrypt':
        case 'url_verify_encrypted': {
          const c = cryptoFor(v);
          t.equal(c.msgSignature(v.timestamp!, v.nonce!, v.encrypt!), v.msg_signature, 'msg_signature computed');
          t.doesNotThrow(() => c.verifyMsgSignature(v.msg_signature!, v.timestamp!, v.nonce!, v.encrypt!), 'msg_signature verifies');
          const out = c.decrypt(v.encrypt!);
          t.equal(out.receiveId, v.receive_id, 'receive id');
          const expected = v.computed_plaintext ?? v.expected_plaintext;
          t.ok(expected !== undefined || v.expected_contains !== undefined, 'the vector says what to expect');
          if (expected !== undefined) t.equal(out.message, expected, 'plaintext');
          for (const s of v.expected_contains ?? []) t.ok(out.message.includes(s), `contains ${s}`);
          if (v.pkcs7_pad_len !== undefined) {
            const raw = rawDecrypt(v.encoding_aes_key!, v.encrypt!);
            t.equal(raw[raw.length - 1], v.pkcs7_pad_len, 'pad length as the vector says');
          }
          if (v.kind === 'decrypt') t.doesNotThrow(() => parseXml(out.message), 'the plaintext is XML we accept');
          if (v.post_body !== undefined) {
            const { value } = parseXml(v.post_body);
            t.equal(value.Encrypt, v.encrypt, 'Encrypt element of the POST body');
          }
          if (v.query !== undefined) {
            t.equal(v.query.timestamp, v.timestamp);
            t.equal(v.query.nonce, v.nonce);
            t.equal(v.query.msg_signature, v.msg_signature);
            t.equal(v.query.encrypt_type, 'aes');
            t.doesNotThrow(() => c.verifySignature(v.query!.signature, v.query!.timestamp, v.query!.nonce), 'query signature');
            if (v.query.openid !== undefined) t.equal(parseFlatXml(out.message).FromUserName, v.query.openid, 'openid is the sender');
          }
          if (v.plain_signature !== undefined) {
            t.equal(c.signature(v.timestamp!, v.nonce!), v.plain_signature, 'plain signature');
            t.doesNotThrow(() => c.verifySignature(v.plain_signature!, v.timestamp!, v.nonce!));
          }
          if (v.clear_body_sdk_normalized !== undefined) {
            t.same({ ...parseFlatXml(out.message) }, { ...parseFlatXml(v.clear_body_sdk_normalized) }, 'same fields as the SDK');
          }
          break;
        }
        case 'signature': {
          t.equal(sha1Signature(v.parts!), v.expected, 'sha1 over the sorted parts');
          t.equal(sha1Signature([...v.parts!].reverse()), v.expected, 'order of the parts does not matter');
          if (v.parts!.length === 3) {
            const [token, timestamp, nonce] = v.parts!;
            const c = new MessageCrypto({ token: token, encodingAesKey: 'A'.repeat(43), receiveId: 'wx0000000000000000' });
            t.equal(c.signature(timestamp, nonce), v.expected, 'MessageCrypto.signature');
            t.doesNotThrow(() => c.verifySignature(v.expected!, timestamp, nonce));
          }
          if (v.echostr !== undefined) t.match(v.echostr, /^\d+$/, 'echostr is echoed as is');
          break;
        }
        default:
          t.fail(`vector ${v.id}: kind ${v.kind} is not handled by this test`);
      }
    });
  }
});

t.test('sha1Signature sorts by bytes and joins with nothing', async (t) => {
  const sha1 = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex');
  t.equal(sha1Signature(['b', 'a', 'c']), sha1('abc'));
  t.equal(sha1Signature(['10', '9', '1']), sha1('1109'), 'strings, not numbers');
  t.equal(sha1Signature(['a', 'B']), sha1('Ba'), 'upper case sorts first');
  // UTF-8 byte order (EF BC 81 < F0 9F 98 80) differs from UTF-16 code unit order (FF01 > D83D).
  t.equal(sha1Signature(['\u{1F600}', '\uFF01']), sha1('\uFF01\u{1F600}'));
  t.equal(sha1Signature([]), sha1(''));
  const parts = ['x', 'a'];
  sha1Signature(parts);
  t.same(parts, ['x', 'a'], 'the input is not sorted in place');
});

t.test('signature failures', async (t) => {
  const v = byId('official-doc-component-message-push');
  const c = cryptoFor(v);
  const ok = () => c.verifyMsgSignature(v.msg_signature!, v.timestamp!, v.nonce!, v.encrypt!);
  t.doesNotThrow(ok);
  t.doesNotThrow(() => c.verifyMsgSignature(v.msg_signature!.toUpperCase(), v.timestamp!, v.nonce!, v.encrypt!), 'hex case is ignored');

  const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === '0' ? '1' : '0') + s.slice(at + 1);
  const bad: Array<[string, () => void]> = [
    ['tampered msg_signature (first char)', () => c.verifyMsgSignature(flip(v.msg_signature!, 0), v.timestamp!, v.nonce!, v.encrypt!)],
    ['tampered msg_signature (last char)', () => c.verifyMsgSignature(flip(v.msg_signature!, 39), v.timestamp!, v.nonce!, v.encrypt!)],
    ['truncated msg_signature', () => c.verifyMsgSignature(v.msg_signature!.slice(0, 39), v.timestamp!, v.nonce!, v.encrypt!)],
    ['empty msg_signature', () => c.verifyMsgSignature('', v.timestamp!, v.nonce!, v.encrypt!)],
    ['missing msg_signature', () => c.verifyMsgSignature(undefined as unknown as string, v.timestamp!, v.nonce!, v.encrypt!)],
    ['non-ASCII msg_signature', () => c.verifyMsgSignature('é'.repeat(20), v.timestamp!, v.nonce!, v.encrypt!)],
    ['other timestamp', () => c.verifyMsgSignature(v.msg_signature!, String(Number(v.timestamp) + 1), v.nonce!, v.encrypt!)],
    ['other nonce', () => c.verifyMsgSignature(v.msg_signature!, v.timestamp!, `${v.nonce}0`, v.encrypt!)],
    ['other Encrypt', () => c.verifyMsgSignature(v.msg_signature!, v.timestamp!, v.nonce!, flip(v.encrypt!, 5))],
    ['plain signature used as msg_signature', () => c.verifyMsgSignature(v.plain_signature!, v.timestamp!, v.nonce!, v.encrypt!)],
    ['tampered plain signature', () => c.verifySignature(flip(v.plain_signature!, 3), v.timestamp!, v.nonce!)],
    ['missing plain signature', () => c.verifySignature(undefined as unknown as string, v.timestamp!, v.nonce!)],
  ];
  const wrongToken = new MessageCrypto({ token: 'BBBBB', encodingAesKey: v.encoding_aes_key!, receiveId: v.receive_id! });
  bad.push(['wrong token (msg_signature)', () => wrongToken.verifyMsgSignature(v.msg_signature!, v.timestamp!, v.nonce!, v.encrypt!)]);
  bad.push(['wrong token (signature)', () => wrongToken.verifySignature(v.plain_signature!, v.timestamp!, v.nonce!)]);
  for (const [name, fn] of bad) {
    const err = caught(fn);
    t.type(err, BadSignatureError, name);
    t.equal((err as CryptoError).check, 'signature', `${name}: check`);
  }
});

t.test('keys', async (t) => {
  const good = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
  t.equal(decodeAesKey(good).length, 32);
  t.same(decodeAesKey('A'.repeat(43)), Buffer.alloc(32), 'A×43 is the all-zero key');
  t.equal(decodeAesKey(good).toString('base64').slice(0, 42), good.slice(0, 42));
  // 43 characters carry 258 bits: the low 2 bits of the last one are dropped, as in every SDK.
  t.same(decodeAesKey(`${good.slice(0, 42)}H`), decodeAesKey(good), 'G and H differ only in dropped bits');
  t.notSame(decodeAesKey(`${good.slice(0, 42)}K`), decodeAesKey(good));
  const bad = [
    '',
    good.slice(0, 42),
    `${good}H`,
    `${good}=`,
    `${good.slice(0, 42)}+`,
    `${good.slice(0, 42)}/`,
    `${good.slice(0, 42)}-`,
    `${good.slice(0, 42)}_`,
    `${good.slice(0, 42)} `,
    `${good.slice(0, 42)}é`,
    `${good.slice(0, 42)}٣`, // an Arabic-Indic digit: a digit, but not [0-9]
    `${good}\n`,
    ` ${good.slice(1)}`,
    'A'.repeat(44),
  ];
  for (const key of bad) {
    const e1 = caught(() => decodeAesKey(key));
    t.type(e1, BadKeyError, `decodeAesKey(${JSON.stringify(key)})`);
    t.equal((e1 as CryptoError).check, 'key');
    const e2 = caught(() => new MessageCrypto({ token: 't', encodingAesKey: key, receiveId: 'wx' }));
    t.type(e2, BadKeyError, `new MessageCrypto with ${JSON.stringify(key)}`);
  }
  t.type(caught(() => decodeAesKey(undefined as unknown as string)), BadKeyError, 'undefined');
});

t.test('decrypting with the wrong key is a padding or length error, never garbage', async (t) => {
  const otherKeys = ['A'.repeat(43), 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFK', 'zyxwvutsrqponmlkjihgfedcba9876543210ZYXWVUT'];
  for (const v of vectors) {
    if (v.kind !== 'decrypt' && v.kind !== 'url_verify_encrypted' && v.kind !== 'encrypt') continue;
    const encrypt = v.encrypt ?? v.expected_encrypt!;
    for (const key of otherKeys) {
      if (decodeAesKey(key).equals(decodeAesKey(v.encoding_aes_key!))) continue;
      const c = new MessageCrypto({ token: v.token!, encodingAesKey: key, receiveId: v.receive_id! });
      for (const check of [true, false]) {
        const err = caught(() => c.decrypt(encrypt, check));
        t.type(err, BadPaddingError, `${v.id} with key ${key.slice(0, 6)}… (checkReceiveId=${check})`);
        t.equal((err as CryptoError).check, 'padding');
      }
    }
  }
});

t.test('malformed ciphertext', async (t) => {
  const v = byId('official-doc-component-message-push');
  const c = cryptoFor(v);
  const data = Buffer.from(v.encrypt!, 'base64');
  const cases: Array<[string, string]> = [
    ['empty', ''],
    ['not base64 (!)', 'abc!'],
    ['not base64 (space inside)', `${v.encrypt!.slice(0, 8)} ${v.encrypt!.slice(8)}`],
    ['not base64 (newline at end)', `${v.encrypt}\n`],
    ['url-safe alphabet', v.encrypt!.replace(/\+/g, '-').replace(/\//g, '_')],
    ['padding in the middle', `AAAA=${v.encrypt}`],
    ['three = signs', `${v.encrypt!.replace(/=+$/, '')}===`],
    ['padding removed', v.encrypt!.replace(/=+$/, '')],
    ['a trailing character Node would ignore', `${v.encrypt!.replace(/=+$/, '')}A`],
    ['one byte', Buffer.from([1]).toString('base64')],
    ['15 bytes', data.subarray(0, 15).toString('base64')],
    ['17 bytes', data.subarray(0, 17).toString('base64')],
    ['one byte cut off', data.subarray(0, data.length - 1).toString('base64')],
    ['one byte added', Buffer.concat([data, Buffer.from([0])]).toString('base64')],
    // 32 bytes end in `=`: the character before it carries two unused bits, which must be zero.
    ['non-zero bits before =', (() => { const b = data.subarray(0, 32).toString('base64'); return `${b.slice(0, -2)}${'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.indexOf(b.at(-2)!) | 1]}=`; })()],
    ['non-zero bits before ==', (() => { const b = data.subarray(0, 16).toString('base64'); return `${b.slice(0, -3)}${'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.indexOf(b.at(-3)!) | 1]}==`; })()],
  ];
  for (const [name, encrypt] of cases) {
    const err = caught(() => c.decrypt(encrypt));
    t.type(err, MalformedCiphertextError, name);
    t.equal((err as CryptoError).check, 'format', `${name}: check`);
  }
  t.type(caught(() => c.decrypt(undefined as unknown as string)), MalformedCiphertextError, 'undefined');

  // Whole blocks missing: still a multiple of 16, so it decrypts — and the padding or length check catches it.
  for (const cut of [16, 32, 48]) {
    const err = caught(() => c.decrypt(data.subarray(0, data.length - cut).toString('base64')));
    t.type(err, BadPaddingError, `${cut} bytes cut off the end`);
  }
  t.type(caught(() => c.decrypt(data.subarray(16).toString('base64'))), CryptoError, 'first block missing');
  // A flipped bit in the last block garbles the padding.
  const flipped = Buffer.from(data);
  flipped[flipped.length - 1] ^= 0x01;
  t.type(caught(() => c.decrypt(flipped.toString('base64'))), BadPaddingError, 'a flipped bit in the last block');
});

t.test('bad plaintexts under the right key', async (t) => {
  const v = byId('wxjava-aes-encrypt-1');
  const key = v.encoding_aes_key!;
  const c = cryptoFor(v);
  const rid = v.receive_id!;
  const msg = Buffer.from('<xml><A>1</A></xml>');
  t.equal(c.decrypt(rawEncrypt(key, plainBlock(msg, rid))).message, '<xml><A>1</A></xml>', 'the helper builds a good one');

  const padCases: Array<[string, Buffer]> = [
    ['pad byte 0', plainBlock(msg, rid, { padByte: 0 })],
    ['pad byte 33', plainBlock(msg, rid, { pad: 64 - ((20 + msg.length + rid.length) % 32), padByte: 33 })],
    ['pad byte 255', plainBlock(msg, rid, { pad: 64 - ((20 + msg.length + rid.length) % 32), padByte: 255 })],
    ['pad bytes disagree', (() => {
      const b = plainBlock(msg, rid);
      b[b.length - 2] = (b[b.length - 1] + 1) & 0xff;
      return b;
    })()],
    ['pad longer than the data', Buffer.alloc(16, 17)],
    ['only padding (32 bytes of 32)', Buffer.alloc(32, 32)],
    ['length field beyond the data', plainBlock(msg, rid, { lengthField: msg.length + rid.length + 1 })],
    ['length field 0xffffffff', plainBlock(msg, rid, { lengthField: 0xffffffff })],
  ];
  for (const [name, plain] of padCases) {
    t.equal(plain.length % 16, 0, `${name}: whole blocks`);
    const err = caught(() => c.decrypt(rawEncrypt(key, plain)));
    t.type(err, BadPaddingError, name);
    t.equal((err as CryptoError).check, 'padding', `${name}: check`);
  }
  // 32 bytes: 16 random + 4 length + 12 bytes... but 13 bytes of padding leaves fewer than 20.
  const short = Buffer.concat([Buffer.alloc(19, 0x61), Buffer.alloc(13, 13)]);
  t.type(caught(() => c.decrypt(rawEncrypt(key, short))), BadPaddingError, 'fewer than 20 bytes before the padding');

  const notUtf8 = caught(() => c.decrypt(rawEncrypt(key, plainBlock(Buffer.from([0x3c, 0xff, 0xfe, 0x3e]), rid))));
  t.type(notUtf8, MalformedCiphertextError, 'a message that is not UTF-8');
  t.equal((notUtf8 as CryptoError).check, 'format');
  const truncatedChar = Buffer.from('中', 'utf8').subarray(0, 2);
  t.type(caught(() => c.decrypt(rawEncrypt(key, plainBlock(truncatedChar, rid)))), MalformedCiphertextError, 'a cut multi-byte character');

  const empty = c.decrypt(rawEncrypt(key, plainBlock(Buffer.alloc(0), rid)));
  t.same(empty, { message: '', receiveId: rid }, 'an empty message is fine');
});

t.test('a message for another appid', async (t) => {
  const v = byId('wxjava-aes-encrypt-1');
  const sender = cryptoFor(v, 'wx1111111111111111');
  const receiver = cryptoFor(v);
  const encrypt = sender.encrypt('<xml><A>你好</A></xml>');
  const err = caught(() => receiver.decrypt(encrypt));
  t.type(err, AppIdMismatchError);
  t.equal((err as AppIdMismatchError).check, 'appid');
  t.equal((err as AppIdMismatchError).found, 'wx1111111111111111');
  t.match((err as Error).message, /wx1111111111111111.*wxb11529c136998cb6/);
  t.same(receiver.decrypt(encrypt, false), { message: '<xml><A>你好</A></xml>', receiveId: 'wx1111111111111111' }, 'decrypt(x, false) returns it');

  const none = cryptoFor(v, '');
  const e2 = caught(() => receiver.decrypt(none.encrypt('x')));
  t.type(e2, AppIdMismatchError, 'an empty receive id');
  t.equal((e2 as AppIdMismatchError).found, '');
  t.match((e2 as Error).message, /\(empty\)/);
  t.type(caught(() => receiver.decrypt(cryptoFor(v, `${v.receive_id}x`).encrypt('x'))), AppIdMismatchError, 'a longer appid');
  t.type(caught(() => receiver.decrypt(cryptoFor(v, v.receive_id!.slice(0, -1)).encrypt('x'))), AppIdMismatchError, 'a prefix');
  t.type(caught(() => receiver.decrypt(cryptoFor(v, v.receive_id!.toUpperCase()).encrypt('x'))), AppIdMismatchError, 'case matters');

  // The vector for a third-party platform: the component appid is the receive id.
  const push = byId('official-doc-component-message-push');
  const err3 = caught(() => cryptoFor(push, 'wx5823bf96d3bd56c7').decrypt(push.encrypt!));
  t.type(err3, AppIdMismatchError);
  t.equal((err3 as AppIdMismatchError).found, push.receive_id);
});

t.test('the error classes', async (t) => {
  const all = [
    [new BadSignatureError(), 'signature', 'BadSignatureError'],
    [new BadKeyError(), 'key', 'BadKeyError'],
    [new BadPaddingError(), 'padding', 'BadPaddingError'],
    [new AppIdMismatchError('a', 'b'), 'appid', 'AppIdMismatchError'],
    [new MalformedCiphertextError('x'), 'format', 'MalformedCiphertextError'],
  ] as const;
  for (const [err, check, name] of all) {
    t.type(err, CryptoError);
    t.type(err, Error);
    t.equal(err.check, check);
    t.equal(err.name, name);
  }
  const classes = [BadSignatureError, BadKeyError, BadPaddingError, AppIdMismatchError, MalformedCiphertextError];
  for (const [err] of all) t.equal(classes.filter((C) => err instanceof C).length, 1, `${err.name} is only itself`);
});

t.test('round trips', async (t) => {
  const v = byId('wxjava-aes-encrypt-1');
  const c = cryptoFor(v);
  const rid = Buffer.byteLength(v.receive_id!);
  const messages = [
    '',
    'a',
    '我是中文abcd123',
    '😀 emoji outside the BMP 𝄞',
    'e\u0301 combining, \u200d joiner, \u00a0 nbsp',
    '\u0000 nul and \uFEFF a BOM at the start? no, in the middle',
    '\uFEFFa BOM at the start',
    '<xml><Content><![CDATA[测试]]></Content></xml>',
    'x'.repeat(70000),
    '中'.repeat(30000),
  ];
  for (const m of messages) {
    const random = createHash('sha256').update(m).digest().subarray(0, 16);
    const encrypt = c.encrypt(m, random);
    t.equal(c.encrypt(m, random), encrypt, 'same random, same ciphertext');
    const out = c.decrypt(encrypt);
    t.equal(out.message, m, `round trip of ${JSON.stringify(m.slice(0, 30))} (${m.length} chars)`);
    t.equal(out.receiveId, v.receive_id);
    const raw = rawDecrypt(v.encoding_aes_key!, encrypt);
    t.same(raw.subarray(0, 16), random, 'the random comes first');
    t.equal(raw.readUInt32BE(16), Buffer.byteLength(m), 'the length field counts bytes, not characters');
  }

  // Every body length from 0 to 100 bytes, and multi-byte ones: the padded length is the next multiple
  // of 32, and a whole block of 32 when the plaintext is already aligned.
  let aligned = 0;
  for (let n = 0; n <= 100; n++) {
    for (const m of ['x'.repeat(n), '中'.repeat(n)]) {
      const bytes = 20 + Buffer.byteLength(m) + rid;
      const encrypt = c.encrypt(m, Buffer.alloc(16, n));
      const raw = rawDecrypt(v.encoding_aes_key!, encrypt);
      const expectedPad = 32 - (bytes % 32);
      if (raw.length !== bytes + expectedPad || raw[raw.length - 1] !== expectedPad || c.decrypt(encrypt).message !== m) {
        t.fail(`length ${Buffer.byteLength(m)}: padded to ${raw.length}, pad ${raw[raw.length - 1]}`);
      }
      if (bytes % 32 === 0) {
        aligned++;
        t.equal(expectedPad, 32, `exactly ${bytes} bytes gets a whole block of padding`);
        t.ok(raw.subarray(raw.length - 32).every((b) => b === 32), 'all 32 pad bytes are 32');
        t.equal(c.decrypt(encrypt).message, m, `aligned ${Buffer.byteLength(m)}-byte body (${m.length} chars)`);
      }
    }
  }
  t.ok(aligned >= 6, `${aligned} aligned cases seen`);
  // 38 + 3k ≡ 0 (mod 32) at k = 30: the character count says nothing, the byte count is what aligns.
  const thirty = '中'.repeat(30);
  t.equal((20 + Buffer.byteLength(thirty) + rid) % 32, 0);
  t.equal(c.decrypt(c.encrypt(thirty)).message, thirty);

  t.not(c.encrypt('same'), c.encrypt('same'), 'without a fixed random, two ciphertexts differ');

  // One MessageCrypto keeps one CBC cipher for every message (crypto.ts: #chain). Each message must come
  // out as a new cipher would write it, whatever came before: lengths that end on every part of a block,
  // and more messages than one draw of random bytes serves (256), whose randoms all differ.
  const randoms = new Set<string>();
  for (let n = 0; n < 300; n++) {
    const m = n % 3 === 0 ? '中'.repeat(n) : 'x'.repeat(n);
    const encrypt = c.encrypt(m);
    const raw = rawDecrypt(v.encoding_aes_key!, encrypt);
    const random = raw.subarray(0, 16);
    randoms.add(random.toString('hex'));
    if (encrypt !== rawEncrypt(v.encoding_aes_key!, raw) || c.decrypt(encrypt).message !== m) t.fail(`message ${n} is not what a new cipher writes`);
  }
  t.equal(randoms.size, 300, 'every message has a random of its own');
  t.throws(() => c.encrypt('x', Buffer.alloc(15)), RangeError, 'random must be 16 bytes');
  t.throws(() => c.encrypt('x', Buffer.alloc(17)), RangeError);

  const sealed = c.sealEnvelope('<xml/>', '1700000000', 'n0nce');
  t.doesNotThrow(() => c.verifyMsgSignature(sealed.msgSignature, '1700000000', 'n0nce', sealed.encrypt));
  t.equal(c.decrypt(sealed.encrypt).message, '<xml/>');
});

t.test('the easyswoole callback fixtures', async (t) => {
  const cases = [
    {
      file: 'component_verify_ticket.safe_mode_request.easyswoole.json',
      vector: 'easyswoole-component-verify-ticket-push',
      fields: {
        AppId: 'some_appid',
        CreateTime: '1413192605',
        InfoType: 'component_verify_ticket',
        ComponentVerifyTicket: 'some_verify_ticket',
      },
    },
    {
      file: 'official_account_text.safe_mode_request.easyswoole.json',
      vector: 'easyswoole-official-account-safe-mode',
      fields: {
        ToUserName: 'gh_1d45968d17db',
        FromUserName: 'o1YYd0mJxkRO0eCi7haWLDVMalts',
        CreateTime: '1606180982',
        MsgType: 'text',
        Content: '测试',
        MsgId: '22994982940022977',
      },
    },
  ];
  for (const { file, vector, fields } of cases) {
    t.test(file, async (t) => {
      const req = JSON.parse(readFileSync(fixture(`callbacks/${file}`), 'utf8')) as {
        query: Record<string, string>;
        body: string;
        clear_body?: string;
      };
      const v = byId(vector);
      const c = cryptoFor(v);
      const { query } = req;
      t.equal(query.encrypt_type, 'aes');
      c.verifySignature(query.signature, query.timestamp, query.nonce);
      t.pass('signature verifies');
      const envelope = parseFlatXml(req.body);
      const encrypt = envelope.Encrypt;
      t.equal(encrypt, v.encrypt, 'the Encrypt element');
      c.verifyMsgSignature(query.msg_signature, query.timestamp, query.nonce, encrypt);
      t.pass('msg_signature verifies over the Encrypt element');
      if (envelope.MsgSignature !== undefined) {
        t.equal(envelope.MsgSignature, query.msg_signature, 'the envelope repeats msg_signature');
        t.equal(envelope.TimeStamp, query.timestamp);
        t.equal(envelope.Nonce, query.nonce);
      }
      t.type(caught(() => c.verifyMsgSignature(query.signature, query.timestamp, query.nonce, encrypt)), BadSignatureError);

      const out = c.decrypt(encrypt);
      t.equal(out.receiveId, v.receive_id);
      t.equal(out.message, v.computed_plaintext);
      const decrypted = parseFlatXml(out.message);
      t.same({ ...decrypted }, fields, 'decrypted fields');
      t.equal(Object.getPrototypeOf(decrypted), null);
      if (req.clear_body !== undefined) t.same({ ...decrypted }, { ...parseFlatXml(req.clear_body) }, 'as the SDK test expects');
      if (query.openid !== undefined) t.equal(decrypted.FromUserName, query.openid);
      if (envelope.ToUserName !== undefined) t.equal(envelope.ToUserName, decrypted.ToUserName);
    });
  }

  t.test('wecom_echostr_validate_request.easyswoole.json', async (t) => {
    const req = JSON.parse(readFileSync(fixture('callbacks/wecom_echostr_validate_request.easyswoole.json'), 'utf8')) as {
      query: Record<string, string>;
    };
    const v = byId('official-wecom-sample-verify-url');
    const c = cryptoFor(v);
    c.verifyMsgSignature(req.query.msg_signature, req.query.timestamp, req.query.nonce, req.query.echostr);
    t.same(c.decrypt(req.query.echostr), { message: v.expected_plaintext, receiveId: v.receive_id });
  });
});
