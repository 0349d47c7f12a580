// The rules WeChat applies to the values of category templates (类目模板). Their placeholders are typed
// by name — `thing1`, `amount3`, `character_string12` — and WeChat refuses a message whose value breaks
// its type's rule with 47003 "argument invalid! data.<key>.value invalid", one message at a time.
// wxplat checks every value before a send starts, and the sandbox refuses with these same rules, so
// that a rehearsal fails where WeChat would. Each rule and its source is in docs/wechat-facts.md.
//
// Placeholders of the old industry templates (`keyword1`, `first`, `remark`, …) have no type: none of
// this applies to them.
//
// Non-ASCII characters are written as escapes: the shipped bundle must stay ASCII (scripts/bundle.mjs).

export const KEYWORD_TYPES = [
  'thing',
  'number',
  'letter',
  'symbol',
  'character_string',
  'time',
  'date',
  'amount',
  'phone_number',
  'car_number',
  'name',
  'phrase',
] as const;

export type KeywordType = (typeof KEYWORD_TYPES)[number];

/** What an operator is told about a type: WeChat's name for it and its rule, in a few words. */
export interface KeywordRule {
  type: KeywordType;
  /** WeChat's own label (参数说明). */
  label: string;
  rule: string;
  example: string;
}

export const KEYWORD_RULES: Readonly<Record<KeywordType, KeywordRule>> = {
  thing: { type: 'thing', label: '\u4e8b\u7269', rule: 'at most 20 characters (Chinese, letters, digits or symbols)', example: '\u8ba2\u5355\u5df2\u53d1\u8d27' },
  number: { type: 'number', label: '\u6570\u5b57', rule: 'digits only, decimals allowed, at most 32 digits', example: '100.5' },
  letter: { type: 'letter', label: '\u5b57\u6bcd', rule: 'letters only, at most 32', example: 'ABC' },
  symbol: { type: 'symbol', label: '\u7b26\u53f7', rule: 'symbols only, at most 5', example: '#*' },
  character_string: {
    type: 'character_string',
    label: '\u5b57\u7b26\u4e32',
    rule: 'at most 32 letters, digits or symbols (no Chinese, no spaces)',
    example: 'SN20261128001',
  },
  time: {
    type: 'time',
    label: '\u65f6\u95f4',
    rule: 'a 24-hour time HH:MM or HH:MM:SS, optionally after a date; a span joins two with ~',
    example: '2026\u5e7411\u670828\u65e5 12:00',
  },
  date: {
    type: 'date',
    label: '\u65e5\u671f',
    rule: 'a date (y\u5e74m\u6708d\u65e5, y\u5e74m\u6708, m\u6708d\u65e5, or joined with - / .), optionally with a 24-hour time; a span joins two with ~',
    example: '2026-11-28',
  },
  amount: {
    type: 'amount',
    label: '\u91d1\u989d',
    rule: 'one currency symbol at most, then at most 10 digits (decimals allowed), optionally ending in \u5143',
    example: '\u00a539.80',
  },
  phone_number: { type: 'phone_number', label: '\u7535\u8bdd', rule: 'at most 17 digits and symbols', example: '+86-0766-66888866' },
  car_number: {
    type: 'car_number',
    label: '\u8f66\u724c',
    rule: 'at most 8 characters: letters or digits, the first and the last may be Chinese',
    example: '\u7ca4A8Z888\u6302',
  },
  name: {
    type: 'name',
    label: '\u59d3\u540d',
    rule: 'at most 10 Chinese characters, or at most 20 letters or symbols (mixed counts as Chinese)',
    example: '\u5f20\u4e09',
  },
  phrase: { type: 'phrase', label: '\u6c49\u5b57', rule: 'at most 5 Chinese characters, nothing else', example: '\u914d\u9001\u4e2d' },
};

const TYPED_KEY = new RegExp(`^(${KEYWORD_TYPES.join('|')})(\\d*)$`);

/** The type of a placeholder (`amount3` → amount), or null for an untyped one (`keyword1`, `first`). */
export function keywordTypeOf(key: string): KeywordType | null {
  const m = TYPED_KEY.exec(key);
  return m ? (m[1] as KeywordType) : null;
}

const HAN = /\p{Script=Han}/u;
const ONLY_HAN = /^\p{Script=Han}+$/u;
const LETTERS = /^[A-Za-z]+$/;
/** A symbol: punctuation or a symbol character (not a letter, digit, Chinese character or space). */
const SYMBOL = /[\p{P}\p{S}]/u;
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
const DIGIT = /[0-9]/;
const CURRENCY = /\p{Sc}/u;

function chars(value: string): string[] {
  return [...value];
}

/** Characters as WeChat counts them (code points), without making an array: the sandbox runs this per send. */
function length(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function isSymbol(ch: string): boolean {
  return SYMBOL.test(ch);
}

function isAsciiAlnum(ch: string): boolean {
  return /^[A-Za-z0-9]$/.test(ch);
}

/** `2026年11月28日`, `2026年11月`, `11月28日`, `2026-11-28`, `2026/11/28`, `2026.11.28`, `2026-11`, `11-28`. */
const DATE_FORMS: ReadonlyArray<{ re: RegExp; parts: Array<'y' | 'm' | 'd'> }> = [
  { re: /^(\d{4})\u5e74(\d{1,2})\u6708(\d{1,2})\u65e5$/, parts: ['y', 'm', 'd'] },
  { re: /^(\d{4})\u5e74(\d{1,2})\u6708$/, parts: ['y', 'm'] },
  { re: /^(\d{1,2})\u6708(\d{1,2})\u65e5$/, parts: ['m', 'd'] },
  { re: /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/, parts: ['y', 'm', 'd'] },
  { re: /^(\d{4})[-/.](\d{1,2})$/, parts: ['y', 'm'] },
  { re: /^(\d{1,2})[-/.](\d{1,2})$/, parts: ['m', 'd'] },
];

function validDate(text: string): boolean {
  for (const form of DATE_FORMS) {
    const m = form.re.exec(text);
    if (!m) continue;
    // The separator group of the y-m-d form is not a part.
    const numbers = m.slice(1).filter((g) => /^\d+$/.test(g)).map(Number);
    const at = (p: 'y' | 'm' | 'd') => numbers[form.parts.indexOf(p)];
    const month = at('m');
    const day = form.parts.includes('d') ? at('d') : 1;
    return month !== undefined && month >= 1 && month <= 12 && day !== undefined && day >= 1 && day <= 31;
  }
  return false;
}

function validTime(text: string): boolean {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return false;
  return Number(m[1]) <= 23 && Number(m[2]) <= 59 && (m[3] === undefined || Number(m[3]) <= 59);
}

/** One point of time: a time, with a date before it allowed (time), or a date, with a time after it allowed (date). */
function validPoint(text: string, kind: 'time' | 'date'): boolean {
  const t = text.trim();
  const space = t.lastIndexOf(' ');
  if (kind === 'time') {
    if (validTime(t)) return true;
    // The date and the time may also be written together: 2026年11月28日12:00.
    const glued = /^(.*\u65e5)(\d{1,2}:\d{2}(?::\d{2})?)$/.exec(t);
    if (glued) return validDate(glued[1]) && validTime(glued[2]);
    return space > 0 && validDate(t.slice(0, space).trim()) && validTime(t.slice(space + 1));
  }
  if (validDate(t)) return true;
  const glued = /^(.*\u65e5)(\d{1,2}:\d{2}(?::\d{2})?)$/.exec(t);
  if (glued) return validDate(glued[1]) && validTime(glued[2]);
  return space > 0 && validDate(t.slice(0, space).trim()) && validTime(t.slice(space + 1));
}

function checkPoints(value: string, kind: 'time' | 'date'): string | null {
  const points = value.split('~');
  if (points.length > 2) return 'has more than one ~ (a span has two ends)';
  for (const p of points) {
    if (!validPoint(p, kind)) {
      // Name the end of a span that is wrong; a single value is named by the caller already.
      const what = points.length > 1 ? `"${p.trim()}" ` : '';
      return kind === 'time' ? `${what}is not a 24-hour time (with an optional date before it)` : `${what}is not a date (with an optional time after it)`;
    }
  }
  return null;
}

/**
 * What is wrong with `value` for a placeholder of `type`, in a few words, or null when WeChat's rule
 * allows it.
 */
export function keywordValueProblem(type: KeywordType, value: string): string | null {
  if (value.length === 0) return 'is empty';
  if (CONTROL.test(value)) return 'has a line break or another control character';
  const n = length(value);
  switch (type) {
    case 'thing':
      return n > 20 ? `is ${n} characters` : null;
    case 'number': {
      if (!/^\d+(\.\d+)?$/.test(value)) return 'is not a number (digits, with an optional decimal part)';
      const digits = value.replace('.', '').length;
      return digits > 32 ? `has ${digits} digits` : null;
    }
    case 'letter':
      if (!LETTERS.test(value)) return 'has something other than letters';
      return n > 32 ? `is ${n} letters` : null;
    case 'symbol':
      if (!chars(value).every(isSymbol)) return 'has something other than symbols';
      return n > 5 ? `is ${n} symbols` : null;
    case 'character_string': {
      if (HAN.test(value)) return 'has Chinese characters';
      // The usual value (an order number) is plain ASCII letters and digits: no per-character look.
      if (/^[A-Za-z0-9]*$/.test(value)) return n > 32 ? `is ${n} characters` : null;
      const bad = chars(value).find((c) => !isAsciiAlnum(c) && !isSymbol(c));
      if (bad !== undefined) return bad === ' ' ? 'has a space' : `has "${bad}", which is not a letter, digit or symbol`;
      return n > 32 ? `is ${n} characters` : null;
    }
    case 'time':
    case 'date':
      return checkPoints(value, type);
    case 'amount': {
      const m = /^(\p{Sc})?(\d+)(?:\.(\d+))?(\u5143)?$/u.exec(value);
      if (!m) {
        const symbols = chars(value).filter((c) => CURRENCY.test(c)).length;
        if (symbols > 1) return 'has more than one currency symbol';
        return 'is not an amount (a currency symbol, digits with an optional decimal part, an optional \u5143)';
      }
      const digits = m[2].length + (m[3]?.length ?? 0);
      return digits > 10 ? `has ${digits} digits` : null;
    }
    case 'phone_number':
      if (!chars(value).every((c) => DIGIT.test(c) || isSymbol(c))) return 'has something other than digits and symbols';
      if (!DIGIT.test(value)) return 'has no digits';
      return n > 17 ? `is ${n} characters` : null;
    case 'car_number': {
      if (n > 8) return `is ${n} characters`;
      const cs = chars(value);
      const bad = cs.findIndex((c, i) => !(isAsciiAlnum(c) || ((i === 0 || i === n - 1) && HAN.test(c))));
      return bad >= 0 ? `has "${cs[bad]}" at position ${bad + 1}: only the first and last may be Chinese, the rest letters or digits` : null;
    }
    case 'name': {
      if (DIGIT.test(value)) return 'has digits';
      const bad = chars(value).find((c) => !(HAN.test(c) || /[A-Za-z ]/.test(c) || isSymbol(c)));
      if (bad !== undefined) return `has "${bad}"`;
      if (HAN.test(value)) return n > 10 ? `is ${n} characters with Chinese in it` : null;
      return n > 20 ? `is ${n} characters` : null;
    }
    case 'phrase':
      if (!ONLY_HAN.test(value)) return 'has something other than Chinese characters';
      return n > 5 ? `is ${n} characters` : null;
  }
}

/** One placeholder's value judged against its type (what `template send --dry-run` shows). */
export interface ValueCheck {
  key: string;
  /** null: an untyped placeholder of an industry template, which WeChat does not check. */
  type: KeywordType | null;
  value: string;
  ok: boolean;
  /** What is wrong, when not ok. */
  problem: string | null;
  /** The type's rule, for typed placeholders. */
  rule: string | null;
}

export function checkKeywordValue(key: string, value: string): ValueCheck {
  const type = keywordTypeOf(key);
  if (type === null) return { key, type, value, ok: true, problem: null, rule: null };
  const problem = keywordValueProblem(type, value);
  return { key, type, value, ok: problem === null, problem, rule: KEYWORD_RULES[type].rule };
}

/** Whether WeChat accepts `value` for the placeholder `key` (untyped placeholders accept anything). */
export function keywordValueOk(key: string, value: string): boolean {
  const type = keywordTypeOf(key);
  return type === null || keywordValueProblem(type, value) === null;
}
