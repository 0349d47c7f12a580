// WeChat's XML, read safely. A small parser of our own rather than a general one: WeChat's bodies are
// a root element with (mostly flat) children, text or CDATA. It refuses what no legitimate push uses —
// a DOCTYPE or any other declaration, entities beyond the five predefined ones, processing instructions
// — and bodies over a size limit; it never expands anything, and it builds objects with no prototype
// and refuses the names that could reach one (`__proto__`, `constructor`, `prototype`).

export type XmlRejection = 'too-large' | 'doctype' | 'entity' | 'malformed' | 'forbidden-name' | 'too-deep';

export class XmlRejectedError extends Error {
  readonly reason: XmlRejection;
  constructor(reason: XmlRejection, message: string) {
    super(message);
    this.name = 'XmlRejectedError';
    this.reason = reason;
  }
}

export interface XmlElement {
  [name: string]: XmlValue;
}
export type XmlValue = string | XmlElement | XmlValue[];

export interface ParseOptions {
  /** Largest body accepted, in bytes of UTF-8. */
  maxBytes?: number;
  maxDepth?: number;
}

export const DEFAULT_MAX_XML_BYTES = 64 * 1024;

const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const NAME = /^[A-Za-z_][\w.-]*$/;
// A map with no prototype: `&constructor;` or `&__proto__;` must not find Object.prototype's members.
const PREDEFINED: Readonly<Record<string, string>> = Object.assign(Object.create(null) as Record<string, string>, {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
});
/** XML's own whitespace (space, tab, CR, LF) — not JavaScript's `\s`, which also matches NBSP, U+2028 and more. */
const XML_SPACE = /^[ \t\r\n]*$/;

function isXmlSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/** A code point XML allows in a document (the `Char` production). */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

function decodeText(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&<\s]*)(;?)/g, (_whole, name: string, semicolon: string) => {
    if (semicolon !== ';') throw new XmlRejectedError('malformed', 'a bare & in text');
    if (Object.prototype.hasOwnProperty.call(PREDEFINED, name)) return PREDEFINED[name];
    const num = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(name);
    if (num) {
      const code = num[1] !== undefined ? parseInt(num[1], 16) : parseInt(num[2], 10);
      if (!isXmlChar(code)) throw new XmlRejectedError('malformed', 'an invalid character reference');
      return String.fromCodePoint(code);
    }
    if (!/^[A-Za-z_:][\w.:-]*$/.test(name)) throw new XmlRejectedError('malformed', 'a bad entity or character reference');
    throw new XmlRejectedError('entity', `entity &${name.slice(0, 40)}; is not allowed: WeChat XML uses no entities`);
  });
}

/**
 * Checks what follows the element name in a start tag: nothing but well-formed attributes
 * (`name="value"` or `name='value'`), which are then ignored — WeChat's XML has none.
 */
function checkAttributes(rest: string, element: string): void {
  let j = 0;
  const m = rest.length;
  for (;;) {
    const start = j;
    while (j < m && isXmlSpace(rest[j])) j++;
    if (j >= m) return;
    if (j === start) throw new XmlRejectedError('malformed', `bad start tag <${element.slice(0, 40)}>`);
    const attr = /[A-Za-z_:][\w.:-]*/y;
    attr.lastIndex = j;
    if (!attr.exec(rest)) throw new XmlRejectedError('malformed', `bad attribute in <${element.slice(0, 40)}>`);
    j = attr.lastIndex;
    while (j < m && isXmlSpace(rest[j])) j++;
    if (rest[j] !== '=') throw new XmlRejectedError('malformed', `bad attribute in <${element.slice(0, 40)}>`);
    j++;
    while (j < m && isXmlSpace(rest[j])) j++;
    const quote = rest[j];
    if (quote !== '"' && quote !== "'") throw new XmlRejectedError('malformed', `unquoted attribute in <${element.slice(0, 40)}>`);
    const end = rest.indexOf(quote, j + 1);
    if (end < 0) throw new XmlRejectedError('malformed', `unterminated attribute in <${element.slice(0, 40)}>`);
    const value = rest.slice(j + 1, end);
    if (value.includes('<')) throw new XmlRejectedError('malformed', `"<" in an attribute of <${element.slice(0, 40)}>`);
    decodeText(value); // refuses entity references here too, though the value is never used
    j = end + 1;
  }
}

interface Frame {
  name: string;
  children: XmlElement;
  text: string;
  hasElements: boolean;
}

function addChild(parent: XmlElement, name: string, value: XmlValue): void {
  if (Object.prototype.hasOwnProperty.call(parent, name)) {
    const existing = parent[name];
    if (Array.isArray(existing)) existing.push(value);
    else parent[name] = [existing, value];
  } else {
    parent[name] = value;
  }
}

export function parseXml(text: string, options: ParseOptions = {}): { root: string; value: XmlElement } {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const maxDepth = options.maxDepth ?? 16;
  if (text.length > maxBytes || Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new XmlRejectedError('too-large', `XML body over ${maxBytes} bytes`);
  }
  let i = 0;
  const n = text.length;
  const stack: Frame[] = [];
  let root: { name: string; value: XmlElement } | undefined;

  const skipSpace = () => {
    while (i < n && isXmlSpace(text[i])) i++;
  };

  if (text.startsWith('\uFEFF', i)) i++;
  skipSpace();
  // The XML declaration, `<?xml` and a space — not `<?xml-stylesheet …?>`, which is a processing instruction.
  if (/^<\?xml[ \t\r\n]/.test(text.slice(i, i + 6))) {
    const end = text.indexOf('?>', i);
    if (end < 0) throw new XmlRejectedError('malformed', 'unterminated XML declaration');
    i = end + 2;
  }

  while (i < n) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    if (chunk.length > 0) {
      const top = stack[stack.length - 1];
      if (top) top.text += decodeText(chunk);
      else if (!XML_SPACE.test(chunk)) throw new XmlRejectedError('malformed', 'text outside the root element');
    }
    if (lt < 0) break;
    i = lt;

    if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      if (end < 0) throw new XmlRejectedError('malformed', 'unterminated CDATA');
      const top = stack[stack.length - 1];
      if (!top) throw new XmlRejectedError('malformed', 'CDATA outside the root element');
      top.text += text.slice(i + 9, end);
      i = end + 3;
      continue;
    }
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) throw new XmlRejectedError('malformed', 'unterminated comment');
      i = end + 3;
      continue;
    }
    if (text.startsWith('<!', i)) {
      const what = /^<!(\w+)/.exec(text.slice(i, i + 20))?.[1]?.toUpperCase() ?? '';
      if (what === 'DOCTYPE') throw new XmlRejectedError('doctype', 'a DOCTYPE is not allowed in WeChat XML');
      throw new XmlRejectedError('entity', `<!${what}> declarations are not allowed in WeChat XML`);
    }
    if (text.startsWith('<?', i)) throw new XmlRejectedError('malformed', 'processing instructions are not allowed');

    const close = text.indexOf('>', i);
    if (close < 0) throw new XmlRejectedError('malformed', 'unterminated tag');
    const inner = text.slice(i + 1, close);
    i = close + 1;

    if (inner.startsWith('/')) {
      // Trailing XML whitespace only (a loop: `/[ \t\r\n]+$/` backtracks quadratically on a long run of spaces).
      let end = inner.length;
      while (end > 1 && isXmlSpace(inner[end - 1])) end--;
      const name = inner.slice(1, end);
      const frame = stack.pop();
      if (!frame || frame.name !== name) throw new XmlRejectedError('malformed', `unexpected </${name.slice(0, 40)}>`);
      const value: XmlValue = frame.hasElements ? frame.children : frame.text;
      if (frame.hasElements && !XML_SPACE.test(frame.text)) {
        throw new XmlRejectedError('malformed', `<${name}> mixes text and elements`);
      }
      const parent = stack[stack.length - 1];
      if (parent) addChild(parent.children, name, value);
      else {
        root = { name, value: frame.hasElements ? frame.children : (Object.create(null) as XmlElement) };
        skipSpace();
        while (text.startsWith('<!--', i)) {
          const end = text.indexOf('-->', i + 4);
          if (end < 0) throw new XmlRejectedError('malformed', 'unterminated comment');
          i = end + 3;
          skipSpace();
        }
        if (i < n) throw new XmlRejectedError('malformed', 'content after the root element');
        break;
      }
      continue;
    }

    const selfClosing = inner.endsWith('/');
    const body = selfClosing ? inner.slice(0, -1) : inner;
    const name = /^[^ \t\r\n/]*/.exec(body)![0];
    if (!NAME.test(name)) throw new XmlRejectedError('malformed', `bad element name "${name.slice(0, 40)}"`);
    if (FORBIDDEN_NAMES.has(name)) throw new XmlRejectedError('forbidden-name', `element name "${name}" is not allowed`);
    checkAttributes(body.slice(name.length), name);
    if (root) throw new XmlRejectedError('malformed', 'more than one root element');
    const parent = stack[stack.length - 1];
    if (parent) parent.hasElements = true;
    if (selfClosing) {
      if (parent) addChild(parent.children, name, '');
      else {
        root = { name, value: Object.create(null) as XmlElement };
        skipSpace();
        if (i < n) throw new XmlRejectedError('malformed', 'content after the root element');
        break;
      }
      continue;
    }
    if (stack.length >= maxDepth) throw new XmlRejectedError('too-deep', `XML nested deeper than ${maxDepth}`);
    stack.push({ name, children: Object.create(null) as XmlElement, text: '', hasElements: false });
  }

  if (stack.length > 0) throw new XmlRejectedError('malformed', `<${stack[stack.length - 1].name}> is not closed`);
  if (!root) throw new XmlRejectedError('malformed', 'no root element');
  return { root: root.name, value: root.value };
}

/**
 * The common shape of WeChat's XML, read in one pass: `<xml>`, then children that each hold one CDATA
 * section or plain text, then `</xml>`, with XML whitespace between. Anything else — a declaration, a
 * BOM, a comment, a DOCTYPE, an entity or character reference, a nested or repeated element, another
 * root — gives null, and the caller reads the text with parseXml, which refuses what must be refused.
 * So this reader accepts nothing parseXml would not, and gives the same fields where it answers. The
 * receiver reads two documents a request; this is several times faster than the general parser.
 */
export function readFlatXml(text: string, maxBytes = DEFAULT_MAX_XML_BYTES): Record<string, string> | null {
  // The size check of parseXml: UTF-8 bytes are at most three a UTF-16 code unit.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes)) return null;
  const n = text.length;
  let i = 0;
  while (i < n && isXmlSpace(text[i])) i++;
  if (!text.startsWith('<xml>', i)) return null;
  i += 5;
  const out = Object.create(null) as Record<string, string>;
  for (;;) {
    while (i < n && isXmlSpace(text[i])) i++;
    if (text.charCodeAt(i) !== 0x3c /* < */) return null;
    if (text.startsWith('</xml>', i)) {
      i += 6;
      while (i < n && isXmlSpace(text[i])) i++;
      return i === n ? out : null;
    }
    const close = text.indexOf('>', i + 1);
    if (close < 0) return null;
    const name = text.slice(i + 1, close);
    if (!NAME.test(name) || FORBIDDEN_NAMES.has(name) || name in out) return null;
    i = close + 1;
    let value: string;
    if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      if (end < 0) return null;
      value = text.slice(i + 9, end);
      i = end + 3;
    } else {
      const lt = text.indexOf('<', i);
      if (lt < 0) return null;
      value = text.slice(i, lt);
      if (value.includes('&')) return null;
      i = lt;
    }
    // `</name>` must follow at once.
    if (text.charCodeAt(i) !== 0x3c || text.charCodeAt(i + 1) !== 0x2f || !text.startsWith(name, i + 2) || text.charCodeAt(i + 2 + name.length) !== 0x3e) {
      return null;
    }
    i += name.length + 3;
    out[name] = value;
  }
}

/** The root's direct children that hold text: the shape of every WeChat push. */
export function parseFlatXml(text: string, options?: ParseOptions): Record<string, string> {
  const fast = readFlatXml(text, options?.maxBytes);
  if (fast) return fast;
  const { value } = parseXml(text, options);
  const flat = Object.create(null) as Record<string, string>;
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string') flat[key] = v;
  return flat;
}

function cdata(value: string): string {
  // A `]]>` inside the value ends one CDATA section and starts another.
  return `<![CDATA[${value.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

/** `<xml>` with one child per field: strings in CDATA, numbers bare (as WeChat writes them). */
export function buildXml(fields: Record<string, string | number | bigint>, root = 'xml'): string {
  if (!NAME.test(root) || FORBIDDEN_NAMES.has(root)) throw new Error(`bad element name ${root}`);
  const parts = Object.entries(fields).map(([k, v]) => {
    if (!NAME.test(k) || FORBIDDEN_NAMES.has(k)) throw new Error(`bad element name ${k}`);
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`${k} is not a finite number`);
    return `<${k}>${typeof v === 'string' ? cdata(v) : String(v)}</${k}>`;
  });
  return `<${root}>${parts.join('')}</${root}>`;
}
