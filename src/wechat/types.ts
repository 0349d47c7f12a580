// Every request and response of the WeChat endpoints wxplat uses, with WeChat's own field names
// (wechat-api.md §1, §4, §5). 64-bit ids are strings.

export interface FuncInfo {
  funcscope_category: { id: number };
  confirm_info?: { need_confirm: number; already_confirm: number; can_confirm: number };
}

// --- component (query: component_access_token) ---

export interface ComponentTokenRequest {
  component_appid: string;
  component_appsecret: string;
  component_verify_ticket: string;
}
export interface ComponentTokenResponse {
  component_access_token: string;
  expires_in: number;
}

export interface StartPushTicketRequest {
  component_appid: string;
  /** Note the name: component_secret, not component_appsecret. */
  component_secret: string;
}

export interface CreatePreauthcodeRequest {
  component_appid: string;
}
export interface CreatePreauthcodeResponse {
  pre_auth_code: string;
  expires_in: number;
}

export interface QueryAuthRequest {
  component_appid: string;
  authorization_code: string;
}
export interface QueryAuthResponse {
  authorization_info: {
    authorizer_appid: string;
    /** Present only when the account granted API permissions. */
    authorizer_access_token?: string;
    expires_in?: number;
    authorizer_refresh_token?: string;
    func_info?: FuncInfo[];
  };
}

export interface AuthorizerTokenRequest {
  component_appid: string;
  authorizer_appid: string;
  authorizer_refresh_token: string;
}
export interface AuthorizerTokenResponse {
  authorizer_access_token: string;
  expires_in: number;
  authorizer_refresh_token?: string;
}

// --- JS-SDK ticket (query: access_token = the authorizer's) ---

/** `jsapi` for JS-SDK signatures; `wx_card` for the card (卡券) JS API. */
export type TicketType = 'jsapi' | 'wx_card';
export interface GetTicketResponse {
  errcode?: number;
  errmsg?: string;
  ticket: string;
  expires_in: number;
}

export interface GetAuthorizerInfoRequest {
  component_appid: string;
  authorizer_appid: string;
}
export interface AuthorizerInfo {
  nick_name?: string;
  head_img?: string;
  service_type_info?: { id: number; name?: string };
  verify_type_info?: { id: number };
  user_name?: string;
  principal_name?: string;
  alias?: string;
  qrcode_url?: string;
  business_info?: {
    open_store?: number;
    open_scan?: number;
    open_pay?: number;
    open_card?: number;
    open_shake?: number;
  };
  account_status?: number;
  signature?: string;
  /** Present only for mini programs. */
  MiniProgramInfo?: unknown;
}
export interface GetAuthorizerInfoResponse {
  authorizer_info: AuthorizerInfo;
  authorization_info?: {
    authorizer_appid?: string;
    /** The legacy doc shape spells it appid. */
    appid?: string;
    authorizer_refresh_token?: string;
    func_info?: FuncInfo[];
  };
  /** The legacy doc shape put qrcode_url here. */
  qrcode_url?: string;
}

export interface GetAuthorizerListRequest {
  component_appid: string;
  offset: number;
  /** At most 500. */
  count: number;
}
export interface GetAuthorizerListResponse {
  total_count: number;
  list: Array<{ authorizer_appid: string; refresh_token?: string; auth_time: number }>;
}

// --- template messages (query: access_token = the authorizer's) ---

export interface SetIndustryRequest {
  industry_id1: string;
  industry_id2: string;
}

export interface IndustryName {
  first_class: string;
  second_class: string;
}
export interface GetIndustryResponse {
  primary_industry?: IndustryName;
  secondary_industry?: IndustryName;
}

export interface AddTemplateRequest {
  template_id_short: string;
  /** Category templates need the keyword names, in order. */
  keyword_name_list?: string[];
}
export interface AddTemplateResponse {
  template_id: string;
}

export interface PrivateTemplate {
  template_id: string;
  title: string;
  primary_industry: string;
  deputy_industry: string;
  content: string;
  example: string;
}
export interface GetAllPrivateTemplateResponse {
  template_list: PrivateTemplate[];
}

export interface DelPrivateTemplateRequest {
  template_id: string;
}

export interface TemplateSendRequest {
  touser: string;
  template_id: string;
  url?: string;
  miniprogram?: { appid: string; pagepath?: string };
  /** Same openid + client_msg_id within 10 minutes: WeChat sends once. */
  client_msg_id?: string;
  data: Record<string, { value: string; color?: string }>;
}
export interface TemplateSendResponse {
  /** Exact decimal digits: real values exceed 2^53. */
  msgid: string;
}

// --- users (query: access_token) ---

export interface GetUsersResponse {
  total: number;
  count: number;
  /** Missing on the call after the last page. */
  data?: { openid: string[] };
  next_openid?: string;
}

export interface BatchGetUserInfoRequest {
  user_list: Array<{ openid: string; lang?: 'zh_CN' | 'zh_TW' | 'en' }>;
}
export interface UserInfo {
  subscribe: number;
  openid: string;
  language?: string;
  subscribe_time?: number;
  unionid?: string;
  remark?: string;
  groupid?: number;
  tagid_list?: number[];
  subscribe_scene?: string;
  qr_scene?: number;
  qr_scene_str?: string;
}
export interface BatchGetUserInfoResponse {
  user_info_list: UserInfo[];
}

export interface OkResponse {
  errcode?: number;
  errmsg?: string;
}

// --- API quotas and request ids (query: access_token = the component's token or the authorizer's) ---

export interface QuotaGetRequest {
  /** The API's path with its leading slash and no host, e.g. `/cgi-bin/message/template/send`. */
  cgi_path: string;
}
export interface RateLimit {
  /** Calls allowed per period. */
  call_count: number;
  /** The period, in seconds. */
  refresh_second: number;
}
export interface QuotaGetResponse {
  quota: { daily_limit: number; used: number; remain: number };
  /** Present for some APIs only. */
  rate_limit?: RateLimit;
  /** The limit on calls a third-party platform makes for the account. */
  component_rate_limit?: RateLimit;
}

export interface ClearQuotaRequest {
  /** The account whose counts are reset: the one the token belongs to. */
  appid: string;
}

/** cgi-bin/component/clear_quota/v2: no token, the appsecret instead; without `appid`, the platform's own counts. */
export interface ComponentClearQuotaV2Request {
  component_appid: string;
  appsecret: string;
  appid?: string;
}

export interface RidGetRequest {
  rid: string;
}
export interface RidGetResponse {
  request: {
    /** Unix seconds. */
    invoke_time: number;
    cost_in_ms: number;
    /** The query string of the call (it carries the access token WeChat saw). */
    request_url: string;
    request_body: string;
    response_body: string;
    client_ip: string;
  };
}

// --- customer-service messages (query: access_token = the authorizer's) ---

export interface CustomTextMessage {
  touser: string;
  msgtype: 'text';
  text: { content: string };
}
/** Only text is sent by wxplat; WeChat also takes image, voice, video, music, news, mpnews, msgmenu, wxcard, miniprogrampage. */
export type CustomMessageRequest = CustomTextMessage;
