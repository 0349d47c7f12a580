// What an accepted message is, for the inbox: its type, the account it concerns, when WeChat made it,
// and the dedupe key that makes WeChat's retries of one push a single row.
//
// WeChat retries a push with the same content, so a key must be the same for every copy of one push and
// different for two pushes. Messages carry a MsgId, which is enough (WeChat's own advice, 排重). Events
// do not: two menu clicks in one second by one follower differ only in EventKey, two scans in their
// Ticket, two location reports in their coordinates. So an event's key ends with a digest of all its
// fields, which is the same for retries (identical fields) and differs for anything else:
//   component events: component|InfoType|CreateTime|AuthorizerAppid|f:<digest>
//   account messages: account|appid|FromUserName|CreateTime|MsgType|Event|<MsgId>
//   account events:   account|appid|FromUserName|CreateTime|MsgType|Event|f:<digest>
// A key that would be too long for the index is the sha1 of the whole key. Keys compare byte for byte
// (openids are case-sensitive; the column's collation is binary).
import { createHash } from 'node:crypto';
import type { InboxRoute } from '../../db/rows.js';

export interface DescribedMessage {
  route: InboxRoute;
  /** The account the message is about (AuthorizerAppid, or the account URL's appid); null for tickets. */
  appid: string | null;
  /** InfoType for component events; Event for account events; MsgType for other account messages. */
  eventType: string;
  /** CreateTime, when it is a plausible time (see MESSAGE_TIME_RANGE); else null. */
  messageTime: Date | null;
  dedupeKey: string;
}

const MAX_KEY = 191;

/** CreateTime is kept only from 2000 to a day after now: a column of DATETIME takes no year 33658. */
const EARLIEST_MESSAGE_TIME = Date.UTC(2000, 0, 1);
const LATEST_AHEAD_MS = 24 * 3600 * 1000;

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** The same for the same fields in any order; NUL never occurs in XML text, so it separates safely. */
function fieldsDigest(fields: Record<string, string>): string {
  const names = Object.keys(fields).sort();
  return sha1(names.map((n) => `${n}\u0000${fields[n]}`).join('\u0000'));
}

function key(parts: readonly string[]): string {
  const text = parts.join('|');
  if (text.length > MAX_KEY || parts.slice(1).some((p) => p.includes('|'))) return `${parts[0]}|sha1:${sha1(text)}`;
  return text;
}

/** A message's CreateTime as a time, when it is a plausible one (from 2000 to a day ahead); else null. */
export function messageTimeOf(createTime: string | undefined, now: Date): Date | null {
  if (createTime === undefined || !/^\d{1,12}$/.test(createTime.trim())) return null;
  const ms = Number(createTime.trim()) * 1000;
  if (ms < EARLIEST_MESSAGE_TIME || ms > now.getTime() + LATEST_AHEAD_MS) return null;
  return new Date(ms);
}

export function describeMessage(
  route: InboxRoute,
  urlAppid: string | null,
  fields: Record<string, string>,
  now: Date,
): DescribedMessage {
  const createTime = fields.CreateTime?.trim() ?? '';
  const messageTime = messageTimeOf(fields.CreateTime, now);
  if (route === 'component') {
    const infoType = fields.InfoType?.trim() || 'unknown';
    const appid = fields.AuthorizerAppid?.trim() || null;
    return {
      route,
      appid,
      eventType: infoType,
      messageTime,
      dedupeKey: key(['component', infoType, createTime, appid ?? '', `f:${fieldsDigest(fields)}`]),
    };
  }
  const msgType = fields.MsgType?.trim() || 'unknown';
  const event = msgType === 'event' ? fields.Event?.trim() || 'event' : '';
  const msgId = (fields.MsgId ?? fields.MsgID ?? '').trim();
  return {
    route,
    appid: urlAppid,
    eventType: msgType === 'event' ? event : msgType,
    messageTime,
    dedupeKey: key([
      'account',
      urlAppid ?? '',
      fields.FromUserName?.trim() ?? '',
      createTime,
      msgType,
      event,
      msgId || `f:${fieldsDigest(fields)}`,
    ]),
  };
}
