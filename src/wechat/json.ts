// JSON from WeChat, read without losing 64-bit ids. `msgid` values exceed 2^53 and JSON.parse would
// round them; any integer literal that is not a safe JS integer becomes a string of its exact digits.

const LONG_DIGITS = /\d{16,}/;

export function parseJsonLossless(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  return JSON.parse(quoteUnsafeIntegers(text));
}

/** Rewrites integer literals beyond 2^53 (outside strings) as JSON strings. */
export function quoteUnsafeIntegers(text: string): string {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c /* \ */) i++;
      else if (ch === 0x22 /* " */) inString = false;
      continue;
    }
    if (ch === 0x22) {
      inString = true;
      continue;
    }
    if (ch === 0x2d /* - */ || (ch >= 0x30 && ch <= 0x39)) {
      let j = i + 1;
      while (j < text.length) {
        const c = text.charCodeAt(j);
        if ((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d) j++;
        else break;
      }
      const literal = text.slice(i, j);
      if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        out += `${text.slice(last, i)}"${literal}"`;
        last = j;
      }
      i = j - 1;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

/** A 64-bit id as its exact decimal string, whether it arrived as a number or a string. */
export function idString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  throw new TypeError(`expected an id, got ${typeof value}`);
}
