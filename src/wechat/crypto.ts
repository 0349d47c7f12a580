// WeChat's message crypto (WXBizMsgCrypt): AES-256-CBC with the IV taken from the key, PKCS#7 padding
// to 32-byte blocks, plaintext = random(16) ‖ uint32be(length) ‖ message ‖ receiveId, and SHA-1
// signatures over the sorted parts. Each way a message can be bad has its own error class, so the
// receiver can log exactly which check failed.
import { createCipheriv, createDecipheriv, createHash, hash, randomFillSync, timingSafeEqual, type Cipher, type Decipher } from 'node:crypto';

export class CryptoError extends Error {
  readonly check: 'signature' | 'key' | 'padding' | 'appid' | 'format';
  constructor(check: CryptoError['check'], message: string) {
    super(message);
    this.name = new.target.name;
    this.check = check;
  }
}

export class BadSignatureError extends CryptoError {
  constructor(message = 'signature does not match') {
    super('signature', message);
  }
}

export class BadKeyError extends CryptoError {
  constructor(message = 'EncodingAESKey must be 43 letters or digits') {
    super('key', message);
  }
}

export class BadPaddingError extends CryptoError {
  constructor(message = 'bad PKCS#7 padding: wrong key or corrupted message') {
    super('padding', message);
  }
}

export class AppIdMismatchError extends CryptoError {
  /** The receive id found in the message (an appid, never a secret). */
  readonly found: string;
  constructor(found: string, expected: string) {
    super('appid', `message is for ${found || '(empty)'}, not ${expected}`);
    this.found = found;
  }
}

export class MalformedCiphertextError extends CryptoError {
  constructor(message: string) {
    super('format', message);
  }
}

const BLOCK = 32;

/** Strict UTF-8: bytes that are not UTF-8 are an error, never U+FFFD; a leading BOM is kept. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * sha1 hex of the parts sorted lexicographically by their UTF-8 bytes and joined with nothing.
 * (Byte order, as the reference says; `Array.prototype.sort` compares UTF-16 code units, which puts
 * a character above U+FFFF before one in U+E000–U+FFFF.)
 */
export function sha1Signature(parts: readonly string[]): string {
  // Every part of a real signature is ASCII (token, digits, base64), where the code-unit order of
  // strings is the byte order: no Buffers to make, sort or join.
  // One-shot hashing of the joined text: no Hash object per request.
  if (parts.every((p) => ASCII.test(p))) return hash('sha1', [...parts].sort().join(''), 'hex');
  const sorted = parts.map((p) => Buffer.from(p, 'utf8')).sort((a, b) => Buffer.compare(a, b));
  return createHash('sha1').update(Buffer.concat(sorted)).digest('hex');
}

const ASCII = /^[\x00-\x7f]*$/;

function sameHex(a: unknown, b: string): boolean {
  // A missing query parameter reaches here as undefined: that is a bad signature, not a TypeError.
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a.toLowerCase());
  const y = Buffer.from(b.toLowerCase());
  return x.length === y.length && timingSafeEqual(x, y);
}

export function decodeAesKey(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey)) throw new BadKeyError();
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new BadKeyError('EncodingAESKey does not decode to 32 bytes');
  return key;
}

export interface MessageCryptoOptions {
  token: string;
  encodingAesKey: string;
  /** The appid the messages are for: the component appid for a third-party platform. */
  receiveId: string;
}

export interface Decrypted {
  message: string;
  receiveId: string;
}

export class MessageCrypto {
  readonly #token: string;
  readonly #key: Buffer;
  readonly #iv: Buffer;
  /**
   * AES-256 in ECB mode, made once: CBC decryption is each block's ECB decryption XORed with the block
   * before it (the IV for the first), and an ECB decipher keeps no state between whole blocks, so one
   * serves every message — a new CBC decipher for each was a third of the cost of decrypting.
   */
  readonly #blocks: Decipher;
  /**
   * AES-256-CBC encryption, made once and never finished: its chaining value is the last block it wrote.
   * Each message is preceded by the block that brings it back to the IV — D(IV) XOR that last block,
   * which encrypts to the IV — so every message is CBC under the IV, as if the cipher were new (a new
   * one for each reply was a fifth of sealing it, bench/forward's reply rule).
   */
  readonly #chain: Cipher;
  /** D(IV): the AES decryption of the IV under the key. */
  readonly #rewind: Buffer;
  /** The last ciphertext block #chain wrote (at first, the IV). */
  #last: Buffer;
  /** CSPRNG bytes drawn ahead, 16 for each message's random prefix (one draw per 256 messages). */
  #random = Buffer.alloc(0);
  #randomAt = 0;
  readonly receiveId: string;

  constructor(options: MessageCryptoOptions) {
    this.#token = options.token;
    this.#key = decodeAesKey(options.encodingAesKey);
    this.#iv = this.#key.subarray(0, 16);
    this.#blocks = createDecipheriv('aes-256-ecb', this.#key, null);
    this.#blocks.setAutoPadding(false);
    this.#chain = createCipheriv('aes-256-cbc', this.#key, this.#iv);
    this.#chain.setAutoPadding(false);
    this.#rewind = this.#blocks.update(this.#iv);
    this.#last = Buffer.from(this.#iv);
    this.receiveId = options.receiveId;
  }

  /** `signature` of a plain request: sha1(sort(token, timestamp, nonce)). */
  signature(timestamp: string, nonce: string): string {
    return sha1Signature([this.#token, timestamp, nonce]);
  }

  /** `msg_signature` of an encrypted request: sha1(sort(token, timestamp, nonce, encrypt)). */
  msgSignature(timestamp: string, nonce: string, encrypt: string): string {
    return sha1Signature([this.#token, timestamp, nonce, encrypt]);
  }

  verifySignature(signature: string, timestamp: string, nonce: string): void {
    if (!sameHex(signature, this.signature(timestamp, nonce))) throw new BadSignatureError('signature does not match');
  }

  verifyMsgSignature(msgSignature: string, timestamp: string, nonce: string, encrypt: string): void {
    if (!sameHex(msgSignature, this.msgSignature(timestamp, nonce, encrypt))) {
      throw new BadSignatureError('msg_signature does not match');
    }
  }

  /** base64 ciphertext of `message`; `random` (16 bytes) is fixed only by tests. */
  encrypt(message: string, random: Buffer = this.#nextRandom()): string {
    if (random.length !== 16) throw new RangeError('random must be 16 bytes');
    const bodyLength = Buffer.byteLength(message, 'utf8');
    const idLength = Buffer.byteLength(this.receiveId, 'utf8');
    const plainLength = 20 + bodyLength + idLength;
    const pad = BLOCK - (plainLength % BLOCK);
    // The rewinding block, then random, length, message, receive id, PKCS#7 padding to 32 bytes.
    const input = Buffer.allocUnsafe(16 + plainLength + pad);
    for (let i = 0; i < 16; i++) input[i] = this.#rewind[i] ^ this.#last[i];
    random.copy(input, 16);
    input.writeUInt32BE(bodyLength, 32);
    input.write(message, 36, 'utf8');
    input.write(this.receiveId, 36 + bodyLength, 'utf8');
    input.fill(pad, 16 + plainLength);
    const out = this.#chain.update(input);
    this.#last = out.subarray(out.length - 16);
    return out.toString('base64', 16);
  }

  #nextRandom(): Buffer {
    if (this.#randomAt + 16 > this.#random.length) {
      this.#random = randomFillSync(Buffer.allocUnsafe(4096));
      this.#randomAt = 0;
    }
    const r = this.#random.subarray(this.#randomAt, this.#randomAt + 16);
    this.#randomAt += 16;
    return r;
  }

  /**
   * Decrypts and checks the padding, the length field and, unless `checkReceiveId` is false, that the
   * message is for our receive id.
   */
  decrypt(encrypt: string, checkReceiveId = true): Decrypted {
    if (typeof encrypt !== 'string' || encrypt === '') throw new MalformedCiphertextError('Encrypt is not base64');
    // Node's decoder skips what it cannot use; only the canonical encoding of the bytes is accepted,
    // which is what encoding them again gives back (a round trip costs less than a regular expression
    // over the text; the expression only says which refusal it is).
    const data = Buffer.from(encrypt, 'base64');
    if (data.toString('base64') !== encrypt) {
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypt) || encrypt.length % 4 !== 0) throw new MalformedCiphertextError('Encrypt is not base64');
      throw new MalformedCiphertextError('Encrypt is not canonical base64');
    }
    if (data.length === 0 || data.length % 16 !== 0) {
      throw new MalformedCiphertextError('ciphertext is not a whole number of AES blocks');
    }
    const plain = this.#cbcDecrypt(data);
    const pad = plain[plain.length - 1];
    if (pad < 1 || pad > BLOCK || pad > plain.length) throw new BadPaddingError();
    for (let i = plain.length - pad; i < plain.length; i++) {
      if (plain[i] !== pad) throw new BadPaddingError();
    }
    const content = plain.subarray(0, plain.length - pad);
    if (content.length < 20) throw new BadPaddingError('decrypted message is too short');
    const length = content.readUInt32BE(16);
    if (20 + length > content.length) throw new BadPaddingError('length field exceeds the message: wrong key?');
    let message: string;
    let receiveId: string;
    try {
      message = UTF8.decode(content.subarray(20, 20 + length));
      receiveId = UTF8.decode(content.subarray(20 + length));
    } catch {
      throw new MalformedCiphertextError('decrypted message is not UTF-8: wrong key or corrupted message');
    }
    if (checkReceiveId && receiveId !== this.receiveId) throw new AppIdMismatchError(receiveId, this.receiveId);
    return { message, receiveId };
  }

  /** AES-256-CBC decryption of whole blocks, without padding removal (see #blocks). */
  #cbcDecrypt(data: Buffer): Buffer {
    const plain = this.#blocks.update(data);
    if (plain.length !== data.length) throw new MalformedCiphertextError('ciphertext is not a whole number of AES blocks');
    const iv = this.#iv;
    for (let i = 0; i < 16; i++) plain[i] ^= iv[i];
    for (let i = 16; i < plain.length; i++) plain[i] ^= data[i - 16];
    return plain;
  }

  /** The encrypted reply/push envelope WeChat uses: Encrypt, MsgSignature, TimeStamp, Nonce. */
  sealEnvelope(message: string, timestamp: string, nonce: string, random?: Buffer): { encrypt: string; msgSignature: string } {
    const encrypt = this.encrypt(message, random);
    return { encrypt, msgSignature: this.msgSignature(timestamp, nonce, encrypt) };
  }
}
