import { readFileSync, readdirSync } from 'node:fs';
import t from 'tap';
import {
  DEFAULT_MAX_XML_BYTES,
  XmlRejectedError,
  buildXml,
  parseFlatXml,
  parseXml,
  readFlatXml,
  type XmlElement,
  type XmlRejection,
  type XmlValue,
} from '../../src/wechat/xml.js';

const eventsDir = new URL('../fixtures/events/', import.meta.url);
const readEvent = (name: string) => readFileSync(new URL(name, eventsDir), 'utf8');

function rejection(fn: () => unknown): XmlRejectedError | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof XmlRejectedError) return err;
    throw err;
  }
  return undefined;
}

/** Every object in a parse result, recursively. */
function objectsIn(value: XmlValue): object[] {
  if (typeof value === 'string') return [];
  if (Array.isArray(value)) return value.flatMap(objectsIn);
  return [value, ...Object.values(value).flatMap(objectsIn)];
}

const plain = (o: object) => ({ ...o });

const compatEncrypt = /<Encrypt><!\[CDATA\[([^\]]+)\]\]><\/Encrypt>/.exec(
  readEvent('templatesendjobfinish.failed_user_block.compat_mode.community.xml'),
)![1];

const authorized = (infoType: string) => ({
  AppId: '第三方平台appid',
  CreateTime: '1413192760',
  InfoType: infoType,
  AuthorizerAppid: '公众号appid',
  AuthorizationCode: '授权码',
  AuthorizationCodeExpiredTime: '过期时间',
  PreAuthCode: '预授权码',
});
const ticket = {
  AppId: 'some_appid',
  CreateTime: '1413192605',
  InfoType: 'component_verify_ticket',
  ComponentVerifyTicket: 'some_verify_ticket',
};

const EXPECTED: Record<string, Record<string, string>> = {
  'authorized.easywechat.xml': authorized('authorized'),
  'updateauthorized.easywechat.xml': authorized('updateauthorized'),
  'unauthorized.easywechat.xml': {
    AppId: '第三方平台appid',
    CreateTime: '1413192760',
    InfoType: 'unauthorized',
    AuthorizerAppid: '公众号appid',
  },
  'component_verify_ticket.easywechat.xml': ticket,
  'component_verify_ticket.official_doc.xml': ticket,
  'templatesendjobfinish.success.wechatpy.xml': {
    ToUserName: 'touser',
    FromUserName: 'fromuser',
    CreateTime: '1395658920',
    MsgType: 'event',
    Event: 'TEMPLATESENDJOBFINISH',
    MsgID: '200163836',
    Status: 'success',
  },
  'templatesendjobfinish.failed_system_failed.werobot.xml': {
    ToUserName: 'gh_7f083739789a',
    FromUserName: 'oia2TjuEGTNoeX76QEjQNrcURxG8',
    CreateTime: '1395658984',
    MsgType: 'event',
    Event: 'TEMPLATESENDJOBFINISH',
    MsgID: '200163840',
    Status: 'failed: system failed',
  },
  'templatesendjobfinish.failed_freq_limit.community.xml': {
    ToUserName: 'gh_a2adfe5815f5',
    FromUserName: 'oTD8i6Wz6jQZPSNJlzQv43ApodvI',
    CreateTime: '1721621154',
    MsgType: 'event',
    Event: 'TEMPLATESENDJOBFINISH',
    MsgID: '3557254367693750277',
    Status: 'failed:freq limit',
  },
  'templatesendjobfinish.failed_user_block.compat_mode.community.xml': {
    ToUserName: 'gh_f5b69a2ea37b',
    FromUserName: 'ovPQ26Vgx51Ep-HoZqOITMHLk6eg',
    CreateTime: '1717466001',
    MsgType: 'event',
    Event: 'TEMPLATESENDJOBFINISH',
    MsgID: '3487542469355618313',
    Status: 'failed:user block',
    Encrypt: compatEncrypt,
  },
};

t.test('every event fixture parses to its exact values', async (t) => {
  const files = readdirSync(eventsDir).filter((f) => f.endsWith('.xml'));
  t.ok(files.length >= 9, `${files.length} files`);
  for (const file of files) {
    t.test(file, async (t) => {
      const expected = EXPECTED[file];
      if (!expected) {
        t.fail(`no expected values for ${file}: add them to this test`);
        return;
      }
      const text = readEvent(file);
      const { root, value } = parseXml(text);
      t.equal(root, 'xml');
      const flat = parseFlatXml(text);
      t.strictSame(plain(flat), expected, 'fields, exactly');
      t.same(Object.keys(flat), Object.keys(expected), 'in document order');
      t.same(plain(value), expected, 'parseXml agrees');
      t.equal(Object.getPrototypeOf(flat), null, 'no prototype');
      t.equal(Object.getPrototypeOf(value), null, 'no prototype');
      for (const v of Object.values(flat)) t.type(v, 'string');
    });
  }

  t.test('details that matter', async (t) => {
    const block = parseFlatXml(readEvent('templatesendjobfinish.failed_user_block.compat_mode.community.xml'));
    t.equal(block.MsgID, '3487542469355618313', 'the 19-digit MsgID, every digit');
    t.not(String(Number(block.MsgID)), block.MsgID, '(a number would have lost digits)');
    t.equal(block.Status, 'failed:user block');
    t.match(block.Encrypt, /^[A-Za-z0-9+/]+={0,2}$/, 'compat mode: Encrypt as well as the plaintext fields');
    t.equal(block.Encrypt.length % 4, 0);
    t.ok(block.ToUserName && block.Event, 'and the plaintext fields');
    t.equal(parseFlatXml(readEvent('templatesendjobfinish.failed_freq_limit.community.xml')).MsgID, '3557254367693750277');
    t.equal(parseFlatXml(readEvent('templatesendjobfinish.failed_system_failed.werobot.xml')).Status, 'failed: system failed', 'the space stays');
  });
});

t.test('what a well-formed body may contain', async (t) => {
  const ok: Array<[string, string, Record<string, XmlValue>]> = [
    ['XML declaration', '<?xml version="1.0" encoding="UTF-8"?>\n<xml><A>1</A></xml>', { A: '1' }],
    ['BOM and declaration', '\uFEFF<?xml version="1.0"?><xml><A>1</A></xml>', { A: '1' }],
    ['comments anywhere', '<!-- a --><xml><!-- b --><A>1<!-- c --></A></xml><!-- d -->\n', { A: '1' }],
    ['CRLF and tabs between elements', '<xml>\r\n\t<A>1</A>\r\n</xml>\r\n', { A: '1' }],
    ['whitespace inside a value is kept', '<xml><A>  a\n b  </A><B><![CDATA[ x ]]></B></xml>', { A: '  a\n b  ', B: ' x ' }],
    ['empty and self-closing', '<xml><A></A><B/><C /><D><![CDATA[]]></D></xml>', { A: '', B: '', C: '', D: '' }],
    ['text and CDATA mixed', '<xml><A>a<![CDATA[<b>]]>c</A></xml>', { A: 'a<b>c' }],
    ['CDATA is not decoded', '<xml><A><![CDATA[&lt;&amp;]]>&lt;</A></xml>', { A: '&lt;&amp;<' }],
    ['> in text', '<xml><A>a > b</A></xml>', { A: 'a > b' }],
    ['attributes are ignored', `<xml a="1" b = '2'><A c="x&amp;y">1</A><B d="1"/></xml>`, { A: '1', B: '' }],
    ['closing tag with a trailing space', '<xml><A>1</A ></xml >', { A: '1' }],
    ['names that are Object.prototype members elsewhere', '<xml><toString>1</toString><hasOwnProperty>2</hasOwnProperty><valueOf>3</valueOf></xml>', {
      toString: '1',
      hasOwnProperty: '2',
      valueOf: '3',
    }],
  ];
  for (const [name, text, expected] of ok) {
    const { value } = parseXml(text);
    t.same(plain(value), expected, name);
  }

  const nested = parseXml('<xml><A><B>1</B><B>2</B><C><D>x</D></C></A><E>3</E><E>4</E><E>5</E></xml>');
  const a = nested.value.A as XmlElement;
  t.same(a.B, ['1', '2'], 'a repeated child becomes an array');
  t.same(plain(a.C as XmlElement), { D: 'x' });
  t.same(nested.value.E, ['3', '4', '5']);
  for (const o of objectsIn(nested.value)) {
    if (!Array.isArray(o)) t.equal(Object.getPrototypeOf(o), null, 'every element object has no prototype');
  }
  t.same(plain(parseFlatXml('<xml><A><B>1</B></A><C>2</C></xml>')), { C: '2' }, 'parseFlatXml keeps only text children');
  t.same(parseXml('<xml/>'), { root: 'xml', value: Object.create(null) }, 'a self-closing root');
  t.equal(parseXml('<Root><A>1</A></Root>').root, 'Root');
});

t.test('the five predefined entities and character references decode', async (t) => {
  const { value } = parseXml(
    '<xml><A>&lt;&gt;&amp;&quot;&apos;</A><B>&#65;&#x42;&#x63;&#0000000068;&#x1F600;&#128512;&#x4E2D;</B>' +
      '<C>&amp;lt;</C><D>a &#10;b&#x9;c</D></xml>',
  );
  t.equal(value.A, `<>&"'`);
  t.equal(value.B, 'ABcD😀😀中');
  t.equal(value.C, '&lt;', 'decoded once, never twice');
  t.equal(value.D, 'a \nb\tc');
});

t.test('CDATA with ]]> round-trips through buildXml', async (t) => {
  const tricky = ['a]]>b', ']]>', ']]>]]>', ']]]]>>', 'x]]', ']', ']]', '<![CDATA[x]]>', 'end]]'];
  for (const s of tricky) {
    const xml = buildXml({ Content: s });
    t.equal(parseFlatXml(xml).Content, s, JSON.stringify(s));
  }
  t.equal(buildXml({ A: 'a]]>b' }), '<xml><A><![CDATA[a]]]]><![CDATA[>b]]></A></xml>', 'split into two sections');
  t.equal(
    buildXml({ ToUserName: 'gh_1', CreateTime: 1413192605, MsgID: 3557254367693750277n, Empty: '' }),
    '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><CreateTime>1413192605</CreateTime><MsgID>3557254367693750277</MsgID><Empty><![CDATA[]]></Empty></xml>',
    'strings in CDATA, numbers and bigints bare',
  );
  t.equal(buildXml({}, 'Root'), '<Root></Root>');
  t.equal(parseFlatXml(buildXml({ MsgID: 3557254367693750277n })).MsgID, '3557254367693750277');
  for (const bad of ['__proto__', 'constructor', 'prototype', '1a', 'a b', 'a:b', '', '<x>', 'a>']) {
    t.throws(() => buildXml({ [bad]: 'x' }), `field name ${JSON.stringify(bad)} refused`);
    t.throws(() => buildXml({}, bad), `root name ${JSON.stringify(bad)} refused`);
  }
  const withProto = JSON.parse('{"__proto__": "x"}') as Record<string, string>;
  t.throws(() => buildXml(withProto), 'an own __proto__ key (from JSON.parse) is refused');
  t.throws(() => buildXml({ A: Number.NaN }), 'NaN refused');
  t.throws(() => buildXml({ A: Number.POSITIVE_INFINITY }), 'Infinity refused');
});

const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

t.test('attacks are rejected with the right reason', async (t) => {
  const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><Content>&lol9;</Content></xml>`;
  const cases: Array<[string, string, XmlRejection]> = [
    ['billion laughs', billionLaughs, 'doctype'],
    ['external entity', '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><A>&xxe;</A></xml>', 'doctype'],
    ['external DTD', '<!DOCTYPE xml SYSTEM "http://evil.example/x.dtd"><xml><A>1</A></xml>', 'doctype'],
    ['parameter entity', '<!DOCTYPE xml [<!ENTITY % pe SYSTEM "http://evil.example/x.dtd"> %pe;]><xml><A>1</A></xml>', 'doctype'],
    ['parameter entity, nested', '<!DOCTYPE xml [<!ENTITY % a "<!ENTITY &#x25; b SYSTEM \'file:///etc/passwd\'>"> %a; %b;]><xml/>', 'doctype'],
    ['lower-case doctype', '<!doctype xml><xml/>', 'doctype'],
    ['DOCTYPE inside the root', '<xml><!DOCTYPE x><A>1</A></xml>', 'doctype'],
    ['ENTITY without a DOCTYPE', '<!ENTITY xxe SYSTEM "file:///etc/passwd"><xml/>', 'entity'],
    ['parameter ENTITY without a DOCTYPE', '<xml><!ENTITY % pe "x"></xml>', 'entity'],
    ['ELEMENT declaration', '<xml><!ELEMENT a ANY></xml>', 'entity'],
    ['undeclared entity', '<xml><A>&xxe;</A></xml>', 'entity'],
    ['undeclared entity with a long name', `<xml><A>&${'x'.repeat(40)};</A></xml>`, 'entity'],
    ['entity in an attribute', '<xml a="&xxe;"><A>1</A></xml>', 'entity'],
    ['&constructor; (an Object.prototype member)', '<xml><A>&constructor;</A></xml>', 'entity'],
    ['&__proto__;', '<xml><A>&__proto__;</A></xml>', 'entity'],
    ['&toString;', '<xml><A>&toString;</A></xml>', 'entity'],
    ['&valueOf;', '<xml><A>&valueOf;</A></xml>', 'entity'],
    ['&hasOwnProperty;', '<xml><A>&hasOwnProperty;</A></xml>', 'entity'],
    ['__proto__ element', '<xml><__proto__><polluted>yes</polluted></__proto__></xml>', 'forbidden-name'],
    ['__proto__ text element', '<xml><__proto__>x</__proto__></xml>', 'forbidden-name'],
    ['__proto__ self-closing', '<xml><__proto__/></xml>', 'forbidden-name'],
    ['__proto__ as the root', '<__proto__><polluted>yes</polluted></__proto__>', 'forbidden-name'],
    ['__proto__ deep down', '<xml><A><B><__proto__><polluted>yes</polluted></__proto__></B></A></xml>', 'forbidden-name'],
    ['constructor element', '<xml><constructor><prototype><polluted>yes</polluted></prototype></constructor></xml>', 'forbidden-name'],
    ['prototype element', '<xml><prototype>x</prototype></xml>', 'forbidden-name'],
    ['constructor as the root', '<constructor/>', 'forbidden-name'],
    ['unclosed root', '<xml><A>1</A>', 'malformed'],
    ['unclosed child', '<xml><A>1</xml>', 'malformed'],
    ['mismatched tags', '<xml><A><B>1</A></B></xml>', 'malformed'],
    ['stray closing tag', '</A><xml/>', 'malformed'],
    ['closing tag with a leading space', '<xml><A>1</ A></xml>', 'malformed'],
    ['closing tag with 60,000 spaces and junk', `<xml><A>1</A${' '.repeat(60_000)}x></xml>`, 'malformed'],
    ['start tag with 60,000 spaces and junk', `<xml><A${' '.repeat(60_000)}x>1</A></xml>`, 'malformed'],
    ['unterminated tag', '<xml><A', 'malformed'],
    ['unterminated CDATA', '<xml><A><![CDATA[x</A></xml>', 'malformed'],
    ['unterminated comment', '<xml><!-- x </xml>', 'malformed'],
    ['unterminated declaration', '<?xml version="1.0"', 'malformed'],
    ['two roots', '<xml><A>1</A></xml><xml><A>2</A></xml>', 'malformed'],
    ['two self-closing roots', '<xml/><xml/>', 'malformed'],
    ['text before the root', 'hello<xml><A>1</A></xml>', 'malformed'],
    ['text after the root', '<xml><A>1</A></xml>hello', 'malformed'],
    ['NBSP outside the root', '\u00A0<xml><A>1</A></xml>', 'malformed'],
    ['CDATA outside the root', '<![CDATA[x]]><xml/>', 'malformed'],
    ['text and elements mixed', '<xml>text<A>1</A></xml>', 'malformed'],
    ['processing instruction before the root', '<?php system("id"); ?><xml/>', 'malformed'],
    ['processing instruction inside', '<xml><?php system("id"); ?><A>1</A></xml>', 'malformed'],
    ['processing instruction after', '<xml/><?pi x?>', 'malformed'],
    ['xml-stylesheet is a PI, not the declaration', '<?xml-stylesheet href="http://evil.example/x.xsl"?><xml/>', 'malformed'],
    ['a second XML declaration', '<?xml version="1.0"?><?xml version="1.0"?><xml/>', 'malformed'],
    ['empty', '', 'malformed'],
    ['whitespace only', '  \n ', 'malformed'],
    ['declaration only', '<?xml version="1.0"?>', 'malformed'],
    ['a bare &', '<xml><A>a & b</A></xml>', 'malformed'],
    ['&lt without ;', '<xml><A>&lt</A></xml>', 'malformed'],
    ['&#0;', '<xml><A>&#0;</A></xml>', 'malformed'],
    ['&#1; (not an XML character)', '<xml><A>&#1;</A></xml>', 'malformed'],
    ['a surrogate reference', '<xml><A>&#xD800;</A></xml>', 'malformed'],
    ['beyond U+10FFFF', '<xml><A>&#x110000;</A></xml>', 'malformed'],
    ['a huge reference', `<xml><A>&#${'9'.repeat(400)};</A></xml>`, 'malformed'],
    ['&#X41; (upper-case X)', '<xml><A>&#X41;</A></xml>', 'malformed'],
    ['< in text', '<xml><A>a < b</A></xml>', 'malformed'],
    ['element name starting with a digit', '<xml><1A>1</1A></xml>', 'malformed'],
    ['namespaced element', '<xml><a:b>1</a:b></xml>', 'malformed'],
    ['empty tag', '<xml><>1</></xml>', 'malformed'],
    ['junk after the name', '<xml><A/B>1</A></xml>', 'malformed'],
    ['junk attribute', '<xml junk!!><A>1</A></xml>', 'malformed'],
    ['unquoted attribute', '<xml a=1><A>1</A></xml>', 'malformed'],
    ['unterminated attribute', '<xml a="1><A>1</A></xml>', 'malformed'],
  ];
  for (const [name, text, reason] of cases) {
    const err = rejection(() => parseXml(text));
    t.ok(err, `${name}: rejected`);
    t.equal(err?.reason, reason, `${name}: reason ${reason} (${err?.message})`);
    t.equal(err?.name, 'XmlRejectedError');
    t.ok((err?.message ?? '').length > 0, `${name}: says why`);
    t.equal(rejection(() => parseFlatXml(text))?.reason, reason, `${name}: parseFlatXml too`);
  }
  t.type(rejection(() => parseXml(billionLaughs)), Error);
});

t.test('no prototype pollution', async (t) => {
  t.same(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeBefore, 'Object.prototype has the same properties');
  const probe = {} as Record<string, unknown>;
  t.equal(probe.polluted, undefined);
  t.equal(({} as Record<string, unknown>).polluted, undefined);
  t.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  t.equal(typeof Object.prototype.toString, 'function');

  const flat = parseFlatXml('<xml><A>1</A></xml>');
  t.equal(Object.getPrototypeOf(flat), null);
  t.equal(Object.getOwnPropertyDescriptor(Object.getPrototypeOf(flat) ?? {}, 'toString'), undefined, 'no inherited members to confuse a caller');
  t.equal('constructor' in flat, false);
});

t.test('size limit', async (t) => {
  t.equal(DEFAULT_MAX_XML_BYTES, 64 * 1024);
  const wrap = (filler: string) => `<xml><A>${filler}</A></xml>`;
  const overhead = wrap('').length;
  const exact = wrap('x'.repeat(DEFAULT_MAX_XML_BYTES - overhead));
  t.equal(Buffer.byteLength(exact), 65536);
  t.equal((parseXml(exact).value.A as string).length, 65536 - overhead, 'exactly 64 KiB is accepted');
  const over = wrap('x'.repeat(DEFAULT_MAX_XML_BYTES - overhead + 1));
  t.equal(rejection(() => parseXml(over))?.reason, 'too-large', 'one byte over 64 KiB');

  // 22,000 characters of 3 bytes each: under 64 Ki characters, over 64 KiB.
  const multi = wrap('中'.repeat(22_000));
  t.ok(multi.length < DEFAULT_MAX_XML_BYTES, `${multi.length} characters`);
  t.ok(Buffer.byteLength(multi) > DEFAULT_MAX_XML_BYTES, `${Buffer.byteLength(multi)} bytes`);
  t.equal(rejection(() => parseXml(multi))?.reason, 'too-large', 'bytes count, not characters');
  const multiOk = wrap('中'.repeat(22_000));
  t.equal((parseXml(multiOk, { maxBytes: 70_000 }).value.A as string).length, 22_000, 'a larger maxBytes lets it through');
  // Astral characters: 2 UTF-16 units, 4 bytes.
  const astral = wrap('😀'.repeat(16_384));
  t.ok(astral.length < DEFAULT_MAX_XML_BYTES);
  t.equal(rejection(() => parseXml(astral))?.reason, 'too-large');

  t.equal(rejection(() => parseXml('<xml><A>12345</A></xml>', { maxBytes: 10 }))?.reason, 'too-large', 'maxBytes');
  const hugeDoctype = `<!DOCTYPE x [${'<!ENTITY a "b">'.repeat(100_000)}]><xml/>`;
  t.equal(rejection(() => parseXml(hugeDoctype))?.reason, 'too-large', 'size is checked before anything else');
});

t.test('nesting depth', async (t) => {
  const nest = (depth: number) => `${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}`;
  t.doesNotThrow(() => parseXml(nest(16)), '16 levels (the default) are fine');
  t.equal(rejection(() => parseXml(nest(17)))?.reason, 'too-deep');
  t.equal(rejection(() => parseXml(nest(5), { maxDepth: 4 }))?.reason, 'too-deep', 'maxDepth');
  t.doesNotThrow(() => parseXml(nest(4), { maxDepth: 4 }));
  t.equal(rejection(() => parseXml(nest(200_000), { maxBytes: 10_000_000 }))?.reason, 'too-deep', 'very deep: no stack overflow');
  t.equal(rejection(() => parseXml('<a>'.repeat(20)))?.reason, 'too-deep', 'unclosed and deep');
  let v: XmlValue = parseXml(nest(16)).value;
  for (let d = 1; d < 15; d++) v = (v as XmlElement).a!;
  t.equal((v as XmlElement).a, 'x', 'the innermost value');
});

/** mulberry32: a small seeded generator, so the property test is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

t.test('property: 500 random field maps round-trip buildXml → parseFlatXml', async (t) => {
  const random = rng(0x5eed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const FIRST = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_';
  const REST = `${FIRST}0123456789.-`;
  const PIECES = [
    ...[']]>', ']]', ']', '<', '>', '&', '&amp;', '&lt;', '<![CDATA[', '<xml>', '</xml>', '"', "'", '=', '/'],
    ...[' ', '\n', '\r\n', '\t', '中文', '😀', '\u00A0', '\uFEFF', 'é', 'e\u0301'],
  ];
  const randomCodePoint = (): string => {
    for (;;) {
      const r = random();
      const cp = r < 0.5 ? 0x20 + int(0x5f) : r < 0.8 ? 0xa0 + int(0xd7ff - 0xa0) : r < 0.9 ? 0xe000 + int(0xfffe - 0xe000) : 0x10000 + int(0x100000);
      if (cp <= 0x10ffff) return String.fromCodePoint(cp);
    }
  };
  const randomName = (): string => {
    for (;;) {
      let name = pick([...FIRST]);
      const len = int(12);
      for (let i = 0; i < len; i++) name += pick([...REST]);
      if (!['__proto__', 'constructor', 'prototype'].includes(name)) return name;
    }
  };
  const randomValue = (): string => {
    let s = '';
    const parts = int(12);
    for (let i = 0; i < parts; i++) s += random() < 0.5 ? pick(PIECES) : randomCodePoint();
    return s;
  };

  let failures = 0;
  let fields = 0;
  for (let run = 0; run < 500; run++) {
    const map: Record<string, string> = {};
    const count = int(10);
    for (let i = 0; i < count; i++) map[randomName()] = randomValue();
    fields += Object.keys(map).length;
    const xml = buildXml(map);
    let back: Record<string, string> | undefined;
    try {
      back = parseFlatXml(xml);
    } catch (err) {
      failures++;
      t.fail(`run ${run}: ${(err as Error).message}\n${JSON.stringify(map)}`);
      continue;
    }
    const same =
      JSON.stringify(Object.keys(back)) === JSON.stringify(Object.keys(map)) &&
      Object.keys(map).every((k) => back[k] === map[k]);
    if (!same) {
      failures++;
      t.fail(`run ${run}: ${JSON.stringify(map)} came back as ${JSON.stringify(plain(back))}`);
    }
  }
  t.equal(failures, 0, `500 maps (${fields} fields) round-trip exactly`);
});

t.test('the lean reader: the same fields as the parser where it answers, null for anything unusual', async (t) => {
  const generalFlat = (text: string): Record<string, string> | null => {
    try {
      const { value } = parseXml(text);
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
      return out;
    } catch {
      return null;
    }
  };
  // WeChat's own bodies (the fixtures): the lean reader answers, with exactly the parser's fields.
  for (const file of readdirSync(eventsDir).filter((f) => f.endsWith('.xml'))) {
    const text = readEvent(file);
    const lean = readFlatXml(text);
    const general = generalFlat(text)!;
    if (lean) t.strictSame({ ...lean }, general, `${file}: same fields`);
    else t.ok(Object.keys(parseXml(text).value).some((k) => typeof parseXml(text).value[k] !== 'string'), `${file}: null only for nested elements`);
  }
  t.strictSame({ ...readFlatXml('<xml>\n<A><![CDATA[a<b>&c]]></A>\n<B>12</B>\n<C></C></xml>\n')! }, { A: 'a<b>&c', B: '12', C: '' });
  t.equal(Object.getPrototypeOf(readFlatXml('<xml><A>1</A></xml>')), null);
  // Everything unusual goes to the parser, which refuses or reads it.
  for (const text of [
    '<!DOCTYPE xml [<!ENTITY x "y">]><xml><A>&x;</A></xml>',
    '<xml><A>&x;</A></xml>',
    '<xml><A>&lt;</A></xml>',
    '<xml><!-- c --><A>1</A></xml>',
    '<?xml version="1.0"?><xml><A>1</A></xml>',
    '\uFEFF<xml><A>1</A></xml>',
    '<xml><A>1</A><A>2</A></xml>',
    '<xml><A><B>1</B></A></xml>',
    '<xml><A x="1">1</A></xml>',
    '<xml><A/></xml>',
    '<xml><__proto__>x</__proto__></xml>',
    '<xml><constructor>x</constructor></xml>',
    '<xml><A>1</A></xml>junk',
    '<xml><A>1</B></xml>',
    '<xml><A> <![CDATA[x]]></A></xml>',
    '<xml><A>1</A>',
    '<root><A>1</A></root>',
    `<xml><A>${'x'.repeat(70_000)}</A></xml>`,
    `<xml><A>${'中'.repeat(30_000)}</A></xml>`,
  ]) {
    t.equal(readFlatXml(text), null, JSON.stringify(text.slice(0, 60)));
  }
  // Random bodies (the round-trip maps and their mutilations): wherever the lean reader answers, the parser agrees.
  const random = rng(0x1ea7);
  const int = (n: number) => Math.floor(random() * n);
  const NOISE = ['<', '>', '&', ']]>', '<![CDATA[', '</', '/', ' ', '\n', '"', '=', '中', '<!--', '<?', '&amp;', 'A'];
  let answered = 0;
  for (let run = 0; run < 2000; run++) {
    const map: Record<string, string> = {};
    for (let i = 0; i < int(6); i++) map[`F${int(8)}`] = NOISE.slice(0, int(NOISE.length)).join('').slice(0, int(20));
    let text = buildXml(map);
    if (random() < 0.5) {
      const at = int(text.length);
      text = `${text.slice(0, at)}${NOISE[int(NOISE.length)]}${text.slice(at + int(3))}`;
    }
    const lean = readFlatXml(text);
    if (lean === null) continue;
    answered++;
    const general = generalFlat(text);
    if (general === null || JSON.stringify({ ...lean }) !== JSON.stringify(general)) {
      t.fail(`disagrees on ${JSON.stringify(text)}`);
      return;
    }
  }
  t.ok(answered > 300, `${answered} of 2000 read by the lean reader, all as the parser reads them`);
});
