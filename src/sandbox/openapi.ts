// The API-management endpoints (openApi), asked with either token — the platform's component token for
// its own APIs, an account's authorizer token for the account's: a day's quota for one API
// (cgi-bin/openapi/quota/get), resetting the day's counts (cgi-bin/clear_quota, and
// cgi-bin/component/clear_quota/v2 with the appsecret), and the failed call behind a rid
// (cgi-bin/openapi/rid/get). Shapes and errcodes as WeChat's docs give them (docs/wechat-facts.md).
import { ApiError, OK_BODY } from './errors.js';
import { json, jsonBody, type Caller, type Route, type Sim } from './routes.js';

const SEND = 'cgi-bin/message/template/send';

/**
 * Daily limits the sandbox reports (WeChat shows each account's own in its console). Template send
 * uses the sandbox's configured send quota; any other API the default.
 */
const DAILY_LIMITS: Readonly<Record<string, number>> = {
  'cgi-bin/component/api_component_token': 2_000,
  'cgi-bin/component/api_authorizer_token': 100_000,
  'cgi-bin/user/get': 500,
  'cgi-bin/openapi/quota/get': 1_000,
  'cgi-bin/openapi/rid/get': 10_000,
};
const DEFAULT_DAILY_LIMIT = 1_000_000;
/** The sandbox's own rate figures, given for template send only (WeChat returns them for some APIs). */
const SEND_RATE = { call_count: 1_500, refresh_second: 1 };
const SEND_COMPONENT_RATE = { call_count: 600, refresh_second: 1 };

const RID = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;

export function openapiRoutes(sim: Sim, routeOf: (endpoint: string) => Route | undefined): Record<string, Route> {
  const { world } = sim;
  const { appid: componentAppid, appsecret } = world.component;

  const resetAccount = (appid: unknown) => {
    const account = typeof appid === 'string' ? world.accounts.get(appid) : undefined;
    if (!account || account.authorization !== 'authorized') throw new ApiError(61003);
    world.useReset(account.resets);
    account.quotaUsed = 0;
    account.calls.byEndpoint.clear();
  };
  const resetComponent = () => {
    world.useReset(world.componentResets);
    world.componentCalls.byEndpoint.clear();
  };

  return {
    'cgi-bin/openapi/quota/get': {
      method: 'POST',
      auth: 'caller',
      handle(req, caller) {
        const path = jsonBody(req).cgi_path;
        // "不要前缀 https://api.weixin.qq.com，也不要漏了 /，否则都会 76003 的报错"
        if (typeof path !== 'string' || !path.startsWith('/') || path.includes('?') || path.includes('://')) throw new ApiError(76003);
        const endpoint = path.slice(1).replace(/\/+$/, '');
        const route = routeOf(endpoint);
        if (!route) throw new ApiError(76021);
        if (!mayAsk(route, caller)) throw new ApiError(76022);
        let limit = DAILY_LIMITS[endpoint] ?? DEFAULT_DAILY_LIMIT;
        let used: number;
        if (caller.kind === 'account') {
          if (endpoint === SEND) {
            limit = world.dailySendQuota;
            used = world.sendsToday(caller.account);
          } else {
            used = world.callsToday(caller.account.calls, endpoint);
          }
        } else {
          used = world.callsToday(world.componentCalls, endpoint);
        }
        const quota = { daily_limit: limit, used, remain: Math.max(0, limit - used) };
        if (endpoint === SEND) return json({ errcode: 0, errmsg: 'ok', quota, rate_limit: SEND_RATE, component_rate_limit: SEND_COMPONENT_RATE });
        return json({ errcode: 0, errmsg: 'ok', quota });
      },
    },

    'cgi-bin/clear_quota': {
      method: 'POST',
      auth: 'caller',
      // A reset does not use up quota of its own in the sandbox.
      uncounted: true,
      handle(req, caller) {
        const appid = jsonBody(req).appid;
        if (appid === undefined || appid === '') throw new ApiError(41002);
        // The appid must be the token's own account (or the platform, with the component token).
        if (caller.kind === 'component') {
          if (appid !== componentAppid) throw new ApiError(40013);
          resetComponent();
        } else {
          if (appid !== caller.account.appid) throw new ApiError(40013);
          resetAccount(appid);
        }
        return OK_BODY;
      },
    },

    'cgi-bin/component/clear_quota/v2': {
      method: 'POST',
      auth: 'none',
      uncounted: true,
      handle(req) {
        const body = jsonBody(req);
        if (body.component_appid === undefined || body.component_appid === '') throw new ApiError(41002);
        if (body.component_appid !== componentAppid) throw new ApiError(40013);
        if (body.appsecret === undefined || body.appsecret === '') throw new ApiError(41004);
        if (body.appsecret !== appsecret) throw new ApiError(40125);
        // With an appid, the counts of an account authorized to the platform; without, the platform's.
        if (body.appid !== undefined && body.appid !== '') resetAccount(body.appid);
        else resetComponent();
        return OK_BODY;
      },
    },

    'cgi-bin/openapi/rid/get': {
      method: 'POST',
      auth: 'caller',
      handle(req, caller) {
        const rid = jsonBody(req).rid;
        if (typeof rid !== 'string' || !RID.test(rid)) throw new ApiError(76002);
        const entry = world.rids.get(rid, world.time.now());
        if (!entry) throw new ApiError(76001);
        const asker = caller.kind === 'component' ? componentAppid : caller.account.appid;
        if (entry.owner !== asker) throw new ApiError(76003);
        return json({
          errcode: 0,
          errmsg: 'ok',
          request: {
            invoke_time: Math.floor(entry.at / 1000),
            cost_in_ms: entry.costMs,
            request_url: entry.requestUrl,
            request_body: entry.requestBody,
            response_body: entry.responseBody,
            client_ip: entry.clientIp,
          },
        });
      },
    },
  };
}

/** An account asks about account APIs, the platform about its own; the openApi endpoints belong to both. */
function mayAsk(route: Route, caller: Caller): boolean {
  if (route.auth === 'caller') return true;
  return caller.kind === 'account' ? route.auth === 'account' : route.auth !== 'account';
}
