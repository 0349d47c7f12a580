// Pushes as WeChat makes them, for trying things: `forward test` sends one to a rule's target, and
// `events trigger` sends one, encrypted, to a receiver. The fields and their order are WeChat's.
import { randomBytes, randomInt } from 'node:crypto';
import { buildXml } from '../../wechat/xml.js';

export const ACCOUNT_SAMPLES = ['text', 'image', 'voice', 'click', 'view', 'scan', 'location', 'subscribe', 'unsubscribe'] as const;
export const COMPONENT_SAMPLES = ['authorized', 'updateauthorized', 'unauthorized'] as const;
export type AccountSample = (typeof ACCOUNT_SAMPLES)[number];
export type ComponentSample = (typeof COMPONENT_SAMPLES)[number];

function digits(n: number): bigint {
  let s = String(randomInt(1, 10));
  while (s.length < n) s += String(randomInt(0, 10));
  return BigInt(s);
}

export interface AccountSampleInput {
  kind: AccountSample;
  /** ToUserName: the account's original id. */
  originalId: string;
  openid?: string;
  /** Text content, menu key or scene: what the sample carries. */
  value?: string;
  now: Date;
}

/** The fields of an account's push of this kind (numbers as bigint: written bare, as WeChat does). */
export function accountSampleFields(input: AccountSampleInput): Record<string, string | bigint> {
  const base = {
    ToUserName: input.originalId,
    FromUserName: input.openid ?? `o${randomBytes(20).toString('base64url').slice(0, 27)}`,
    CreateTime: BigInt(Math.floor(input.now.getTime() / 1000)),
  };
  switch (input.kind) {
    case 'text':
      return { ...base, MsgType: 'text', Content: input.value ?? '你好', MsgId: digits(19) };
    case 'image':
      return { ...base, MsgType: 'image', PicUrl: 'http://mmbiz.qpic.cn/sample.jpg', MediaId: `media_${randomBytes(12).toString('hex')}`, MsgId: digits(19) };
    case 'voice':
      return { ...base, MsgType: 'voice', MediaId: `media_${randomBytes(12).toString('hex')}`, Format: 'amr', MsgId: digits(19) };
    case 'click':
      return { ...base, MsgType: 'event', Event: 'CLICK', EventKey: input.value ?? 'MENU_SAMPLE' };
    case 'view':
      return { ...base, MsgType: 'event', Event: 'VIEW', EventKey: input.value ?? 'https://example.com/', MenuId: digits(9) };
    case 'scan':
      return { ...base, MsgType: 'event', Event: 'SCAN', EventKey: input.value ?? '123', Ticket: `gQ${randomBytes(24).toString('base64url')}` };
    case 'location':
      return { ...base, MsgType: 'event', Event: 'LOCATION', Latitude: '23.137466', Longitude: '113.352425', Precision: '119.385040' };
    case 'subscribe':
      return { ...base, MsgType: 'event', Event: 'subscribe', EventKey: input.value ? `qrscene_${input.value}` : '' };
    case 'unsubscribe':
      return { ...base, MsgType: 'event', Event: 'unsubscribe', EventKey: '' };
  }
}

export function accountSampleXml(input: AccountSampleInput): string {
  return buildXml(accountSampleFields(input));
}

/** An authorization event of the component route (the codes in it are made up). */
export function componentSampleXml(kind: ComponentSample, componentAppid: string, appid: string, now: Date): string {
  const t = Math.floor(now.getTime() / 1000);
  const base = { AppId: componentAppid, CreateTime: BigInt(t), InfoType: kind, AuthorizerAppid: appid };
  if (kind === 'unauthorized') return buildXml(base);
  return buildXml({
    ...base,
    AuthorizationCode: `queryauthcode@@@sample-${randomBytes(12).toString('base64url')}`,
    AuthorizationCodeExpiredTime: BigInt(t + 3600),
    PreAuthCode: `preauthcode@@@sample-${randomBytes(12).toString('base64url')}`,
  });
}
