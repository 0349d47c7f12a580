// An official account's follower endpoints (wechat-api.md §5), called with its authorizer token.
import type { WeChatHttp } from '../http.js';
import type { BatchGetUserInfoRequest, BatchGetUserInfoResponse, GetUsersResponse } from '../types.js';

export function getUsers(http: WeChatHttp, accessToken: string, nextOpenid?: string): Promise<GetUsersResponse> {
  return http.call({
    method: 'GET',
    endpoint: 'cgi-bin/user/get',
    query: { access_token: accessToken, next_openid: nextOpenid || undefined },
  });
}

export function batchGetUserInfo(
  http: WeChatHttp,
  accessToken: string,
  body: BatchGetUserInfoRequest,
): Promise<BatchGetUserInfoResponse> {
  return http.call({ method: 'POST', endpoint: 'cgi-bin/user/info/batchget', query: { access_token: accessToken }, body });
}

