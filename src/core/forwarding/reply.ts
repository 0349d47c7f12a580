// A reply rule: the service answers the message itself (WeChat's passive reply). `serve` calls it after
// the push is committed to the inbox and before it answers WeChat, within a budget under WeChat's five
// seconds. A 200 whose body is a reply — WeChat's reply XML (`<xml>…<MsgType>text…`), or, from a
// json-format rule, a JSON object of the same fields — becomes the answer to WeChat (encrypted by the
// caller); an empty body or `success`, another status, a slow or failed call, or a body that is no
// reply: WeChat gets `success`, and the outcome says why. Never tried again later: the answer would be
// too late to be one.
import { XmlRejectedError, buildXml, parseXml } from '../../wechat/xml.js';
import type { Poster } from './post.js';
import { forwardBody, forwardEventId, forwardHeaders } from './request.js';
import { targetFor } from './rules.js';
import type { LoadedRule } from './rule-set.js';

export interface ReplyOutcome {
  /** The reply XML for WeChat, or null: answer `success`. */
  reply: string | null;
  /** The call reached the service and it answered 2xx (with a reply or without). */
  delivered: boolean;
  status: number | null;
  /** Why there is no reply, when something went wrong. */
  error: string | null;
  ms: number;
}

export interface ReplyCall {
  rule: LoadedRule;
  inboxId: number;
  appid: string;
  /** The decrypted push, as forwarded. */
  xml: string;
  /** The push's fields: the reply's default ToUserName, FromUserName. */
  fields: Record<string, string>;
  budgetMs: number;
  now: Date;
}

const REPLY_TYPES = new Set(['text', 'image', 'voice', 'video', 'music', 'news', 'transfer_customer_service']);

/** Reads a service's answer as a reply: null when it means "no reply"; throws a reason when it is no reply. */
export function readReply(body: string, call: Pick<ReplyCall, 'fields' | 'now'>): string | null {
  const text = body.trim();
  if (text === '' || text === 'success') return null;
  let fields: Record<string, unknown>;
  if (text.startsWith('{')) {
    try {
      fields = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Error('the answer is neither reply XML nor a JSON object');
    }
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw new Error('the JSON answer is not an object');
    const flat: Record<string, string | number> = {
      ToUserName: call.fields.FromUserName ?? '',
      FromUserName: call.fields.ToUserName ?? '',
      CreateTime: Math.floor(call.now.getTime() / 1000),
    };
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v === 'string' || typeof v === 'number') flat[k] = v;
      else throw new Error(`the JSON answer's ${k.slice(0, 40)} is not a string or a number (nested replies need XML)`);
    }
    try {
      return checkReply(buildXml(flat));
    } catch (err) {
      throw new Error(`the JSON answer cannot be a reply: ${(err as Error).message}`, { cause: err });
    }
  }
  return checkReply(text);
}

function checkReply(xml: string): string {
  let parsed;
  try {
    parsed = parseXml(xml, { maxBytes: 64 * 1024 });
  } catch (err) {
    throw new Error(err instanceof XmlRejectedError ? `the answer is not WeChat XML (${err.reason})` : 'the answer is not WeChat XML', { cause: err });
  }
  const msgType = parsed.value.MsgType;
  if (parsed.root !== 'xml' || typeof msgType !== 'string') throw new Error('the answer is XML but not a reply: no <xml> root with a MsgType');
  if (!REPLY_TYPES.has(msgType)) throw new Error(`a reply cannot have MsgType ${msgType.slice(0, 40)}`);
  return xml;
}

export async function callReplyRule(poster: Poster, call: ReplyCall): Promise<ReplyOutcome> {
  const { rule } = call;
  const { body, contentType } = forwardBody(call.xml, rule.format);
  const headers = forwardHeaders({ eventId: forwardEventId(call.inboxId, rule.id), appid: call.appid, secret: rule.secret, body, contentType, now: call.now });
  const r = await poster.post(targetFor(rule, call.appid), headers, body, call.budgetMs);
  const base = { status: r.status, ms: r.ms };
  if (r.status === null) return { ...base, reply: null, delivered: false, error: r.error };
  if (r.status < 200 || r.status >= 300) return { ...base, reply: null, delivered: false, error: `HTTP ${r.status}` };
  if (r.truncated) return { ...base, reply: null, delivered: true, error: 'the answer is over 64 KiB' };
  try {
    const reply = readReply(r.body, call);
    return { ...base, reply, delivered: true, error: null };
  } catch (err) {
    return { ...base, reply: null, delivered: true, error: (err as Error).message };
  }
}
