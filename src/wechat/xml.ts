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
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeText(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]{0,12});?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new XmlRejectedError('malformed', 'a bare & in text');
    if (name in PREDEFINED) return PREDEFINED[name]!;
    const num = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(name);
    if (num) {
      const code = num[1] !== undefined ? parseInt(num[1], 16) : Number(num[2]);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        throw new XmlRejectedError('malformed', 'an invalid character reference');
      }
      return String.fromCodePoint(code);
    }
    throw new XmlRejectedError('entity', `entity &${name}; is not allowed: WeChat XML uses no entities`);
  });
}

interface Frame {
  name: string;
  children: XmlElement;
  text: string;
  hasElements: boolean;
}

function addChild(parent: XmlElement, name: string, value: XmlValue): void {
  if (Object.prototype.hasOwnProperty.call(parent, name)) {
    const existing = parent[name]!;
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
    while (i < n && /\s/.test(text[i]!)) i++;
  };

  skipSpace();
  if (text.startsWith('\uFEFF', i)) i++;
  if (text.startsWith('<?xml', i)) {
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
      else if (chunk.trim() !== '') throw new XmlRejectedError('malformed', 'text outside the root element');
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
      const name = inner.slice(1).trim();
      const frame = stack.pop();
      if (!frame || frame.name !== name) throw new XmlRejectedError('malformed', `unexpected </${name}>`);
      const value: XmlValue = frame.hasElements ? frame.children : frame.text;
      if (frame.hasElements && frame.text.trim() !== '') {
        throw new XmlRejectedError('malformed', `<${name}> mixes text and elements`);
      }
      const parent = stack[stack.length - 1];
      if (parent) addChild(parent.children, name, value);
      else {
        root = { name, value: frame.hasElements ? frame.children : Object.create(null) };
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
    const name = /^[^\s/]+/.exec(body)?.[0] ?? '';
    if (!NAME.test(name)) throw new XmlRejectedError('malformed', `bad element name "${name.slice(0, 40)}"`);
    if (FORBIDDEN_NAMES.has(name)) throw new XmlRejectedError('forbidden-name', `element name "${name}" is not allowed`);
    if (root) throw new XmlRejectedError('malformed', 'more than one root element');
    const parent = stack[stack.length - 1];
    if (parent) parent.hasElements = true;
    if (selfClosing) {
      if (parent) addChild(parent.children, name, '');
      else {
        root = { name, value: Object.create(null) };
        skipSpace();
        if (i < n) throw new XmlRejectedError('malformed', 'content after the root element');
        break;
      }
      continue;
    }
    if (stack.length >= maxDepth) throw new XmlRejectedError('too-deep', `XML nested deeper than ${maxDepth}`);
    stack.push({ name, children: Object.create(null), text: '', hasElements: false });
  }

  if (stack.length > 0) throw new XmlRejectedError('malformed', `<${stack[stack.length - 1]!.name}> is not closed`);
  if (!root) throw new XmlRejectedError('malformed', 'no root element');
  return { root: root.name, value: root.value };
}

/** The root's direct children that hold text: the shape of every WeChat push. */
export function parseFlatXml(text: string, options?: ParseOptions): Record<string, string> {
  const { value } = parseXml(text, options);
  const flat: Record<string, string> = Object.create(null);
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string') flat[key] = v;
  return flat;
}

function cdata(value: string): string {
  // A `]]>` inside the value ends one CDATA section and starts another.
  return `<![CDATA[${value.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

/** `<xml>` with one child per field: strings in CDATA, numbers bare (as WeChat writes them). */
export function buildXml(fields: Record<string, string | number | bigint>, root = 'xml'): string {
  const parts = Object.entries(fields).map(([k, v]) => {
    if (!NAME.test(k) || FORBIDDEN_NAMES.has(k)) throw new Error(`bad element name ${k}`);
    return `<${k}>${typeof v === 'string' ? cdata(v) : String(v)}</${k}>`;
  });
  return `<${root}>${parts.join('')}</${root}>`;
}
