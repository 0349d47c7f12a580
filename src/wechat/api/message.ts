// Customer-service messages (客服消息), cgi-bin/message/custom/send: an answer to a user who wrote to
// the account recently (48 hours), called with the account's authorizer token.
import type { WeChatHttp } from '../http.js';
import type { CustomMessageRequest, OkResponse } from '../types.js';

export function sendCustomMessage(http: WeChatHttp, accessToken: string, body: CustomMessageRequest): Promise<OkResponse> {
  return http.call({ method: 'POST', endpoint: 'cgi-bin/message/custom/send', query: { access_token: accessToken }, body });
}
