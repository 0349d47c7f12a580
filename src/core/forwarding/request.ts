// What a forwarded push looks like to the service that receives it: a POST of the decrypted message —
// as WeChat wrote it (xml) or its fields as a JSON object (json) — with headers that say which event it
// is and prove it came from wxplat:
//
//   X-Wxplat-Event-Id    the same on every attempt of one event to one rule, so the receiver can dedupe
//   X-Wxplat-Appid       the account (empty for component events without one)
//   X-Wxplat-Timestamp   seconds since the epoch, of this attempt
//   X-Wxplat-Signature   sha256=<hex HMAC-SHA256 with the rule's secret over `timestamp.body`>
//
// Like Stripe's and GitHub's webhooks: the receiver recomputes the HMAC over the exact bytes it got,
// compares in constant time, and refuses a timestamp far from its clock (a replayed request).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { buildXml, parseFlatXml, parseXml, type XmlValue } from '../../wechat/xml.js';

export const SIGNATURE_HEADER = 'x-wxplat-signature';

/** A new rule secret: 32 random bytes. */
export function newForwardSecret(): string {
  return `fwsec_${randomBytes(32).toString('base64url')}`;
}

export function signForward(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The check a receiving service makes (wxplat's own tests and `forward test` use it too). */
export function verifyForward(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signForward(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The event id of one push to one rule: stable across attempts, processes and WeChat's retries. */
export function forwardEventId(inboxId: number, ruleId: number): string {
  return `evt_${inboxId}_${ruleId}`;
}

function plain(value: XmlValue): unknown {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(plain);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) out[k] = plain(value[k]);
  return out;
}

/**
 * What an authorization event carries that is wxplat's alone: the single-use code that wxplat exchanges
 * for the account's tokens (a service exchanging it first would break the authorization) and the
 * pre-authorization code. They never leave in a forward; the ticket is never forwarded at all (rules.ts).
 */
const WITHHELD = new Set(['AuthorizationCode', 'PreAuthCode', 'ComponentVerifyTicket']);

/**
 * The body of a forwarded push: the XML as WeChat sent it, or its elements as JSON (nested ones as
 * objects) — less, for an authorization event, what is withheld.
 */
export function forwardBody(xml: string, format: 'xml' | 'json', route: 'account' | 'component' = 'account'): { body: string; contentType: string } {
  if (route === 'component') {
    const fields = parseFlatXml(xml, { maxBytes: 1024 * 1024 });
    const kept: Record<string, string> = {};
    for (const k of Object.keys(fields)) if (!WITHHELD.has(k)) kept[k] = fields[k]!;
    xml = buildXml(kept);
  }
  if (format === 'xml') return { body: xml, contentType: 'text/xml; charset=utf-8' };
  return { body: JSON.stringify(plain(parseXml(xml, { maxBytes: 1024 * 1024 }).value)), contentType: 'application/json' };
}

export interface ForwardHeaders {
  [name: string]: string;
}

export function forwardHeaders(o: { eventId: string; appid: string | null; secret: string; body: string; contentType: string; now: Date }): ForwardHeaders {
  const timestamp = String(Math.floor(o.now.getTime() / 1000));
  return {
    'content-type': o.contentType,
    'user-agent': 'wxplat-forward',
    'x-wxplat-event-id': o.eventId,
    'x-wxplat-appid': o.appid ?? '',
    'x-wxplat-timestamp': timestamp,
    [SIGNATURE_HEADER]: signForward(o.secret, timestamp, o.body),
  };
}
