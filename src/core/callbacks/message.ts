// What an accepted message is, for the inbox: its type, the account it concerns, when WeChat made it,
// and the dedupe key that makes WeChat's retries of one push a single row.
//
// Keys follow WeChat's own advice (排重: MsgId where there is one, else FromUserName + CreateTime):
//   component events: InfoType, CreateTime, AuthorizerAppid
//   account messages: appid, FromUserName, CreateTime, MsgType, Event, MsgId/MsgID
// A key that would be too long for the index, or a message without CreateTime, is keyed by a hash.
import { createHash } from 'node:crypto';
import type { InboxRoute } from '../../db/rows.js';

export interface DescribedMessage {
  route: InboxRoute;
  /** The account the message is about (AuthorizerAppid, or the account URL's appid); null for tickets. */
  appid: string | null;
  /** InfoType for component events; Event for account events; MsgType for other account messages. */
  eventType: string;
  messageTime: Date | null;
  dedupeKey: string;
}

const MAX_KEY = 191;

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function key(parts: readonly string[], xml: string, hasTime: boolean): string {
  const text = parts.join('|');
  if (!hasTime) return `${parts[0]}|sha1:${sha1(xml)}`;
  if (text.length > MAX_KEY || parts.slice(1).some((p) => p.includes('|'))) return `${parts[0]}|sha1:${sha1(text)}`;
  return text;
}

function timeOf(createTime: string | undefined): Date | null {
  if (createTime === undefined || !/^\d{1,12}$/.test(createTime.trim())) return null;
  return new Date(Number(createTime.trim()) * 1000);
}

export function describeMessage(
  route: InboxRoute,
  urlAppid: string | null,
  fields: Record<string, string>,
  xml: string,
): DescribedMessage {
  const createTime = fields.CreateTime?.trim() ?? '';
  const messageTime = timeOf(fields.CreateTime);
  if (route === 'component') {
    const infoType = fields.InfoType?.trim() || 'unknown';
    const appid = fields.AuthorizerAppid?.trim() || null;
    return {
      route,
      appid,
      eventType: infoType,
      messageTime,
      dedupeKey: key(['component', infoType, createTime, appid ?? ''], xml, messageTime !== null),
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
    dedupeKey: key(
      ['account', urlAppid ?? '', fields.FromUserName?.trim() ?? '', createTime, msgType, event, msgId],
      xml,
      messageTime !== null,
    ),
  };
}
