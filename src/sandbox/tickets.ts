// The JS-SDK ticket, GET /cgi-bin/ticket/getticket?access_token=…&type=jsapi|wx_card, called with an
// authorizer access token (a third-party platform gets its accounts' jsapi_ticket this way). WeChat's
// answer, doc https://developers.weixin.qq.com/doc/service/en/api/webdev/jssdk/api_getticket.html:
//   {"errcode":0,"errmsg":"ok","ticket":"bxLdikRXVbTPdHSM05e5u5sUoXNKd8-41ZO3…","expires_in":7200}
// Token errors are the usual 41001/40001/42001. Each call issues a new ticket, so that a client that
// does not keep it shows in the call count. A `type` other than the two is answered 40097 (invalid args):
// WeChat's own answer to that was not captured.
import { ApiError } from './errors.js';
import { param } from '../wechat/query.js';
import type { Route, Sim } from './routes.js';
import { TOKEN_TTL_S } from './state.js';

const TYPES = new Set(['jsapi', 'wx_card']);

export function ticketRoutes(sim: Sim): Record<string, Route> {
  const { world } = sim;
  return {
    'cgi-bin/ticket/getticket': {
      method: 'GET',
      auth: 'account',
      needs: 'none',
      handle(req) {
        const type = param(req.query, 'type');
        if (type === undefined || !TYPES.has(type)) throw new ApiError(40097);
        const ticket = world.random.urlSafe(86);
        return `{"errcode":0,"errmsg":"ok","ticket":${JSON.stringify(ticket)},"expires_in":${TOKEN_TTL_S}}`;
      },
    },
  };
}
