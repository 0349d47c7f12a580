// Rows of WeChat's release-check test accounts (callbacks/release-check.ts). `serve` has already
// answered their pushes; what is left is the QUERY_AUTH_CODE case: exchange the code and send the
// customer-service text `<code>_from_api` to the sender, with the token the exchange gives (the test
// account is no account of the platform's, so nothing is stored). Their authorization events change
// nothing either.
import { QUERY_AUTH_CODE_PREFIX } from '../release-check.js';
import { UnprocessableEventError, required, type DbHandler, type WeChatHandler } from './types.js';

export const releaseCheckAuthorizationHandler: DbHandler = {
  kind: 'db',
  async run(_trx, _dialect, { entry }) {
    return { state: 'ignored', outcome: `${entry.appid} is WeChat's release-check test account: not an account of the platform` };
  },
};

export const releaseCheckMessageHandler: WeChatHandler = {
  kind: 'wechat',
  async run({ wechat }, { entry, fields }) {
    const content = (fields.Content ?? '').trim();
    if (fields.MsgType?.trim() !== 'text' || !content.startsWith(QUERY_AUTH_CODE_PREFIX)) {
      return { state: 'ignored', outcome: "answered by serve (WeChat's release check)" };
    }
    const code = content.slice(QUERY_AUTH_CODE_PREFIX.length);
    if (!code) throw new UnprocessableEventError('QUERY_AUTH_CODE: with no code');
    const openid = required(fields, 'FromUserName', 'the release-check message');
    const client = await wechat();
    const auth = await client.queryAuth(code);
    const token = auth.authorization_info?.authorizer_access_token;
    if (!token) throw new UnprocessableEventError('api_query_auth gave no authorizer_access_token for the release-check code');
    await client.sendCustomMessageWithToken(token, { touser: openid, msgtype: 'text', text: { content: `${code}_from_api` } });
    return { state: 'done', outcome: `release check: ${entry.appid}'s code exchanged, "<code>_from_api" sent to the tester` };
  },
};
