// Verifying one callback request: msg_signature over the Encrypt element → decryption → AppId →
// timestamp skew. Each failure is its own 4xx and its own log reason; nothing is stored for a rejected
// request.
//
// Only safe mode is accepted. A third-party platform's pushes are always encrypted, and plaintext
// mode's `signature` covers the token, timestamp and nonce but not the body: anyone who saw one push
// URL (proxy and access logs keep them) could post any body under it. So a body without Encrypt is
// refused (`plaintext`) whatever its query says, and no option brings plaintext back.
import { AppIdMismatchError, BadSignatureError, CryptoError, type MessageCrypto } from '../../wechat/crypto.js';
import type { QueryParams } from '../../wechat/query.js';
import { XmlRejectedError, parseXml, readFlatXml, type XmlElement } from '../../wechat/xml.js';

/** The largest request body accepted (64 KiB); a bigger one gets 413. */
export const MAX_BODY_BYTES = 64 * 1024;

export type RejectReason =
  | 'too-large'
  | 'xml-doctype'
  | 'xml-entity'
  | 'xml-malformed'
  | 'plaintext'
  | 'no-encrypt'
  | 'signature'
  | 'decrypt'
  | 'appid'
  | 'timestamp'
  | 'no-echostr'
  | 'to-user';

/** The HTTP status of each rejection: the four verification steps each have their own. */
export const REJECT_STATUS: Record<RejectReason, number> = {
  'too-large': 413,
  'xml-doctype': 400,
  'xml-entity': 400,
  'xml-malformed': 400,
  plaintext: 415,
  'no-encrypt': 400,
  signature: 401,
  decrypt: 422,
  appid: 421,
  timestamp: 403,
  'no-echostr': 400,
  'to-user': 409,
};

export class CallbackRejectedError extends Error {
  readonly reason: RejectReason;
  readonly status: number;
  constructor(reason: RejectReason, message: string) {
    super(message);
    this.name = 'CallbackRejectedError';
    this.reason = reason;
    this.status = REJECT_STATUS[reason];
  }
}

export interface VerifyOptions {
  /** Made with the component token, AES key and appid (the receive id every push carries). */
  crypto: MessageCrypto;
  /** Seconds the timestamp may differ from now; 0 turns the check off. */
  maxSkewSeconds: number;
  now: Date;
}

export interface VerifiedMessage {
  /** The decrypted XML, exactly as it was inside Encrypt. */
  xml: string;
  /** Its root's text children. */
  fields: Record<string, string>;
}

function xmlRejection(err: XmlRejectedError, where: string): CallbackRejectedError {
  switch (err.reason) {
    case 'too-large':
      return new CallbackRejectedError('too-large', `${where} is over ${MAX_BODY_BYTES} bytes`);
    case 'doctype':
      return new CallbackRejectedError('xml-doctype', `${where} has a DOCTYPE`);
    case 'entity':
      return new CallbackRejectedError('xml-entity', `${where} declares or uses an entity`);
    default:
      return new CallbackRejectedError('xml-malformed', `${where} is not WeChat XML (${err.reason})`);
  }
}

function parse(text: string, where: string): XmlElement {
  try {
    return parseXml(text, { maxBytes: MAX_BODY_BYTES }).value;
  } catch (err) {
    if (err instanceof XmlRejectedError) throw xmlRejection(err, where);
    throw err;
  }
}

function flat(value: XmlElement): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  // The parser's objects have no prototype: for…in sees their own keys only.
  for (const k in value) {
    const v = value[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

export function verifyCallback(query: QueryParams, body: string, options: VerifyOptions): VerifiedMessage {
  const { crypto } = options;
  const timestamp = query.get('timestamp') ?? '';
  const nonce = query.get('nonce') ?? '';
  // WeChat's usual shape is read by the lean reader; anything else by the parser, which refuses what it must.
  const encrypt = (readFlatXml(body, MAX_BODY_BYTES) ?? parse(body, 'the body')).Encrypt;
  if (encrypt === undefined) {
    throw new CallbackRejectedError('plaintext', 'the body is not encrypted: only safe mode (Encrypt and msg_signature) is accepted');
  }
  if (typeof encrypt !== 'string' || encrypt.trim() === '') {
    throw new CallbackRejectedError('no-encrypt', 'the Encrypt element is empty');
  }
  const msgSignature = query.get('msg_signature');
  try {
    crypto.verifyMsgSignature(msgSignature as string, timestamp, nonce, encrypt);
  } catch (err) {
    if (err instanceof BadSignatureError) {
      throw new CallbackRejectedError('signature', msgSignature ? 'msg_signature does not match' : 'msg_signature is missing');
    }
    throw err;
  }
  let xml: string;
  try {
    xml = crypto.decrypt(encrypt).message;
  } catch (err) {
    if (err instanceof AppIdMismatchError) {
      throw new CallbackRejectedError('appid', `the message is for appid ${err.found || '(empty)'}, not ${crypto.receiveId}`);
    }
    if (err instanceof CryptoError) throw new CallbackRejectedError('decrypt', `cannot decrypt: ${err.message}`);
    throw err;
  }
  const result = { xml, fields: readFlatXml(xml, MAX_BODY_BYTES) ?? flat(parse(xml, 'the decrypted message')) };
  checkSkew(timestamp, options);
  return result;
}

/** The request's timestamp is within the skew of now (unless the check is off). */
function checkSkew(timestamp: string, options: { maxSkewSeconds: number; now: Date }): void {
  if (options.maxSkewSeconds <= 0) return;
  const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
  const skew = Math.abs(options.now.getTime() / 1000 - seconds);
  if (!(skew <= options.maxSkewSeconds)) {
    throw new CallbackRejectedError(
      'timestamp',
      Number.isNaN(seconds)
        ? 'timestamp is missing or not a number'
        : `timestamp is ${Math.round(skew)} s from now (more than ${options.maxSkewSeconds} s)`,
    );
  }
}

/**
 * GET URL verification: `signature` over token, timestamp and nonce, within the same skew as a POST;
 * the answer is echostr.
 */
export function verifyEcho(query: QueryParams, options: VerifyOptions): string {
  const { crypto } = options;
  const echostr = query.get('echostr');
  if (echostr === null) throw new CallbackRejectedError('no-echostr', 'a GET needs echostr, signature, timestamp and nonce');
  const timestamp = query.get('timestamp') ?? '';
  const nonce = query.get('nonce') ?? '';
  try {
    crypto.verifySignature(query.get('signature') as string, timestamp, nonce);
  } catch (err) {
    if (err instanceof BadSignatureError) throw new CallbackRejectedError('signature', 'signature does not match');
    throw err;
  }
  checkSkew(timestamp, options);
  return echostr;
}
