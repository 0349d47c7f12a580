// The third-party platform's own endpoints (wechat-api.md §1). All POST JSON; all but the token call
// and the ticket kick-start take ?component_access_token=.
import type { WeChatHttp } from '../http.js';
import type {
  AuthorizerTokenRequest,
  AuthorizerTokenResponse,
  ComponentTokenRequest,
  ComponentTokenResponse,
  CreatePreauthcodeRequest,
  CreatePreauthcodeResponse,
  GetAuthorizerInfoRequest,
  GetAuthorizerInfoResponse,
  GetAuthorizerListRequest,
  GetAuthorizerListResponse,
  OkResponse,
  QueryAuthRequest,
  QueryAuthResponse,
  StartPushTicketRequest,
} from '../types.js';

const C = 'cgi-bin/component';

export function apiComponentToken(http: WeChatHttp, body: ComponentTokenRequest): Promise<ComponentTokenResponse> {
  return http.call({
    method: 'POST',
    endpoint: `${C}/api_component_token`,
    body,
    secrets: [body.component_appsecret, body.component_verify_ticket],
  });
}

export function apiStartPushTicket(http: WeChatHttp, body: StartPushTicketRequest): Promise<OkResponse> {
  return http.call({ method: 'POST', endpoint: `${C}/api_start_push_ticket`, body, secrets: [body.component_secret] });
}

export function apiCreatePreauthcode(
  http: WeChatHttp,
  componentToken: string,
  body: CreatePreauthcodeRequest,
): Promise<CreatePreauthcodeResponse> {
  return http.call({
    method: 'POST',
    endpoint: `${C}/api_create_preauthcode`,
    query: { component_access_token: componentToken },
    body,
  });
}

export function apiQueryAuth(http: WeChatHttp, componentToken: string, body: QueryAuthRequest): Promise<QueryAuthResponse> {
  return http.call({
    method: 'POST',
    endpoint: `${C}/api_query_auth`,
    query: { component_access_token: componentToken },
    body,
    secrets: [body.authorization_code],
  });
}

export function apiAuthorizerToken(
  http: WeChatHttp,
  componentToken: string,
  body: AuthorizerTokenRequest,
): Promise<AuthorizerTokenResponse> {
  return http.call({
    method: 'POST',
    endpoint: `${C}/api_authorizer_token`,
    query: { component_access_token: componentToken },
    body,
    secrets: [body.authorizer_refresh_token],
  });
}

export function apiGetAuthorizerInfo(
  http: WeChatHttp,
  componentToken: string,
  body: GetAuthorizerInfoRequest,
): Promise<GetAuthorizerInfoResponse> {
  return http.call({
    method: 'POST',
    endpoint: `${C}/api_get_authorizer_info`,
    query: { component_access_token: componentToken },
    body,
  });
}

export function apiGetAuthorizerList(
  http: WeChatHttp,
  componentToken: string,
  body: GetAuthorizerListRequest,
): Promise<GetAuthorizerListResponse> {
  return http.call({
    method: 'POST',
    endpoint: `${C}/api_get_authorizer_list`,
    query: { component_access_token: componentToken },
    body,
  });
}
