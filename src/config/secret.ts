import { inspect } from 'node:util';

/** Shows the first and last four characters of a secret, never the middle. */
export function mask(value: string | null | undefined): string {
  if (!value) return '';
  if (value.length <= 12) return '…';
  return `${value.slice(0, 4)}…${value.slice(-4)}`;
}

/**
 * A value that must never be printed. Every way of turning it into text (String(), JSON, util.inspect,
 * template literals) yields the mask; only reveal() gives the value, and only code that sends it to
 * WeChat or stores it calls that.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return mask(this.#value);
  }
  toJSON(): string {
    return mask(this.#value);
  }
  [inspect.custom](): string {
    return `Secret(${mask(this.#value)})`;
  }
}

/** Whether two secrets are equal, in constant time (lengths included: both are hashed first). */
export function sameSecret(a: string, b: string): boolean {
  // node:crypto loads here, on first use: most commands never compare a secret, and it costs ~2 ms to load.
  const { createHash, timingSafeEqual } = process.getBuiltinModule('node:crypto');
  const digest = (v: string) => createHash('sha256').update(v, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
