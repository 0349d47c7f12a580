// Follower openids derived from (appid, index), so that an account can have a million followers
// without a million strings in memory. An openid is `o` + 27 url-safe characters (28 in all, like
// WeChat's), carrying 20 bytes: a 4-byte prefix of the account (so one account's openids share their
// first characters, as real ones do), then four 32-bit words that hide the index and check it. Decoding
// is a table lookup per character and four multiplications: send checks membership in O(1).
import { createHash } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

export const OPENID_LENGTH = 28;

/** A 32-bit mixer (murmur3's finaliser over x ^ k): cheap, and no visible pattern between indexes. */
function mix(x: number, k: number): number {
  let h = (x ^ k) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class OpenidCodec {
  readonly #prefix: Buffer;
  readonly #k: Uint32Array;
  /** Reused for every encode and decode: the sandbox runs on one thread. */
  readonly #bytes = Buffer.alloc(20);

  constructor(appid: string) {
    const digest = createHash('sha256').update(`wxplat-sandbox-openid\0${appid}`).digest();
    this.#prefix = Buffer.from(digest.subarray(0, 4));
    this.#k = new Uint32Array([digest.readUInt32BE(4), digest.readUInt32BE(8), digest.readUInt32BE(12), digest.readUInt32BE(16)]);
  }

  encode(index: number): string {
    const k = this.#k;
    const b = this.#bytes;
    this.#prefix.copy(b, 0);
    const w0 = mix(index, k[0]);
    const w2 = mix(index ^ 0x5bd1e995, k[2]);
    b.writeUInt32BE(w0, 4);
    b.writeUInt32BE((index ^ mix(w0, k[1])) >>> 0, 8);
    b.writeUInt32BE(w2, 12);
    b.writeUInt32BE(mix(w2 ^ index, k[3]), 16);
    return `o${b.toString('base64url')}`;
  }

  /** The index `openid` was made from, or -1 when it is not one of this account's derived openids. */
  decode(openid: string): number {
    if (openid.length !== OPENID_LENGTH || openid.charCodeAt(0) !== 0x6f /* o */) return -1;
    const b = this.#bytes;
    let acc = 0;
    let bits = 0;
    let at = 0;
    for (let i = 1; i < OPENID_LENGTH; i++) {
      const c = openid.charCodeAt(i);
      const v = c < 128 ? DECODE[c] : -1;
      if (v < 0) return -1;
      acc = ((acc << 6) | v) & 0xfff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        if (at < 20) b[at++] = (acc >>> bits) & 0xff;
      }
    }
    // 27 characters hold 162 bits: the 2 left over are zero in the one canonical spelling.
    if ((acc & ((1 << bits) - 1)) !== 0) return -1;
    const p = this.#prefix;
    if (b[0] !== p[0] || b[1] !== p[1] || b[2] !== p[2] || b[3] !== p[3]) return -1;
    const k = this.#k;
    const w0 = b.readUInt32BE(4);
    const index = (b.readUInt32BE(8) ^ mix(w0, k[1])) >>> 0;
    if (mix(index, k[0]) !== w0) return -1;
    const w2 = b.readUInt32BE(12);
    if (mix(index ^ 0x5bd1e995, k[2]) !== w2) return -1;
    if (mix(w2 ^ index, k[3]) !== b.readUInt32BE(16)) return -1;
    return index;
  }
}
