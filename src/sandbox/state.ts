// The simulated WeChat's memory: the platform's ticket and token, the codes of the authorization flow,
// and the official accounts with their tokens, industries, templates, followers and send counters.
// Everything the endpoints decide is decided here or in the endpoint modules. Kept in memory; a
// snapshot of it can be written to a file and read back (`wxplat sandbox --state FILE`).
import { ApiError, SandboxError } from './errors.js';
import { Deliveries } from './deliveries.js';
import { Followers, type FollowersSnapshot } from './followers.js';
import { TemplateLibrary, type LibraryKeyword, type LibraryTemplate } from './library.js';
import type { Random } from './random.js';
import { RidLog } from './rids.js';
import { SandboxTime } from './time.js';
import { isAppid } from '../formats.js';

export interface ComponentCredentials {
  appid: string;
  appsecret: string;
  token: string;
  encodingAesKey: string;
}

export const TOKEN_TTL_S = 7200;
export const TICKET_TTL_S = 12 * 3600;
export const PRE_AUTH_CODE_TTL_S = 600;
/** The redirect says expires_in=600 and the event carries the same instant (real pushes show ≈1 h). */
export const AUTH_CODE_TTL_S = 600;
export const MAX_TEMPLATES = 25;
/** WeChat's own msgids are 19 digits, beyond 2^53; the sandbox counts up from a real one. */
export const FIRST_MSGID = 3717005636572528642n;

const KEEP_TICKETS = 200;

export type AuthorizationState = 'never' | 'authorized' | 'revoked';

export interface PrivateTemplate {
  templateId: string;
  shortId: string;
  title: string;
  industryCode: number;
  keywords: LibraryKeyword[];
  content: string;
  example: string;
}

export interface SentMessage {
  msgid: string;
  at: number;
}

export interface Account {
  readonly appid: string;
  /** The original id, gh_ + 12 hex: ToUserName of the account's pushes. */
  readonly userName: string;
  nickname: string;
  serviceType: number;
  verifyType: number;
  funcIds: number[];
  principalName: string;
  alias: string;
  headImg: string;
  qrcodeUrl: string;
  createdAt: number;
  authorization: AuthorizationState;
  /** Seconds: when the current authorization was made. */
  authTime: number;
  /** Set by api_query_auth; gone when the account unauthorizes. */
  refreshToken: string | undefined;
  accessToken: string | undefined;
  accessExpiresAt: number;
  industry: { primary: number; secondary: number; changedMonth: number } | undefined;
  templates: Map<string, PrivateTemplate>;
  followers: Followers;
  quotaDay: number;
  quotaUsed: number;
  /** openid → errcode that send answers for it (43101, 43004, 40003 …). */
  refusals: Map<string, number>;
  /** openid → the failure Status its TEMPLATESENDJOBFINISH reports. */
  failures: Map<string, string>;
  /** `openid \n client_msg_id` → the first send, for the 10-minute dedupe window (oldest first). */
  recentSends: Map<string, SentMessage>;
  deliveries: Deliveries;
  /** api_get_authorizer_info.account_status: 1 normal, 14 cancelled, 16 banned, 18 warned, 19 frozen. */
  accountStatus: number;
  /** Today's calls of the account's endpoints other than template send (which counts quotaUsed). */
  calls: DailyCalls;
  /** Quota resets used this month (10 allowed). */
  resets: MonthlyCount;
  /** openid → when the user last wrote to the account, and the customer-service messages sent since. */
  interactions: Map<string, { at: number; sent: number }>;
}

export interface WorldSnapshot {
  version: 1;
  componentAppid: string;
  tickets: Array<[string, number]>;
  latestTicket: string | null;
  componentToken: { value: string; expiresAt: number } | null;
  preAuthCodes: Array<[string, number]>;
  authCodes: Array<[string, { appid: string; expiresAt: number }]>;
  msgids: number;
  componentResets: MonthlyCount;
  library: LibraryTemplate[];
  accounts: Array<{
    appid: string;
    userName: string;
    nickname: string;
    serviceType: number;
    verifyType: number;
    funcIds: number[];
    principalName: string;
    alias: string;
    headImg: string;
    qrcodeUrl: string;
    createdAt: number;
    authorization: AuthorizationState;
    authTime: number;
    refreshToken: string | null;
    accessToken: string | null;
    accessExpiresAt: number;
    industry: { primary: number; secondary: number; changedMonth: number } | null;
    templates: PrivateTemplate[];
    followers: FollowersSnapshot;
    quotaDay: number;
    quotaUsed: number;
    refusals: Array<[string, number]>;
    failures: Array<[string, string]>;
    accountStatus: number;
    resets: MonthlyCount;
  }>;
}

/** Calls per endpoint, for one Beijing day. */
export interface DailyCalls {
  day: number;
  byEndpoint: Map<string, number>;
}

export interface MonthlyCount {
  month: number;
  count: number;
}

/** A customer-service message the sandbox accepted (cgi-bin/message/custom/send). */
export interface CustomMessageRecord {
  appid: string;
  touser: string;
  msgtype: string;
  /** text.content for text messages. */
  content: string | null;
  /** The request body as sent. */
  body: Record<string, unknown>;
  /** ISO time of the sandbox clock. */
  at: string;
}

export interface AccountInput {
  appid?: string;
  /** The original id (gh_…); made up when absent. */
  userName?: string;
  nickname?: string;
  serviceType?: number;
  verifyType?: number;
  funcIds?: number[];
  followers?: number;
  principalName?: string;
  alias?: string;
  accountStatus?: number;
}

/** What tests and the control API see of an account (no tokens). */
export interface AccountView {
  appid: string;
  userName: string;
  nickname: string;
  serviceType: number;
  verifyType: number;
  funcIds: number[];
  principalName: string;
  alias: string;
  authorization: AuthorizationState;
  /** api_query_auth has been called for the current authorization. */
  exchanged: boolean;
  followers: number;
  templates: number;
  industry: { primary: number; secondary: number } | null;
  sentToday: number;
  deliveries: number;
  accountStatus: number;
}

export const DEFAULT_FUNC_IDS = [1, 2, 3, 4, 7, 11, 15];
const SERVICE_TYPES = new Set([0, 1, 2]);
export const ACCOUNT_STATUSES = new Set([1, 14, 16, 18, 19]);
/** Quota resets a month, per account and for the platform (clear_quota and clear_quota/v2 together). */
export const RESETS_A_MONTH = 10;
const KEEP_CUSTOM_MESSAGES = 1000;
const VERIFY_TYPES = new Set([-1, 0, 1, 2, 3, 4, 5]);

export interface WorldOptions {
  component: ComponentCredentials;
  time: SandboxTime;
  random: Random;
  dailySendQuota: number;
  /** Followers of an account created by the authorization page. */
  defaultFollowers: number;
}

export class World {
  readonly component: ComponentCredentials;
  readonly time: SandboxTime;
  readonly random: Random;
  readonly library = new TemplateLibrary();
  readonly accounts = new Map<string, Account>();
  readonly rids = new RidLog();
  /** The platform's own calls today, and its quota resets this month. */
  readonly componentCalls: DailyCalls = { day: 0, byEndpoint: new Map() };
  readonly componentResets: MonthlyCount = { month: 0, count: 0 };
  /** The latest customer-service messages, oldest first. */
  readonly customMessages: CustomMessageRecord[] = [];
  dailySendQuota: number;
  defaultFollowers: number;

  #tickets = new Map<string, number>();
  #latestTicket: string | undefined;
  #componentToken: { value: string; expiresAt: number } | undefined;
  #preAuthCodes = new Map<string, number>();
  #authCodes = new Map<string, { appid: string; expiresAt: number }>();
  #byAccessToken = new Map<string, Account>();
  #msgids = 0;

  constructor(options: WorldOptions) {
    this.component = options.component;
    this.time = options.time;
    this.random = options.random;
    this.dailySendQuota = options.dailySendQuota;
    this.defaultFollowers = options.defaultFollowers;
  }

  // --- the ticket and the component token ---

  issueTicket(): string {
    const ticket = `ticket@@@${this.random.urlSafe(86)}`;
    this.#tickets.set(ticket, this.time.now());
    this.#latestTicket = ticket;
    if (this.#tickets.size > KEEP_TICKETS) this.#tickets.delete(this.#tickets.keys().next().value!);
    return ticket;
  }

  get latestTicket(): string | undefined {
    return this.#latestTicket;
  }

  checkTicket(ticket: unknown): void {
    const issuedAt = typeof ticket === 'string' ? this.#tickets.get(ticket) : undefined;
    if (issuedAt === undefined) throw new ApiError(61006);
    if (this.time.now() - issuedAt > TICKET_TTL_S * 1000) throw new ApiError(61005);
  }

  /** A new component token; the previous one stops working at once. */
  issueComponentToken(): string {
    const value = this.random.urlSafe(86);
    this.#componentToken = { value, expiresAt: this.time.now() + TOKEN_TTL_S * 1000 };
    return value;
  }

  checkComponentToken(token: string | undefined): void {
    if (token === undefined || token === '') throw new ApiError(41001);
    const current = this.#componentToken;
    if (current === undefined || current.value !== token) throw new ApiError(40001);
    if (this.time.now() >= current.expiresAt) throw new ApiError(42001);
  }

  revokeComponentToken(): void {
    this.#componentToken = undefined;
  }

  componentTokenExpiresAt(): number | undefined {
    return this.#componentToken?.expiresAt;
  }

  // --- authorization ---

  createPreAuthCode(): string {
    const now = this.time.now();
    if (this.#preAuthCodes.size > 1000) {
      for (const [code, expiresAt] of this.#preAuthCodes) if (expiresAt <= now) this.#preAuthCodes.delete(code);
    }
    const code = `preauthcode@@@${this.random.urlSafe(86)}`;
    this.#preAuthCodes.set(code, now + PRE_AUTH_CODE_TTL_S * 1000);
    return code;
  }

  createAccount(input: AccountInput = {}): Account {
    const appid = input.appid ?? `wx${this.random.hex(16)}`;
    if (typeof appid !== 'string' || !isAppid(appid)) {
      throw new SandboxError('appid must be "wx" followed by 16 letters or digits');
    }
    if (this.accounts.has(appid)) throw new SandboxError(`account ${appid} already exists`, 409);
    const serviceType = input.serviceType ?? 2;
    const verifyType = input.verifyType ?? 0;
    if (!SERVICE_TYPES.has(serviceType)) throw new SandboxError('serviceType must be 0, 1 or 2 (2 = 服务号)');
    if (!VERIFY_TYPES.has(verifyType)) throw new SandboxError('verifyType must be -1 (unverified) or 0 to 5');
    const accountStatus = input.accountStatus ?? 1;
    if (!ACCOUNT_STATUSES.has(accountStatus)) throw new SandboxError('accountStatus must be 1 (normal), 14, 16, 18 or 19');
    const funcIds = input.funcIds ?? DEFAULT_FUNC_IDS;
    if (!Array.isArray(funcIds) || !funcIds.every((id) => Number.isInteger(id) && id > 0)) {
      throw new SandboxError('funcIds must be an array of permission-set ids');
    }
    const n = this.accounts.size + 1;
    const account: Account = {
      appid,
      userName: input.userName ?? `gh_${this.random.hex(12)}`,
      nickname: input.nickname ?? `沙箱服务号${n}`,
      serviceType,
      verifyType,
      funcIds: [...funcIds],
      principalName: input.principalName ?? '沙箱科技有限公司',
      alias: input.alias ?? `sandbox_${n}`,
      headImg: `http://wx.qlogo.cn/mmopen/${this.random.urlSafe(40)}/0`,
      qrcodeUrl: `http://mmbiz.qpic.cn/mmbiz_jpg/${this.random.urlSafe(40)}/0`,
      createdAt: this.time.now(),
      authorization: 'never',
      authTime: 0,
      refreshToken: undefined,
      accessToken: undefined,
      accessExpiresAt: 0,
      industry: undefined,
      templates: new Map(),
      followers: new Followers(appid),
      quotaDay: 0,
      quotaUsed: 0,
      refusals: new Map(),
      failures: new Map(),
      recentSends: new Map(),
      deliveries: new Deliveries(),
      accountStatus,
      calls: { day: 0, byEndpoint: new Map() },
      resets: { month: 0, count: 0 },
      interactions: new Map(),
    };
    account.followers.setCount(input.followers ?? 0);
    this.accounts.set(appid, account);
    return account;
  }

  account(appid: unknown): Account {
    const account = typeof appid === 'string' ? this.accounts.get(appid) : undefined;
    if (!account) throw new SandboxError(`no account ${String(appid)} in the sandbox`, 404);
    return account;
  }

  /**
   * The admin scans the QR code and confirms: the pre-auth code is used up, the account (an existing
   * one, one with the given appid, or a new one) is authorized, and an authorization code is made.
   */
  authorize(preAuthCode: unknown, appid?: string): { account: Account; authCode: string; expiresAt: number; infoType: 'authorized' | 'updateauthorized' } {
    const now = this.time.now();
    const expiresAt = typeof preAuthCode === 'string' ? this.#preAuthCodes.get(preAuthCode) : undefined;
    if (expiresAt === undefined) throw new SandboxError('pre_auth_code is unknown or already used (it is single-use)');
    this.#preAuthCodes.delete(preAuthCode as string);
    if (now >= expiresAt) throw new SandboxError('pre_auth_code has expired (it lives 600 s)');
    const account =
      appid === undefined
        ? this.createAccount({ followers: this.defaultFollowers })
        : (this.accounts.get(appid) ?? this.createAccount({ appid, followers: this.defaultFollowers }));
    const infoType = account.authorization === 'authorized' ? 'updateauthorized' : 'authorized';
    if (infoType === 'authorized') {
      // A new authorization gets a new refresh token, made when the code is exchanged.
      account.refreshToken = undefined;
      account.authTime = Math.floor(now / 1000);
    }
    account.authorization = 'authorized';
    const authCode = `queryauthcode@@@${this.random.urlSafe(86)}`;
    const codeExpiresAt = now + AUTH_CODE_TTL_S * 1000;
    this.#authCodes.set(authCode, { appid: account.appid, expiresAt: codeExpiresAt });
    return { account, authCode, expiresAt: codeExpiresAt, infoType };
  }

  /**
   * WeChat authorizing one of its own test accounts to the platform (the release check): no admin, no
   * pre-auth code; an authorization code is made as for an admin's confirmation.
   */
  authorizeTestAccount(appid: string, userName: string): { account: Account; authCode: string; expiresAt: number } {
    const account = this.accounts.get(appid) ?? this.createAccount({ appid, userName, nickname: '全网发布测试号', funcIds: [1, 2, 7] });
    account.authorization = 'authorized';
    account.authTime = Math.floor(this.time.now() / 1000);
    const authCode = `queryauthcode@@@${this.random.urlSafe(86)}`;
    const expiresAt = this.time.now() + AUTH_CODE_TTL_S * 1000;
    this.#authCodes.set(authCode, { appid, expiresAt });
    return { account, authCode, expiresAt };
  }

  /** api_query_auth: the code is used up; the account gets a new access token (and a refresh token). */
  exchangeAuthCode(code: unknown): Account {
    const entry = typeof code === 'string' ? this.#authCodes.get(code) : undefined;
    if (!entry) throw new ApiError(61009);
    if (this.time.now() >= entry.expiresAt) throw new ApiError(61010);
    this.#authCodes.delete(code as string);
    const account = this.accounts.get(entry.appid);
    if (!account || account.authorization !== 'authorized') throw new ApiError(61009);
    account.refreshToken ??= `refreshtoken@@@${this.random.urlSafe(43)}`;
    this.#issueAccessToken(account);
    return account;
  }

  /** api_authorizer_token: a new access token; the old one stops working. */
  refreshAuthorizerToken(appid: unknown, refreshToken: unknown): Account {
    const account = typeof appid === 'string' ? this.accounts.get(appid) : undefined;
    if (!account || account.authorization === 'never') throw new ApiError(61003);
    if (account.authorization !== 'authorized' || account.refreshToken === undefined || account.refreshToken !== refreshToken) {
      throw new ApiError(61023);
    }
    this.#issueAccessToken(account);
    return account;
  }

  unauthorize(appid: string): Account {
    const account = this.account(appid);
    if (account.authorization !== 'authorized') throw new SandboxError(`account ${appid} is not authorized`, 409);
    account.authorization = 'revoked';
    account.refreshToken = undefined;
    this.revokeAccessToken(account);
    return account;
  }

  #issueAccessToken(account: Account): void {
    if (account.accessToken !== undefined) this.#byAccessToken.delete(account.accessToken);
    account.accessToken = this.random.urlSafe(107);
    account.accessExpiresAt = this.time.now() + TOKEN_TTL_S * 1000;
    this.#byAccessToken.set(account.accessToken, account);
  }

  revokeAccessToken(account: Account): void {
    if (account.accessToken !== undefined) this.#byAccessToken.delete(account.accessToken);
    account.accessToken = undefined;
    account.accessExpiresAt = 0;
  }

  /** The account an authorizer access token belongs to: 41001 missing, 40001 unknown or replaced, 42001 expired. */
  accountForToken(token: string | undefined): Account {
    if (token === undefined || token === '') throw new ApiError(41001);
    const account = this.#byAccessToken.get(token);
    if (account === undefined) throw new ApiError(40001);
    if (this.time.now() >= account.accessExpiresAt) throw new ApiError(42001);
    return account;
  }

  /** Whether `token` is the current component token (expired or not): which identity a call asks as. */
  isComponentToken(token: string | undefined): boolean {
    return token !== undefined && this.#componentToken?.value === token;
  }

  /** One more call today, of an endpoint that counts against its caller's daily quota. */
  countCall(calls: DailyCalls, endpoint: string): void {
    const today = SandboxTime.day(this.time.now());
    if (calls.day !== today) {
      calls.day = today;
      calls.byEndpoint.clear();
    }
    calls.byEndpoint.set(endpoint, (calls.byEndpoint.get(endpoint) ?? 0) + 1);
  }

  callsToday(calls: DailyCalls, endpoint: string): number {
    return calls.day === SandboxTime.day(this.time.now()) ? (calls.byEndpoint.get(endpoint) ?? 0) : 0;
  }

  /** Template sends accepted today for the account. */
  sendsToday(account: Account): number {
    return account.quotaDay === SandboxTime.day(this.time.now()) ? account.quotaUsed : 0;
  }

  /** A quota reset: 48006 past ten this month. */
  useReset(resets: MonthlyCount): void {
    const month = SandboxTime.month(this.time.now());
    if (resets.month !== month) {
      resets.month = month;
      resets.count = 0;
    }
    if (resets.count >= RESETS_A_MONTH) throw new ApiError(48006);
    resets.count++;
  }

  /** The user writes to the account: customer-service messages may answer for 48 hours (5 of them). */
  userWrote(account: Account, openid: string): void {
    account.interactions.delete(openid);
    account.interactions.set(openid, { at: this.time.now(), sent: 0 });
  }

  recordCustomMessage(record: CustomMessageRecord): void {
    this.customMessages.push(record);
    if (this.customMessages.length > KEEP_CUSTOM_MESSAGES) this.customMessages.splice(0, this.customMessages.length - KEEP_CUSTOM_MESSAGES);
  }

  /**
   * What a restarted sandbox needs to go on as WeChat would (`wxplat sandbox --state FILE`): the
   * tickets, the component token, codes still usable, and each account with its tokens, industries,
   * templates, followers and counters. Not kept: the request log, send dedupe windows, deliveries
   * counted, customer-service messages.
   */
  snapshot(): WorldSnapshot {
    return {
      version: 1,
      componentAppid: this.component.appid,
      tickets: [...this.#tickets],
      latestTicket: this.#latestTicket ?? null,
      componentToken: this.#componentToken ?? null,
      preAuthCodes: [...this.#preAuthCodes],
      authCodes: [...this.#authCodes],
      msgids: this.#msgids,
      componentResets: { ...this.componentResets },
      library: this.library.list(),
      accounts: [...this.accounts.values()].map((a) => ({
        appid: a.appid,
        userName: a.userName,
        nickname: a.nickname,
        serviceType: a.serviceType,
        verifyType: a.verifyType,
        funcIds: a.funcIds,
        principalName: a.principalName,
        alias: a.alias,
        headImg: a.headImg,
        qrcodeUrl: a.qrcodeUrl,
        createdAt: a.createdAt,
        authorization: a.authorization,
        authTime: a.authTime,
        refreshToken: a.refreshToken ?? null,
        accessToken: a.accessToken ?? null,
        accessExpiresAt: a.accessExpiresAt,
        industry: a.industry ?? null,
        templates: [...a.templates.values()],
        followers: a.followers.snapshot(),
        quotaDay: a.quotaDay,
        quotaUsed: a.quotaUsed,
        refusals: [...a.refusals],
        failures: [...a.failures],
        accountStatus: a.accountStatus,
        resets: { ...a.resets },
      })),
    };
  }

  /** Takes back a snapshot into this (new) world. */
  restore(s: WorldSnapshot): void {
    if (s.version !== 1) throw new SandboxError(`the state file is version ${String(s.version)}; this sandbox reads version 1`);
    if (s.componentAppid !== this.component.appid) {
      throw new SandboxError(`the state file is of component ${s.componentAppid}, not ${this.component.appid}: use another file, or the credentials it was made with`);
    }
    this.#tickets = new Map(s.tickets);
    this.#latestTicket = s.latestTicket ?? undefined;
    this.#componentToken = s.componentToken ?? undefined;
    this.#preAuthCodes = new Map(s.preAuthCodes);
    this.#authCodes = new Map(s.authCodes);
    this.#msgids = s.msgids;
    Object.assign(this.componentResets, s.componentResets);
    for (const t of s.library) if (!this.library.get(t.shortId)) this.library.add(t);
    for (const a of s.accounts) {
      const account = this.createAccount({ appid: a.appid, userName: a.userName });
      Object.assign(account, {
        nickname: a.nickname,
        serviceType: a.serviceType,
        verifyType: a.verifyType,
        funcIds: a.funcIds,
        principalName: a.principalName,
        alias: a.alias,
        headImg: a.headImg,
        qrcodeUrl: a.qrcodeUrl,
        createdAt: a.createdAt,
        authorization: a.authorization,
        authTime: a.authTime,
        refreshToken: a.refreshToken ?? undefined,
        accessToken: a.accessToken ?? undefined,
        accessExpiresAt: a.accessExpiresAt,
        industry: a.industry ?? undefined,
        templates: new Map(a.templates.map((t) => [t.templateId, t])),
        quotaDay: a.quotaDay,
        quotaUsed: a.quotaUsed,
        refusals: new Map(a.refusals),
        failures: new Map(a.failures),
        accountStatus: a.accountStatus,
        resets: { ...a.resets },
      });
      account.followers.restore(a.followers);
      if (account.accessToken !== undefined) this.#byAccessToken.set(account.accessToken, account);
    }
  }

  nextMsgid(): string {
    return (FIRST_MSGID + BigInt(this.#msgids++)).toString();
  }

  view(account: Account): AccountView {
    const today = SandboxTime.day(this.time.now());
    return {
      appid: account.appid,
      userName: account.userName,
      nickname: account.nickname,
      serviceType: account.serviceType,
      verifyType: account.verifyType,
      funcIds: [...account.funcIds],
      principalName: account.principalName,
      alias: account.alias,
      authorization: account.authorization,
      exchanged: account.refreshToken !== undefined,
      followers: account.followers.total,
      templates: account.templates.size,
      industry: account.industry ? { primary: account.industry.primary, secondary: account.industry.secondary } : null,
      sentToday: account.quotaDay === today ? account.quotaUsed : 0,
      deliveries: account.deliveries.total,
      accountStatus: account.accountStatus,
    };
  }
}
