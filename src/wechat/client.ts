// The WeChat client the core uses: every endpoint, each with its token from the token keeper and the
// retry policy of retry.ts. Component calls use the component token; account calls the authorizer's.
import type { Clock } from '../clock.js';
import * as component from './api/component.js';
import * as message from './api/message.js';
import * as openapi from './api/openapi.js';
import * as template from './api/template.js';
import * as user from './api/user.js';
import { createHttp, type WeChatHttp } from './http.js';
import { callWithPolicy, type CallOptions } from './retry.js';
import { TokenKeeper, type TokenStore } from './tokens.js';
import type {
  AddTemplateRequest,
  AddTemplateResponse,
  BatchGetUserInfoResponse,
  CreatePreauthcodeResponse,
  CustomMessageRequest,
  GetAllPrivateTemplateResponse,
  GetAuthorizerInfoResponse,
  GetAuthorizerListResponse,
  GetIndustryResponse,
  GetUsersResponse,
  QueryAuthResponse,
  QuotaGetResponse,
  RidGetResponse,
  TemplateSendRequest,
  TemplateSendResponse,
} from './types.js';

export interface WeChatClientOptions {
  apiBase: string;
  component: { appid: string; appsecret: string };
  store: TokenStore;
  clock: Clock;
  timeoutMs?: number;
  /** Retry policy overrides (tests shorten the delays). */
  retry?: CallOptions;
  http?: WeChatHttp;
}

export class WeChatClient {
  readonly http: WeChatHttp;
  readonly tokens: TokenKeeper;
  readonly componentAppid: string;
  private readonly retry: CallOptions;
  private readonly appsecret: string;
  private readonly clock: Clock;

  constructor(options: WeChatClientOptions) {
    this.http = options.http ?? createHttp({ apiBase: options.apiBase, timeoutMs: options.timeoutMs });
    this.retry = options.retry ?? {};
    this.componentAppid = options.component.appid;
    this.appsecret = options.component.appsecret;
    this.clock = options.clock;
    this.tokens = this.keeperWith(options.store);
  }

  /**
   * A token keeper over another store (the token listener's batched one), with this client's transport
   * and credentials. It has a lease owner of its own: to the other keepers it is another process.
   */
  keeperWith(store: TokenStore): TokenKeeper {
    return new TokenKeeper({
      http: this.http,
      store,
      component: { appid: this.componentAppid, appsecret: this.appsecret },
      clock: this.clock,
      retry: this.retry,
    });
  }

  private withComponentToken<T>(call: (token: string) => Promise<T>, idempotent = true): Promise<T> {
    return callWithPolicy(call, this.tokens.componentTokenSource(), { ...this.retry, idempotent });
  }

  /** Asks WeChat to push a component_verify_ticket now (a new platform, or a lost ticket). */
  startPushTicket(): Promise<unknown> {
    return callWithPolicy(
      () => component.apiStartPushTicket(this.http, { component_appid: this.componentAppid, component_secret: this.appsecret }),
      null,
      this.retry,
    );
  }

  createPreauthcode(): Promise<CreatePreauthcodeResponse> {
    return this.withComponentToken((t) => component.apiCreatePreauthcode(this.http, t, { component_appid: this.componentAppid }), false);
  }

  /** Exchanges an authorization code; single use, so never repeated after a lost answer. */
  queryAuth(authorizationCode: string): Promise<QueryAuthResponse> {
    return this.withComponentToken(
      (t) => component.apiQueryAuth(this.http, t, { component_appid: this.componentAppid, authorization_code: authorizationCode }),
      false,
    );
  }

  getAuthorizerInfo(authorizerAppid: string): Promise<GetAuthorizerInfoResponse> {
    return this.withComponentToken((t) =>
      component.apiGetAuthorizerInfo(this.http, t, { component_appid: this.componentAppid, authorizer_appid: authorizerAppid }),
    );
  }

  getAuthorizerList(offset: number, count = 500): Promise<GetAuthorizerListResponse> {
    return this.withComponentToken((t) =>
      component.apiGetAuthorizerList(this.http, t, { component_appid: this.componentAppid, offset, count }),
    );
  }

  /** The platform's own quota for one of its APIs (e.g. `/cgi-bin/component/api_authorizer_token`). */
  componentQuota(cgiPath: string): Promise<QuotaGetResponse> {
    return this.withComponentToken((t) => openapi.getApiQuota(this.http, t, { cgi_path: cgiPath }));
  }

  /**
   * Resets the platform's own daily counts with the appsecret (clear_quota/v2), which works when the
   * token API's quota is spent. Each reset uses one of ten a month: never repeated after a lost answer.
   */
  clearComponentQuota(): Promise<unknown> {
    return callWithPolicy(
      () => openapi.componentClearQuotaV2(this.http, { component_appid: this.componentAppid, appsecret: this.appsecret }),
      null,
      { ...this.retry, idempotent: false },
    );
  }

  /**
   * A customer-service text with an access token given by the caller, not kept by the keeper: WeChat's
   * release check has the platform answer its test account with the token an authorization code gives,
   * and that account is no account of the platform's. Not repeated after a lost answer.
   */
  sendCustomMessageWithToken(accessToken: string, request: CustomMessageRequest): Promise<unknown> {
    return callWithPolicy(() => message.sendCustomMessage(this.http, accessToken, request), null, { ...this.retry, idempotent: false });
  }

  /** A failed call of the platform's own, by the rid WeChat gave it. */
  componentRid(rid: string): Promise<RidGetResponse> {
    return this.withComponentToken((t) => openapi.getRidInfo(this.http, t, { rid }));
  }

  account(appid: string): AccountClient {
    return new AccountClient(this.http, this.tokens, appid, this.retry);
  }
}

/** The calls made on behalf of one authorized account. */
export class AccountClient {
  constructor(
    private readonly http: WeChatHttp,
    private readonly tokens: TokenKeeper,
    readonly appid: string,
    private readonly retry: CallOptions,
  ) {}

  private call<T>(fn: (token: string) => Promise<T>, options: CallOptions = {}): Promise<T> {
    return callWithPolicy(fn, this.tokens.authorizerTokenSource(this.appid), { ...this.retry, ...options });
  }

  setIndustry(primary: number, secondary: number): Promise<unknown> {
    return this.call((t) => template.setIndustry(this.http, t, { industry_id1: String(primary), industry_id2: String(secondary) }));
  }

  getIndustry(): Promise<GetIndustryResponse> {
    return this.call((t) => template.getIndustry(this.http, t));
  }

  addTemplate(request: AddTemplateRequest): Promise<AddTemplateResponse> {
    return this.call((t) => template.addTemplate(this.http, t, request), { idempotent: false });
  }

  listTemplates(): Promise<GetAllPrivateTemplateResponse> {
    return this.call((t) => template.getAllPrivateTemplate(this.http, t));
  }

  deleteTemplate(templateId: string): Promise<unknown> {
    return this.call((t) => template.delPrivateTemplate(this.http, t, { template_id: templateId }));
  }

  /**
   * Sends one template message. With a client_msg_id WeChat dedupes for 10 minutes, so a retry after a
   * lost answer cannot double-send; without one, only WeChat-reported failures are retried.
   */
  sendTemplate(request: TemplateSendRequest, options: CallOptions = {}): Promise<TemplateSendResponse> {
    return this.call((t) => template.sendTemplateMessage(this.http, t, request), {
      idempotent: Boolean(request.client_msg_id),
      ...options,
    });
  }

  /** The account's quota for one of its APIs (e.g. `/cgi-bin/message/template/send`). */
  quota(cgiPath: string): Promise<QuotaGetResponse> {
    return this.call((t) => openapi.getApiQuota(this.http, t, { cgi_path: cgiPath }));
  }

  /** Resets the account's daily counts: one of its ten resets a month, so never repeated after a lost answer. */
  clearQuota(): Promise<unknown> {
    return this.call((t) => openapi.clearQuota(this.http, t, { appid: this.appid }), { idempotent: false });
  }

  /** A failed call made for this account, by the rid WeChat gave it. */
  rid(rid: string): Promise<RidGetResponse> {
    return this.call((t) => openapi.getRidInfo(this.http, t, { rid }));
  }

  getFollowers(nextOpenid?: string): Promise<GetUsersResponse> {
    return this.call((t) => user.getUsers(this.http, t, nextOpenid));
  }

  batchGetUsers(openids: readonly string[]): Promise<BatchGetUserInfoResponse> {
    return this.call((t) =>
      user.batchGetUserInfo(this.http, t, { user_list: openids.map((openid) => ({ openid, lang: 'zh_CN' as const })) }),
    );
  }
}
