// `wxplat events trigger`: sends a signed, encrypted event to a receiver exactly as WeChat would — the
// component's token, AES key and appid; the query WeChat uses (signature, timestamp, nonce,
// encrypt_type=aes, msg_signature, and openid for an account's user events); the envelope of each URL
// — so that an operator can test a deployed receiver end to end.
import { randomBytes, randomInt } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { MessageCrypto } from '../../wechat/crypto.js';
import { buildXml, parseFlatXml, readFlatXml } from '../../wechat/xml.js';
import { accountSampleFields } from '../forwarding/samples.js';
import { httpUrl, isAppid, isUrl } from '../../formats.js';

import { TRIGGER_TYPES, type TriggerType } from './trigger-types.js';

export { TRIGGER_TYPES, type TriggerType };

export interface TriggerInput {
  type: TriggerType;
  /** The receiver: its base URL, a URL with WeChat's `$APPID$`, or the exact route. */
  forwardTo: string;
  /** The account (authorized, unauthorized, template receipts, subscriptions). */
  appid?: string;
  /** MsgID of a TEMPLATESENDJOBFINISH (default: a random 19-digit id). */
  msgid?: string;
  /** The follower (template receipts, subscriptions). */
  openid?: string;
  /** Status of a TEMPLATESENDJOBFINISH (default success). */
  status?: string;
  /** AuthorizationCode of an authorized event. */
  authCode?: string;
  /** A text message's Content; the EventKey of a click, view or scan. */
  content?: string;
  /**
   * The account's original id (gh_…) for ToUserName: the receiver refuses an account push whose
   * ToUserName is not its URL's account's.
   */
  originalId?: string;
  component: { appid: string; token: string; encodingAesKey: string };
  now: Date;
}

export interface TriggerRequest {
  url: string;
  /** The URL without its query, for printing. */
  target: string;
  body: string;
  /** The event's fields (what the receiver will decrypt). */
  event: Record<string, string>;
}


function randomDigits(n: number): string {
  let s = String(randomInt(1, 10));
  while (s.length < n) s += String(randomInt(0, 10));
  return s;
}

function needAppid(input: TriggerInput): string {
  if (!input.appid) throw new UsageError(`${input.type} is about an account: give it with --appid wx…`);
  if (!isAppid(input.appid)) throw new UsageError(`--appid must be "wx" and 16 letters or digits (got "${input.appid}")`);
  return input.appid;
}

function targetUrl(forwardTo: string, route: string, appid: string | null): URL {
  const text = forwardTo.replaceAll('$APPID$', appid ?? '$APPID$');
  const url = httpUrl(text);
  if (!url) {
    if (!isUrl(text)) throw new UsageError(`--forward-to is not a URL: ${forwardTo}`, 'e.g. --forward-to http://127.0.0.1:8080');
    throw new UsageError('--forward-to must be an http(s) URL');
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = route;
  return url;
}

export function buildTrigger(input: TriggerInput): TriggerRequest {
  const created = String(Math.floor(input.now.getTime() / 1000));
  const c = input.component;
  let event: Record<string, string>;
  let route: string;
  let appid: string | null = null;
  let openid: string | undefined;
  switch (input.type) {
    case 'component_verify_ticket':
      route = '/wechat/component';
      event = {
        AppId: c.appid,
        CreateTime: created,
        InfoType: 'component_verify_ticket',
        ComponentVerifyTicket: `ticket@@@wxplat-trigger-${randomBytes(24).toString('base64url')}`,
      };
      break;
    case 'authorized':
    case 'updateauthorized':
      appid = needAppid(input);
      route = '/wechat/component';
      event = {
        AppId: c.appid,
        CreateTime: created,
        InfoType: input.type,
        AuthorizerAppid: appid,
        AuthorizationCode: input.authCode ?? `queryauthcode@@@wxplat-trigger-${randomBytes(24).toString('base64url')}`,
        AuthorizationCodeExpiredTime: String(Number(created) + 3600),
        PreAuthCode: `preauthcode@@@wxplat-trigger-${randomBytes(12).toString('base64url')}`,
      };
      break;
    case 'unauthorized':
      appid = needAppid(input);
      route = '/wechat/component';
      event = { AppId: c.appid, CreateTime: created, InfoType: 'unauthorized', AuthorizerAppid: appid };
      break;
    case 'text':
    case 'image':
    case 'voice':
    case 'click':
    case 'view':
    case 'scan':
    case 'location':
    case 'templatesendjobfinish':
    case 'subscribe':
    case 'unsubscribe': {
      appid = needAppid(input);
      route = `/wechat/accounts/${appid}`;
      openid = input.openid ?? `o${randomBytes(20).toString('base64url').slice(0, 27)}`;
      if (!input.originalId) {
        throw new UsageError(`${input.type} goes to ${appid}'s URL: give the account's original id with --original-id gh_…`, 'the receiver refuses a push whose ToUserName is not its account\'s');
      }
      if (!/^gh_[0-9A-Za-z]{1,37}$/.test(input.originalId)) throw new UsageError(`--original-id must be "gh_" and letters or digits (got "${input.originalId}")`);
      const base = {
        ToUserName: input.originalId,
        FromUserName: openid,
        CreateTime: created,
        MsgType: 'event',
      };
      if (input.type === 'templatesendjobfinish') {
        if (input.msgid !== undefined && !/^\d{1,20}$/.test(input.msgid)) throw new UsageError('--msgid must be digits');
        event = { ...base, Event: 'TEMPLATESENDJOBFINISH', MsgID: input.msgid ?? randomDigits(19), Status: input.status ?? 'success' };
      } else {
        const fields = accountSampleFields({ kind: input.type, originalId: input.originalId, openid, value: input.content, now: input.now });
        event = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
      }
      break;
    }
  }

  return { ...sealPush({ event, route, appid, openid, forwardTo: input.forwardTo, component: c, timestamp: created }), event };
}

/**
 * A push sealed as WeChat seals it — the event encrypted with the component's key, the envelope of its
 * URL, the query WeChat uses (signature, timestamp, nonce, openid for an account's user events,
 * encrypt_type=aes, msg_signature) — addressed to a receiver.
 */
export function sealPush(o: {
  event: Record<string, string>;
  route: string;
  appid: string | null;
  openid?: string;
  forwardTo: string;
  component: TriggerInput['component'];
  timestamp: string;
}): Omit<TriggerRequest, 'event'> {
  const c = o.component;
  const crypto = new MessageCrypto({ token: c.token, encodingAesKey: c.encodingAesKey, receiveId: c.appid });
  const nonce = String(randomInt(100_000_000, 2_000_000_000));
  // WeChat writes numbers bare and text in CDATA: CreateTime and MsgID are numbers.
  const xmlFields: Record<string, string | bigint> = {};
  for (const [k, v] of Object.entries(o.event)) xmlFields[k] = (k === 'CreateTime' || k === 'MsgID' || k === 'MsgId' || k === 'MenuId') && /^\d+$/.test(v) ? BigInt(v) : v;
  const { encrypt, msgSignature } = crypto.sealEnvelope(buildXml(xmlFields), o.timestamp, nonce);
  const envelope =
    o.route === '/wechat/component'
      ? buildXml({ AppId: c.appid, Encrypt: encrypt })
      : buildXml({ ToUserName: String(o.event.ToUserName), Encrypt: encrypt });
  const url = targetUrl(o.forwardTo, o.route, o.appid);
  url.searchParams.set('signature', crypto.signature(o.timestamp, nonce));
  url.searchParams.set('timestamp', o.timestamp);
  url.searchParams.set('nonce', nonce);
  if (o.openid) url.searchParams.set('openid', o.openid);
  url.searchParams.set('encrypt_type', 'aes');
  url.searchParams.set('msg_signature', msgSignature);
  return { url: url.toString(), target: `${url.origin}${url.pathname}`, body: envelope };
}

export interface TriggerResult {
  type: TriggerType;
  target: string;
  status: number;
  body: string;
  /** The receiver answered 200: `success`, or a passive reply that decrypts. */
  accepted: boolean;
  /** The passive reply the receiver answered with, decrypted (a reply rule's, or the release check's). */
  reply: string | null;
  /** The event's fields, without the ticket or authorization code. */
  event: Record<string, string>;
}

const HIDDEN = new Set(['ComponentVerifyTicket', 'AuthorizationCode', 'PreAuthCode']);

export interface TriggerDeps {
  /** The original id of an account, where it can be looked up (the local database). */
  originalIdOf?: (appid: string) => Promise<string | null>;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const ACCOUNT_ROUTE_TYPES: ReadonlySet<TriggerType> = new Set(TRIGGER_TYPES.filter((t) => !['component_verify_ticket', 'authorized', 'updateauthorized', 'unauthorized'].includes(t)));

export async function sendTrigger(input: TriggerInput, deps: TriggerDeps = {}): Promise<TriggerResult> {
  const fetchImpl = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? 15_000;
  if (ACCOUNT_ROUTE_TYPES.has(input.type) && !input.originalId && input.appid && isAppid(input.appid) && deps.originalIdOf) {
    input = { ...input, originalId: (await deps.originalIdOf(input.appid)) ?? undefined };
  }
  const req = buildTrigger(input);
  const res = await fetchImpl(req.url, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', 'user-agent': 'wxplat events trigger' },
    body: req.body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = (await res.text()).slice(0, 64 * 1024);
  const event: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.event)) event[k] = HIDDEN.has(k) ? '…' : v;
  const reply = res.status === 200 ? openReply(text, input.component) : null;
  const accepted = res.status === 200 && (text.trim() === 'success' || reply !== null);
  return { type: input.type, target: req.target, status: res.status, body: text.slice(0, 2000), accepted, reply, event };
}

/** A passive reply as WeChat would read it: checked (msg_signature) and decrypted; null if it is none. */
export function openReply(body: string, component: TriggerInput['component']): string | null {
  const envelope = readFlatXml(body);
  if (!envelope?.Encrypt || !envelope.MsgSignature || !envelope.TimeStamp || !envelope.Nonce) return null;
  const crypto = new MessageCrypto({ token: component.token, encodingAesKey: component.encodingAesKey, receiveId: component.appid });
  try {
    crypto.verifyMsgSignature(envelope.MsgSignature, envelope.TimeStamp, envelope.Nonce, envelope.Encrypt);
    const xml = crypto.decrypt(envelope.Encrypt).message;
    parseFlatXml(xml);
    return xml;
  } catch {
    return null;
  }
}
