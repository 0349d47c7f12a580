// WeChat's release check (全网发布接入检测). Before a platform may be released to every account, and after
// changes, WeChat tests its two URLs with test accounts of its own, which it authorizes to the platform
// (an `authorized` event with a query_auth_code) and pushes messages for:
//   - a ticket push must be answered `success` (as every ticket is);
//   - an event: a passive text reply `<Event>from_callback` within 5 s;
//   - the text TESTCOMPONENT_MSG_TYPE_TEXT: the passive text reply TESTCOMPONENT_MSG_TYPE_TEXT_callback;
//   - the text QUERY_AUTH_CODE:<code>: an empty answer at once, then the code exchanged with
//     api_query_auth and a customer-service text `<code>_from_api` sent to the sender with the token it
//     gives.
// `serve` answers these itself for those accounts only (developers.weixin.qq.com, 第三方平台 → 全网发布
// 检测说明, lists five test official accounts; docs/wechat-facts.md). They never become accounts of the
// platform, their pushes are not refused as unknown appids, and no forwarding rule takes them.
import { buildXml } from '../../wechat/xml.js';

/** WeChat's test official accounts: appid → original id (Username). */
export const RELEASE_CHECK_ACCOUNTS: ReadonlyMap<string, string> = new Map([
  ['wx570bc396a51b8ff8', 'gh_3c884a361561'],
  ['wx9252c5e0bb1836fc', 'gh_c0f28a78b318'],
  ['wx8e1097c5bc82cde9', 'gh_3f222ed8d140'],
  ['wx14550af28c71a144', 'gh_26128078e9ab'],
  ['wxa35b9c23cfe664eb', 'gh_2b3713f184a6'],
]);

export const TEST_TEXT = 'TESTCOMPONENT_MSG_TYPE_TEXT';
export const QUERY_AUTH_CODE_PREFIX = 'QUERY_AUTH_CODE:';

export function isReleaseCheckAccount(appid: string | null): boolean {
  return appid !== null && RELEASE_CHECK_ACCOUNTS.has(appid);
}

/** How `serve` answers a push for a test account. */
export type ReleaseCheckAnswer =
  | { kind: 'reply'; xml: string; content: string }
  /** An empty body: no reply now (a customer-service message follows). */
  | { kind: 'empty'; code: string }
  | { kind: 'success' };

function textReply(fields: Record<string, string>, content: string, now: Date): string {
  return buildXml({
    ToUserName: fields.FromUserName ?? '',
    FromUserName: fields.ToUserName ?? '',
    CreateTime: BigInt(Math.floor(now.getTime() / 1000)),
    MsgType: 'text',
    Content: content,
  });
}

export function releaseCheckAnswer(fields: Record<string, string>, now: Date): ReleaseCheckAnswer {
  const msgType = fields.MsgType?.trim();
  if (msgType === 'event') {
    const content = `${fields.Event?.trim() ?? ''}from_callback`;
    return { kind: 'reply', xml: textReply(fields, content, now), content };
  }
  if (msgType === 'text') {
    const text = (fields.Content ?? '').trim();
    if (text === TEST_TEXT) {
      const content = `${TEST_TEXT}_callback`;
      return { kind: 'reply', xml: textReply(fields, content, now), content };
    }
    if (text.startsWith(QUERY_AUTH_CODE_PREFIX)) return { kind: 'empty', code: text.slice(QUERY_AUTH_CODE_PREFIX.length) };
  }
  return { kind: 'success' };
}
