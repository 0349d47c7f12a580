import { readFileSync } from 'node:fs';
import t from 'tap';
import { idString, parseJsonLossless, quoteUnsafeIntegers } from '../../src/wechat/json.js';

t.test('a msgid above 2^53 keeps every digit', async (t) => {
  const real = readFileSync(new URL('../fixtures/cgi-bin_message_template_send.real_community.json', import.meta.url), 'utf8');
  t.match(real, /3717005636572528642/, 'the fixture is the real 19-digit msgid');
  // eslint-disable-next-line no-loss-of-precision -- the rounding is what this test shows
  t.equal(JSON.parse(real).msgid === 3717005636572528642, true, 'JSON.parse rounds it (the problem)');
  t.not(String(JSON.parse(real).msgid), '3717005636572528642');
  const parsed = parseJsonLossless(real) as { msgid: unknown };
  t.equal(parsed.msgid, '3717005636572528642');
  t.equal(idString(parsed.msgid), '3717005636572528642');
  t.same(parseJsonLossless('{"msgid":3717005636572528642}'), { msgid: '3717005636572528642' });
});

t.test('only unsafe integers outside strings change', async (t) => {
  const text =
    '{"a":"9007199254740993 in a string \\" 12345678901234567890","b":9007199254740993,"c":-9223372036854775808,' +
    '"d":9007199254740991,"e":1.5e300,"f":[18446744073709551615,1],"g":200228332,"h":12345678901234567.5}';
  const v = parseJsonLossless(text) as Record<string, unknown>;
  t.equal(v.a, '9007199254740993 in a string " 12345678901234567890');
  t.equal(v.b, '9007199254740993');
  t.equal(v.c, '-9223372036854775808');
  t.equal(v.d, 9007199254740991, 'a safe integer stays a number');
  t.equal(v.e, 1.5e300, 'floats are left alone');
  t.same(v.f, ['18446744073709551615', 1]);
  t.equal(v.g, 200228332);
  // eslint-disable-next-line no-loss-of-precision -- the float as JSON.parse reads it
  t.equal(v.h, 12345678901234567.5);
  t.equal(quoteUnsafeIntegers('{"x":1}'), '{"x":1}', 'nothing to do: the same text');
  t.equal(idString(200228332), '200228332');
  t.throws(() => idString(null));
});
