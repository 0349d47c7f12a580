// Verifying one callback request, in the order the issue gives: signature (msg_signature over the
// Encrypt element in safe mode, signature otherwise) → decryption → AppId → timestamp skew. Each
// failure is its own 4xx and its own log reason; nothing is stored for a rejected request.
import { AppIdMismatchError, BadSignatureError, CryptoError, type MessageCrypto } from '../../wechat/crypto.js';
import { XmlRejectedError, parseXml, type XmlElement } from '../../wechat/xml.js';

/** The largest request body accepted (64 KiB); a bigger one gets 413. */
export const MAX_BODY_BYTES = 64 * 1024;

export type RejectReason =
  | 'too-large'
  | 'xml-doctype'
  | 'xml-entity'
  | 'xml-malformed'
  | 'no-encrypt'
  | 'signature'
  | 'decrypt'
  | 'appid'
  | 'timestamp'
  | 'no-echostr';

/** The HTTP status of each rejection: the four verification steps each have their own. */
export const REJECT_STATUS: Record<RejectReason, number> = {
  'too-large': 413,
  'xml-doctype': 400,
  'xml-entity': 400,
  'xml-malformed': 400,
  'no-encrypt': 400,
  signature: 401,
  decrypt: 422,
  appid: 421,
  timestamp: 403,
  'no-echostr': 400,
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
  /** `component` requests carry the component appid in a plaintext body's AppId. */
  route: 'component' | 'account';
}

export interface VerifiedMessage {
  /** The decrypted XML, exactly as it was inside Encrypt (or the body, in plaintext mode). */
  xml: string;
  /** Its root's text children. */
  fields: Record<string, string>;
  mode: 'safe' | 'plain';
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
  const out: Record<string, string> = Object.create(null);
  // The parser's objects have no prototype: for…in sees their own keys only.
  for (const k in value) {
    const v = value[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

export function verifyCallback(query: URLSearchParams, body: string, options: VerifyOptions): VerifiedMessage {
  const { crypto } = options;
  const timestamp = query.get('timestamp') ?? '';
  const nonce = query.get('nonce') ?? '';
  const envelope = parse(body, 'the body');
  const encrypt = envelope.Encrypt;
  const safe = encrypt !== undefined || query.get('encrypt_type') === 'aes';

  let result: VerifiedMessage;
  if (safe) {
    if (typeof encrypt !== 'string' || encrypt.trim() === '') {
      throw new CallbackRejectedError('no-encrypt', 'encrypt_type=aes but the body has no Encrypt element');
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
    result = { xml, fields: flat(parse(xml, 'the decrypted message')), mode: 'safe' };
  } else {
    const signature = query.get('signature');
    try {
      crypto.verifySignature(signature as string, timestamp, nonce);
    } catch (err) {
      if (err instanceof BadSignatureError) {
        throw new CallbackRejectedError('signature', signature ? 'signature does not match' : 'signature is missing');
      }
      throw err;
    }
    const fields = flat(envelope);
    // A plaintext authorization event names its platform in AppId: it must be ours.
    if (options.route === 'component' && fields.AppId !== crypto.receiveId) {
      throw new CallbackRejectedError('appid', `the message is for appid ${fields.AppId ?? '(none)'}, not ${crypto.receiveId}`);
    }
    result = { xml: body, fields, mode: 'plain' };
  }

  if (options.maxSkewSeconds > 0) {
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
  return result;
}

/** GET URL verification: `signature` over token, timestamp and nonce; the answer is echostr. */
export function verifyEcho(query: URLSearchParams, crypto: MessageCrypto): string {
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
  return echostr;
}
