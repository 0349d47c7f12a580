// The API-management endpoints every kind of account has (openApi): a day's quota for one API, resetting
// the day's counts, and looking up a failed call by its rid. With the component token they concern the
// platform's own calls; with an authorizer token, those made for that account.
import type { WeChatHttp } from '../http.js';
import type {
  ClearQuotaRequest,
  ComponentClearQuotaV2Request,
  OkResponse,
  QuotaGetRequest,
  QuotaGetResponse,
  RidGetRequest,
  RidGetResponse,
} from '../types.js';

export function getApiQuota(http: WeChatHttp, accessToken: string, body: QuotaGetRequest): Promise<QuotaGetResponse> {
  return http.call({ method: 'POST', endpoint: 'cgi-bin/openapi/quota/get', query: { access_token: accessToken }, body });
}

export function clearQuota(http: WeChatHttp, accessToken: string, body: ClearQuotaRequest): Promise<OkResponse> {
  return http.call({ method: 'POST', endpoint: 'cgi-bin/clear_quota', query: { access_token: accessToken }, body });
}

/** With the appsecret rather than a token: it works when the token API's own quota is spent. */
export function componentClearQuotaV2(http: WeChatHttp, body: ComponentClearQuotaV2Request): Promise<OkResponse> {
  return http.call({ method: 'POST', endpoint: 'cgi-bin/component/clear_quota/v2', body, secrets: [body.appsecret] });
}

export function getRidInfo(http: WeChatHttp, accessToken: string, body: RidGetRequest): Promise<RidGetResponse> {
  return http.call({ method: 'POST', endpoint: 'cgi-bin/openapi/rid/get', query: { access_token: accessToken }, body });
}
