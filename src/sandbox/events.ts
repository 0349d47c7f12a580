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
