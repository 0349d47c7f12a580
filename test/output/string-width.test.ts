// Our string width (swapped in for cli-table3's in the shipped bundle) agrees with the string-width
// package on what wxplat prints: ASCII, Chinese, full-width punctuation, ANSI colours, emoji.
import { createRequire } from 'node:module';
import t from 'tap';
import stringWidth from '../../src/output/string-width.js';

const reference = createRequire(import.meta.url)('string-width') as (s: string) => number;

t.test('agrees with string-width', async (t) => {
  const samples = [
    '',
    'abc',
    'IT科技',
    '互联网/电子商务',
    '基金|理财|信托',
    '沙箱服务号1',
    '认证类型：-1代表未认证',
    '（全角）ＡＢＣ！',
    '\u001b[31mred\u001b[39m 中文',
    '\u001b[1m\u001b[32mok\u001b[39m\u001b[22m',
    'tab\there',
    'e\u0301',
    'ﾊﾝｶｸ',
    '한국어',
    'emoji 🎉 ok',
    '✅ done',
    'oia2TjuEGTNoeX76QEjQNrcURxG8',
    '3717005636572528642',
    '2026-11-28T12:00:00.000Z',
  ];
  for (const s of samples) t.equal(stringWidth(s), reference(s), JSON.stringify(s));
  for (let code = 0x20; code < 0x3000; code += 7) {
    const s = String.fromCodePoint(code);
    if (/\p{Extended_Pictographic}/u.test(s)) continue;
    t.equal(stringWidth(s), reference(s), `U+${code.toString(16)}`);
  }
});
