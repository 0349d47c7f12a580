// The authorization pages (wechat-api.md §1.4), served on the sandbox origin instead of
// mp.weixin.qq.com: opening one is the account admin scanning the QR code and confirming. The pre-auth
// code is used up, the account is authorized (biz_appid's, or a new one), the browser is sent to
// redirect_uri?auth_code=…&expires_in=600, and the authorized event is pushed.
import { authorize } from './actions.js';
import { SandboxError } from './errors.js';
import { param } from '../wechat/query.js';
import type { Sim } from './routes.js';
import { send, type PageHandler } from './server.js';

export function authPage(sim: Sim): PageHandler {
  return (req, res, _path, query) => {
    req.resume();
    const page = (status: number, text: string) => send(res, status, 'text/plain; charset=utf-8', `${text}\n`, 0);
    if (req.method !== 'GET') return page(405, 'the authorization page is opened with GET');
    const componentAppid = param(query, 'component_appid');
    const preAuthCode = param(query, 'pre_auth_code');
    const redirectUri = param(query, 'redirect_uri');
    const bizAppid = param(query, 'biz_appid') || undefined;
    if (componentAppid !== sim.world.component.appid) return page(400, '授权失败: component_appid is not this platform');
    if (!preAuthCode) return page(400, '授权失败: pre_auth_code is missing');
    if (!redirectUri) return page(400, '授权失败: redirect_uri is missing');
    try {
      const { result, pushed } = authorize(sim, { preAuthCode, appid: bizAppid, redirectUri });
      void pushed;
      res.writeHead(302, { Location: result.redirectUrl!, 'Content-Length': 0 });
      res.end();
    } catch (err) {
      if (!(err instanceof SandboxError)) throw err;
      page(400, `授权失败: ${err.message}`);
    }
  };
}
