// An official account's template-message endpoints (wechat-api.md §4), called with its authorizer token.
import type { WeChatHttp } from '../http.js';
import { idString } from '../json.js';
import type {
  AddTemplateRequest,
  AddTemplateResponse,
  DelPrivateTemplateRequest,
  GetAllPrivateTemplateResponse,
  GetIndustryResponse,
  OkResponse,
  SetIndustryRequest,
  TemplateSendRequest,
  TemplateSendResponse,
} from '../types.js';

const T = 'cgi-bin/template';

export function setIndustry(http: WeChatHttp, accessToken: string, body: SetIndustryRequest): Promise<OkResponse> {
  return http.call({ method: 'POST', endpoint: `${T}/api_set_industry`, query: { access_token: accessToken }, body });
}

export function getIndustry(http: WeChatHttp, accessToken: string): Promise<GetIndustryResponse> {
  return http.call({ method: 'GET', endpoint: `${T}/get_industry`, query: { access_token: accessToken } });
}

export function addTemplate(http: WeChatHttp, accessToken: string, body: AddTemplateRequest): Promise<AddTemplateResponse> {
  return http.call({ method: 'POST', endpoint: `${T}/api_add_template`, query: { access_token: accessToken }, body });
}

export function getAllPrivateTemplate(http: WeChatHttp, accessToken: string): Promise<GetAllPrivateTemplateResponse> {
  return http.call({ method: 'GET', endpoint: `${T}/get_all_private_template`, query: { access_token: accessToken } });
}

export function delPrivateTemplate(http: WeChatHttp, accessToken: string, body: DelPrivateTemplateRequest): Promise<OkResponse> {
  return http.call({ method: 'POST', endpoint: `${T}/del_private_template`, query: { access_token: accessToken }, body });
}

export async function sendTemplateMessage(
  http: WeChatHttp,
  accessToken: string,
  body: TemplateSendRequest,
): Promise<TemplateSendResponse> {
  const res = await http.call<{ msgid: unknown }>({
    method: 'POST',
    endpoint: 'cgi-bin/message/template/send',
    query: { access_token: accessToken },
    body,
  });
  return { msgid: idString(res.msgid) };
}
