// The third-party platform's endpoints, /cgi-bin/component/* (wechat-api.md §1): the ticket kick-start,
// the component token, pre-auth codes, exchanging an authorization code, refreshing authorizer tokens,
// and reading the authorized accounts.
import { pushTicket } from './actions.js';
import { ApiError, OK_BODY } from './errors.js';
import { jsonBody, json, type Route, type Sim } from './routes.js';
import { PRE_AUTH_CODE_TTL_S, TOKEN_TTL_S, type Account } from './state.js';

const MAX_LIST = 500;

function funcInfo(account: Account): Array<{ funcscope_category: { id: number } }> {
  return account.funcIds.map((id) => ({ funcscope_category: { id } }));
}

export function componentRoutes(sim: Sim): Record<string, Route> {
  const { world } = sim;
  const { appid, appsecret } = world.component;

  const checkAppid = (value: unknown) => {
    if (value !== appid) throw new ApiError(61011);
  };
  const checkSecret = (value: unknown) => {
    if (value === undefined || value === null || value === '') throw new ApiError(41004);
    if (value !== appsecret) throw new ApiError(40125);
  };
  const secondsLeft = (expiresAt: number) => Math.max(0, Math.round((expiresAt - world.time.now()) / 1000));

  return {
    'cgi-bin/component/api_start_push_ticket': {
      method: 'POST',
      auth: 'none',
      handle(req) {
        const body = jsonBody(req);
        checkAppid(body.component_appid);
        checkSecret(body.component_secret);
        // "A ticket is pushed shortly after": after this answer, not before it.
        setImmediate(() => void pushTicket(sim));
        return OK_BODY;
      },
    },

    'cgi-bin/component/api_component_token': {
      method: 'POST',
      auth: 'none',
      handle(req) {
        const body = jsonBody(req);
        checkAppid(body.component_appid);
        checkSecret(body.component_appsecret);
        world.checkTicket(body.component_verify_ticket);
        return json({ component_access_token: world.issueComponentToken(), expires_in: TOKEN_TTL_S });
      },
    },

    'cgi-bin/component/api_create_preauthcode': {
      method: 'POST',
      auth: 'component',
      handle(req) {
        checkAppid(jsonBody(req).component_appid);
        return json({ pre_auth_code: world.createPreAuthCode(), expires_in: PRE_AUTH_CODE_TTL_S });
      },
    },

    'cgi-bin/component/api_query_auth': {
      method: 'POST',
      auth: 'component',
      handle(req) {
        const body = jsonBody(req);
        checkAppid(body.component_appid);
        const account = world.exchangeAuthCode(body.authorization_code);
        return json({
          authorization_info: {
            authorizer_appid: account.appid,
            authorizer_access_token: account.accessToken,
            expires_in: secondsLeft(account.accessExpiresAt),
            authorizer_refresh_token: account.refreshToken,
            func_info: funcInfo(account),
          },
        });
      },
    },

    'cgi-bin/component/api_authorizer_token': {
      method: 'POST',
      auth: 'component',
      handle(req) {
        const body = jsonBody(req);
        checkAppid(body.component_appid);
        if (sim.faults.refusesRefreshToken(body.authorizer_appid)) throw new ApiError(61023);
        const account = world.refreshAuthorizerToken(body.authorizer_appid, body.authorizer_refresh_token);
        return json({
          authorizer_access_token: account.accessToken,
          expires_in: secondsLeft(account.accessExpiresAt),
          authorizer_refresh_token: account.refreshToken,
        });
      },
    },

    'cgi-bin/component/api_get_authorizer_info': {
      method: 'POST',
      auth: 'component',
      handle(req) {
        const body = jsonBody(req);
        checkAppid(body.component_appid);
        const id = body.authorizer_appid;
        if (typeof id !== 'string' || id === '') throw new ApiError(40013);
        const account = world.accounts.get(id);
        if (!account || account.authorization !== 'authorized') throw new ApiError(61003);
        // The 公众号 shape of the current doc (fixture …get_authorizer_info.official_account.easyswoole.json).
        return json({
          authorizer_info: {
            nick_name: account.nickname,
            head_img: account.headImg,
            service_type_info: { id: account.serviceType },
            verify_type_info: { id: account.verifyType },
            user_name: account.userName,
            principal_name: account.principalName,
            business_info: { open_store: 0, open_scan: 0, open_pay: 0, open_card: 0, open_shake: 0 },
            alias: account.alias,
            qrcode_url: account.qrcodeUrl,
            account_status: account.accountStatus,
          },
          authorization_info: {
            authorizer_appid: account.appid,
            // Missing until api_query_auth has been called for this authorization, as on WeChat.
            authorizer_refresh_token: account.refreshToken,
            func_info: funcInfo(account),
          },
        });
      },
    },

    'cgi-bin/component/api_get_authorizer_list': {
      method: 'POST',
      auth: 'component',
      handle(req) {
        const body = jsonBody(req);
        checkAppid(body.component_appid);
        const offset = body.offset === undefined ? 0 : Number(body.offset);
        const count = Number(body.count);
        if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(count) || count < 1 || count > MAX_LIST) {
          throw new ApiError(40097);
        }
        const authorized = [...world.accounts.values()].filter((a) => a.authorization === 'authorized');
        return json({
          total_count: authorized.length,
          // `refresh_token` here, not `authorizer_refresh_token`; absent until the code was exchanged.
          list: authorized.slice(offset, offset + count).map((a) => ({
            authorizer_appid: a.appid,
            refresh_token: a.refreshToken,
            auth_time: a.authTime,
          })),
        });
      },
    },
  };
}
