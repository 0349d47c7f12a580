// The JS-SDK ticket: GET cgi-bin/ticket/getticket?access_token=…&type=jsapi →
// {"errcode":0,"errmsg":"ok","ticket":"…","expires_in":7200}. A third-party platform calls it with the
// account's authorizer_access_token. WeChat limits how often it may be called: keep it and share it
// (src/wechat/tokens.ts). Doc: https://developers.weixin.qq.com/doc/service/en/api/webdev/jssdk/api_getticket.html
import type { WeChatHttp } from '../http.js';
import type { GetTicketResponse, TicketType } from '../types.js';

export function getTicket(http: WeChatHttp, accessToken: string, type: TicketType): Promise<GetTicketResponse> {
  return http.call({ method: 'GET', endpoint: 'cgi-bin/ticket/getticket', query: { access_token: accessToken, type } });
}
