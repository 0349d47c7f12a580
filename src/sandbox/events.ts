// The plaintext XML of each push, field for field as WeChat writes them (test/fixtures/events/):
// strings in CDATA, CreateTime and MsgID bare. The MsgID is written from its decimal string, never
// through a JS number.
import { buildXml } from '../wechat/xml.js';

export function ticketEvent(componentAppid: string, createTime: number, ticket: string): string {
  return buildXml({
    AppId: componentAppid,
    CreateTime: createTime,
    InfoType: 'component_verify_ticket',
    ComponentVerifyTicket: ticket,
  });
}

export function authorizedEvent(
  componentAppid: string,
  createTime: number,
  infoType: 'authorized' | 'updateauthorized',
  authorizerAppid: string,
  authCode: string,
  /** Absolute epoch seconds, as real pushes carry it (not a duration). */
  codeExpiredTime: number,
  preAuthCode: string,
): string {
  return buildXml({
    AppId: componentAppid,
    CreateTime: createTime,
    InfoType: infoType,
    AuthorizerAppid: authorizerAppid,
    AuthorizationCode: authCode,
    AuthorizationCodeExpiredTime: String(codeExpiredTime),
    PreAuthCode: preAuthCode,
  });
}

export function unauthorizedEvent(componentAppid: string, createTime: number, authorizerAppid: string): string {
  return buildXml({ AppId: componentAppid, CreateTime: createTime, InfoType: 'unauthorized', AuthorizerAppid: authorizerAppid });
}

export function templateSendJobFinishEvent(userName: string, openid: string, createTime: number, msgid: string, status: string): string {
  return buildXml({
    ToUserName: userName,
    FromUserName: openid,
    CreateTime: createTime,
    MsgType: 'event',
    Event: 'TEMPLATESENDJOBFINISH',
    MsgID: BigInt(msgid),
    Status: status,
  });
}

/** What a follower can do, as the sandbox plays it (`POST /sandbox/messages`). */
export const USER_MESSAGE_KINDS = ['text', 'image', 'voice', 'click', 'view', 'scan', 'location', 'subscribe', 'unsubscribe'] as const;
export type UserMessageKind = (typeof USER_MESSAGE_KINDS)[number];

/**
 * A follower's message or event to an account, as WeChat pushes it: `value` is a text's Content, a
 * menu's EventKey, a scene.
 */
export function userMessageEvent(
  kind: UserMessageKind,
  userName: string,
  openid: string,
  createTime: number,
  msgId: string,
  value: string | undefined,
): string {
  const base = { ToUserName: userName, FromUserName: openid, CreateTime: createTime };
  switch (kind) {
    case 'text':
      return buildXml({ ...base, MsgType: 'text', Content: value ?? '你好', MsgId: BigInt(msgId) });
    case 'image':
      return buildXml({ ...base, MsgType: 'image', PicUrl: 'http://mmbiz.qpic.cn/sandbox.jpg', MediaId: `media_${msgId}`, MsgId: BigInt(msgId) });
    case 'voice':
      return buildXml({ ...base, MsgType: 'voice', MediaId: `media_${msgId}`, Format: 'amr', MsgId: BigInt(msgId) });
    case 'click':
      return buildXml({ ...base, MsgType: 'event', Event: 'CLICK', EventKey: value ?? 'MENU_SANDBOX' });
    case 'view':
      return buildXml({ ...base, MsgType: 'event', Event: 'VIEW', EventKey: value ?? 'https://example.com/' });
    case 'scan':
      return buildXml({ ...base, MsgType: 'event', Event: 'SCAN', EventKey: value ?? '123', Ticket: `gQsandbox${msgId}` });
    case 'location':
      return buildXml({ ...base, MsgType: 'event', Event: 'LOCATION', Latitude: '23.137466', Longitude: '113.352425', Precision: '119.385040' });
    case 'subscribe':
      return buildXml({ ...base, MsgType: 'event', Event: 'subscribe', EventKey: value ? `qrscene_${value}` : '' });
    case 'unsubscribe':
      return buildXml({ ...base, MsgType: 'event', Event: 'unsubscribe', EventKey: '' });
  }
}
