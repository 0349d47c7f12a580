// A WeChat simulator on loopback (DESIGN §5): the component, template, user, customer-service,
// API-management (quota, rid) and JS-SDK ticket endpoints with WeChat's URLs, shapes and error codes,
// pushes signed and encrypted like WeChat's, and a control surface — these methods in-process, the same
// under /sandbox/… over HTTP — to play the parts WeChat's users play (an admin authorizing, a follower
// leaving) and to inject trouble.
import type { AddressInfo } from 'node:net';
import { randomInt } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';
import { MessageCrypto } from '../wechat/crypto.js';
import { authorize, pushTicket, setUpReleaseCheck, unauthorize, type AuthorizeResult, type ReleaseCheckSetup } from './actions.js';
import { authPage } from './authpage.js';
import { USER_MESSAGE_KINDS, userMessageEvent, type UserMessageKind } from './events.js';
import { componentRoutes } from './component.js';
import { controlApi } from './control.js';
import { SandboxError } from './errors.js';
import { Faults, type FaultChange, type FaultSettings } from './faults.js';
import type { LibraryTemplate } from './library.js';
import { RequestLog, type LogSnapshot } from './log.js';
import { readState, writeState } from './persist.js';
import { Pusher, type PushRecord, type PushStats } from './pushes.js';
import { Random } from './random.js';
import type { Sim } from './routes.js';
import { messageRoutes } from './messages.js';
import { openapiRoutes } from './openapi.js';
import type { Route } from './routes.js';
import { sendRoutes } from './send.js';
import { createSandboxServer } from './server.js';
import { ACCOUNT_STATUSES, World, type AccountInput, type AccountView, type CustomMessageRecord } from './state.js';
import { templateRoutes } from './templates.js';
import { ticketRoutes } from './tickets.js';
import { SandboxTime } from './time.js';
import { userRoutes } from './users.js';

export type { AccountInput, AccountView, CustomMessageRecord } from './state.js';
export type { AuthorizeInput, AuthorizeResult, ReleaseCheckSetup } from './actions.js';
export type { FaultChange, FaultSettings } from './faults.js';
export type { LibraryKeyword, LibraryTemplate } from './library.js';
export type { LogSnapshot } from './log.js';
export type { PushKind, PushRecord, PushStats } from './pushes.js';
export { FIRST_MSGID } from './state.js';
export { SandboxError } from './errors.js';

export type { UserMessageKind } from './events.js';

/** What became of a follower's message (`userSends`). */
export interface UserMessageResult {
  kind: UserMessageKind;
  openid: string;
  /** delivered: the receiver answered `success`, nothing, or a passive reply. */
  outcome: 'delivered' | 'failed' | 'skipped';
  status: number | null;
  error: string | null;
  /** The passive reply the follower sees (decrypted XML), or null. */
  reply: string | null;
}

export interface SandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (the default) = any free port. */
  port?: number;
  component: { appid: string; appsecret: string; token: string; encodingAesKey: string };
  /** Tests move it (token expiry, quota days, dedupe windows); the control API can move it too. */
  clock?: Clock;
  /** The receiver's origin: component events go to `${callbackUrl}/wechat/component`, account events to `${callbackUrl}/wechat/accounts/${appid}`. */
  callbackUrl?: string;
  /** Push a component_verify_ticket every N s (0 = only on demand); one is pushed at start when callbackUrl is set. */
  ticketIntervalSeconds?: number;
  /** Template sends per account per day (Beijing time). Default 100,000. */
  dailySendQuota?: number;
  /** Added to every API answer. */
  latencyMs?: number;
  /** For reproducible ids, tokens and fault decisions. */
  seed?: number;
  /** Followers of an account the authorization page creates. Default 0. */
  defaultFollowers?: number;
  /** Pushes delivered at once. Default 32. */
  pushConcurrency?: number;
  /** Per push attempt; WeChat waits 5 s. */
  pushTimeoutMs?: number;
  /** Pause before a push's attempt n+1 is n times this. Default 1000. */
  pushRetryDelayMs?: number;
  /**
   * Keep the state in this file: read at start when it exists, written (owner-only) a moment after
   * each change and at close. Without it the state lives in memory and a restart forgets it.
   */
  stateFile?: string;
  /** Told of each push given up on (the receiver down, refusing, or answering something else). */
  onPushFailed?: (push: PushRecord) => void;
}

export interface SandboxLog {
  /** Calls to one endpoint (e.g. `cgi-bin/message/template/send`), or to all. */
  count(endpoint?: string): number;
  /** Answers with this errcode (0 = success), at one endpoint or all. */
  errors(errcode: number, endpoint?: string): number;
  /** Messages sent to one recipient, after client_msg_id dedupe. */
  deliveries(appid: string, openid: string): number;
  totalDeliveries(appid?: string): number;
  snapshot(): LogSnapshot;
  /** Forgets request and delivery counts (not the accounts). */
  reset(): void;
}

export interface SandboxFaults {
  readonly settings: FaultSettings;
  /** Merges the change; `revokeToken` kills that token now (an appid, or the component appid). */
  set(change: FaultChange): FaultSettings;
  clear(): FaultSettings;
}

export interface SandboxPushes {
  /** Resolves when every queued push has been delivered or given up. */
  settled(): Promise<void>;
  stats(): PushStats;
  /** The last 100 pushes, oldest first. */
  recent(): PushRecord[];
}

export interface SandboxState {
  url: string;
  componentAppid: string;
  now: string;
  callbackUrl: string | null;
  ticketIssued: boolean;
  componentTokenExpiresAt: string | null;
  accounts: AccountView[];
  faults: FaultSettings;
  pushes: PushStats;
  requests: number;
  deliveries: number;
  /** The latest customer-service messages accepted (cgi-bin/message/custom/send), oldest first. */
  customMessages: CustomMessageRecord[];
}

export interface Sandbox {
  /** The origin, e.g. http://127.0.0.1:54321: what WXPLAT_API_BASE points at. */
  readonly url: string;
  readonly componentAppid: string;
  readonly log: SandboxLog;
  readonly faults: SandboxFaults;
  readonly pushes: SandboxPushes;
  /** Where pushes go (an origin); undefined = nowhere. */
  callbackUrl: string | undefined;
  now(): Date;
  advanceClock(seconds: number): Date;
  /** Issues a new component_verify_ticket and pushes it; resolves with the ticket once the push is settled. */
  pushTicket(): Promise<string>;
  latestTicket(): string | undefined;
  createAccount(input?: AccountInput): AccountView;
  account(appid: string): AccountView;
  accounts(): AccountView[];
  /** The admin confirms the authorization page: uses up the pre-auth code, pushes `authorized` (settled before this resolves). */
  authorize(input: { preAuthCode: string; appid?: string; redirectUri?: string }): Promise<AuthorizeResult>;
  /** The admin cancels: tokens and refresh token die, `unauthorized` is pushed. */
  unauthorize(appid: string): Promise<void>;
  /** A number = derived followers 0..n-1; a list = exactly those openids. */
  setFollowers(appid: string, followers: number | readonly string[]): AccountView;
  /** Followers in user/get order (derived openids are made on the fly). */
  followerOpenids(appid: string, offset?: number, limit?: number): string[];
  unsubscribe(appid: string, openid: string): void;
  subscribe(appid: string, openid: string): void;
  /** Their future TEMPLATESENDJOBFINISH reports this status (default `failed:user block`); null = success again. */
  failRecipients(appid: string, openids: readonly string[], status?: string | null): void;
  /** Sends to this openid are refused with errcode (default 43101); null = accepted again. */
  refuseRecipient(appid: string, openid: string, errcode?: number | null): void;
  addLibraryTemplate(template: LibraryTemplate): LibraryTemplate;
  libraryTemplates(): LibraryTemplate[];
  /** What api_get_authorizer_info reports as account_status: 1 normal, 14 cancelled, 16 banned, 18 warned, 19 frozen. */
  setAccountStatus(appid: string, accountStatus: number): AccountView;
  /**
   * The user writes to the account (a message pushed to the platform does this too): customer-service
   * messages to them are accepted for 48 hours, 5 at most.
   */
  userWrote(appid: string, openid: string): void;
  /** Customer-service messages accepted, oldest first (the last 1000); of one account, or all. */
  customMessages(appid?: string): CustomMessageRecord[];
  /**
   * A follower sends a message or triggers an event (a text, a menu click, a scan…): pushed to the
   * callback as WeChat does; resolves with the outcome and the passive reply the receiver answered, if any.
   */
  userSends(input: { appid: string; kind: UserMessageKind; openid?: string; value?: string }): Promise<UserMessageResult>;
  /**
   * WeChat's release check begins: its test account is authorized to the platform (the authorized event
   * pushed with a query_auth_code) and a tester writes to it.
   */
  releaseCheck(): Promise<ReleaseCheckSetup>;
  state(): SandboxState;
  /** Whether the state was read from SandboxOptions.stateFile (false: it did not exist yet, or none was given). */
  readonly restored: boolean;
  close(): Promise<void>;
}

class RunningSandbox implements Sandbox {
  url = '';
  /** The state was read from SandboxOptions.stateFile. */
  restored = false;
  readonly componentAppid: string;
  readonly log: SandboxLog;
  readonly faults: SandboxFaults;
  readonly pushes: SandboxPushes;
  readonly #sim: Sim;
  readonly #time: SandboxTime;
  #timer: NodeJS.Timeout | undefined;
  #close: (() => Promise<void>) | undefined;

  constructor(sim: Sim, time: SandboxTime) {
    this.#sim = sim;
    this.#time = time;
    this.componentAppid = sim.world.component.appid;
    this.log = sim.log;
    const { world, faults, pusher } = sim;
    this.faults = {
      get settings() {
        return faults.settings;
      },
      set(change: FaultChange) {
        const target = change.revokeToken;
        const account = target === undefined || target === world.component.appid ? undefined : world.account(target);
        const settings = faults.set(change);
        if (account) world.revokeAccessToken(account);
        else if (target !== undefined) world.revokeComponentToken();
        return settings;
      },
      clear: () => faults.clear(),
    };
    this.pushes = {
      settled: () => pusher.settled(),
      stats: () => pusher.stats(),
      recent: () => pusher.recent(),
    };
  }

  get callbackUrl(): string | undefined {
    return this.#sim.pusher.callbackUrl;
  }

  set callbackUrl(url: string | undefined) {
    try {
      this.#sim.pusher.callbackUrl = url;
    } catch (err) {
      throw new SandboxError((err as Error).message);
    }
  }

  now(): Date {
    return new Date(this.#time.now());
  }

  advanceClock(seconds: number): Date {
    if (typeof seconds !== 'number' || !Number.isFinite(seconds)) throw new SandboxError('advanceSeconds must be a number');
    this.#time.advance(seconds);
    return this.now();
  }

  async pushTicket(): Promise<string> {
    return (await pushTicket(this.#sim)).ticket;
  }

  latestTicket(): string | undefined {
    return this.#sim.world.latestTicket;
  }

  createAccount(input: AccountInput = {}): AccountView {
    const world = this.#sim.world;
    return world.view(world.createAccount(input));
  }

  account(appid: string): AccountView {
    const world = this.#sim.world;
    return world.view(world.account(appid));
  }

  accounts(): AccountView[] {
    const world = this.#sim.world;
    return [...world.accounts.values()].map((a) => world.view(a));
  }

  async authorize(input: { preAuthCode: string; appid?: string; redirectUri?: string }): Promise<AuthorizeResult> {
    const { result, pushed } = authorize(this.#sim, input);
    await pushed;
    return result;
  }

  async unauthorize(appid: string): Promise<void> {
    await unauthorize(this.#sim, appid);
  }

  setFollowers(appid: string, followers: number | readonly string[]): AccountView {
    const world = this.#sim.world;
    const account = world.account(appid);
    if (typeof followers === 'number') account.followers.setCount(followers);
    else if (Array.isArray(followers)) account.followers.setList(followers);
    else throw new SandboxError('followers must be a count or a list of openids');
    return world.view(account);
  }

  followerOpenids(appid: string, offset = 0, limit = 100): string[] {
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 0 || limit > 100_000) {
      throw new SandboxError('offset must be 0 or more and limit 0 to 100000');
    }
    return this.#sim.world.account(appid).followers.slice(offset, limit);
  }

  unsubscribe(appid: string, openid: string): void {
    this.#sim.world.account(appid).followers.unfollow(openid);
  }

  subscribe(appid: string, openid: string): void {
    this.#sim.world.account(appid).followers.follow(openid);
  }

  failRecipients(appid: string, openids: readonly string[], status: string | null = 'failed:user block'): void {
    const account = this.#sim.world.account(appid);
    const list = openids; // keeps its type: the check below narrows `openids` to any[]
    if (!Array.isArray(openids)) throw new SandboxError('openids must be a list');
    if (status !== null && (typeof status !== 'string' || !status.startsWith('failed'))) {
      throw new SandboxError('status must start with "failed" (e.g. "failed:user block", "failed: system failed"), or be null');
    }
    for (const openid of list) {
      if (status === null) account.failures.delete(openid);
      else account.failures.set(openid, status);
    }
  }

  refuseRecipient(appid: string, openid: string, errcode: number | null = 43101): void {
    const account = this.#sim.world.account(appid);
    if (typeof openid !== 'string' || openid === '') throw new SandboxError('openid is required');
    if (errcode === null) account.refusals.delete(openid);
    else if (Number.isInteger(errcode) && errcode !== 0) account.refusals.set(openid, errcode);
    else throw new SandboxError('errcode must be a non-zero WeChat errcode (e.g. 43101, 43004, 40003), or null');
  }

  addLibraryTemplate(template: LibraryTemplate): LibraryTemplate {
    return this.#sim.world.library.add(template);
  }

  libraryTemplates(): LibraryTemplate[] {
    return this.#sim.world.library.list();
  }

  setAccountStatus(appid: string, accountStatus: number): AccountView {
    const world = this.#sim.world;
    const account = world.account(appid);
    if (!ACCOUNT_STATUSES.has(accountStatus)) throw new SandboxError('accountStatus must be 1 (normal), 14, 16, 18 or 19');
    account.accountStatus = accountStatus;
    return world.view(account);
  }

  userWrote(appid: string, openid: string): void {
    const world = this.#sim.world;
    if (typeof openid !== 'string' || openid === '') throw new SandboxError('openid is required');
    world.userWrote(world.account(appid), openid);
  }

  async userSends(input: { appid: string; kind: UserMessageKind; openid?: string; value?: string }): Promise<UserMessageResult> {
    const { world, pusher } = this.#sim;
    const { random } = world;
    if (!(USER_MESSAGE_KINDS as readonly string[]).includes(input.kind)) throw new SandboxError(`kind must be one of ${USER_MESSAGE_KINDS.join(', ')}`);
    if (pusher.callbackUrl === undefined) throw new SandboxError('no callback URL: start the sandbox with --callback to push messages');
    const account = world.account(input.appid);
    const openid = input.openid ?? account.followers.slice(0, 1)[0];
    if (!openid) throw new SandboxError('the account has no follower to send as: give openid');
    if (input.value !== undefined && typeof input.value !== 'string') throw new SandboxError('value must be a string');
    // A message opens the 48-hour window for customer-service answers, as at WeChat.
    if (['text', 'image', 'voice'].includes(input.kind)) world.userWrote(account, openid);
    const xml = userMessageEvent(input.kind, account.userName, openid, this.#time.seconds(), `${random.digits(1).replace('0', '1')}${random.digits(18)}`, input.value);
    const record = await pusher.pushUserMessage(account.appid, account.userName, openid, xml);
    return { kind: input.kind, openid, outcome: record.outcome, status: record.status ?? null, error: record.error ?? null, reply: record.reply ?? null };
  }

  releaseCheck(): Promise<ReleaseCheckSetup> {
    return setUpReleaseCheck(this.#sim);
  }

  customMessages(appid?: string): CustomMessageRecord[] {
    const all = this.#sim.world.customMessages;
    return (appid === undefined ? all : all.filter((m) => m.appid === appid)).map((m) => ({ ...m }));
  }

  state(): SandboxState {
    const { world, faults, pusher, log } = this.#sim;
    const tokenExpiry = world.componentTokenExpiresAt();
    return {
      url: this.url,
      componentAppid: this.componentAppid,
      now: this.now().toISOString(),
      callbackUrl: this.callbackUrl ?? null,
      ticketIssued: world.latestTicket !== undefined,
      componentTokenExpiresAt: tokenExpiry === undefined ? null : new Date(tokenExpiry).toISOString(),
      accounts: this.accounts(),
      faults: faults.settings,
      pushes: pusher.stats(),
      requests: log.count(),
      deliveries: log.totalDeliveries(),
      customMessages: this.customMessages().slice(-100),
    };
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#sim.pusher.close();
    const close = this.#close;
    this.#close = undefined;
    await close?.();
  }

  /** @internal */
  started(url: string, timer: NodeJS.Timeout | undefined, close: () => Promise<void>): void {
    this.url = url;
    this.#timer = timer;
    this.#close = close;
  }
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const { component } = options;
  for (const field of ['appid', 'appsecret', 'token', 'encodingAesKey'] as const) {
    if (typeof component?.[field] !== 'string' || component[field] === '') throw new SandboxError(`component.${field} is required`);
  }
  // Fails early on a malformed EncodingAESKey, before anything listens.
  new MessageCrypto({ token: component.token, encodingAesKey: component.encodingAesKey, receiveId: component.appid });

  const seed = options.seed ?? randomInt(2 ** 31);
  const time = new SandboxTime(options.clock ?? systemClock);
  const world = new World({
    component: { ...component },
    time,
    random: new Random(seed),
    dailySendQuota: options.dailySendQuota ?? 100_000,
    defaultFollowers: options.defaultFollowers ?? 0,
  });
  let pusher: Pusher;
  try {
    pusher = new Pusher({
      component,
      onFailed: options.onPushFailed,
      time,
      random: new Random(seed + 1),
      callbackUrl: options.callbackUrl,
      concurrency: options.pushConcurrency,
      timeoutMs: options.pushTimeoutMs,
      retryDelayMs: options.pushRetryDelayMs,
    });
  } catch (err) {
    throw new SandboxError((err as Error).message);
  }
  const sim: Sim = {
    world,
    faults: new Faults(new Random(seed + 2), options.latencyMs ?? 0),
    pusher,
    log: new RequestLog(world),
  };
  let restored = false;
  if (options.stateFile !== undefined) restored = readState(options.stateFile, world);
  const sandbox = new RunningSandbox(sim, time);
  sandbox.restored = restored;
  const routes: Record<string, Route> = {
    ...componentRoutes(sim),
    ...templateRoutes(sim),
    ...sendRoutes(sim),
    ...userRoutes(sim),
    ...messageRoutes(sim),
    ...ticketRoutes(sim),
  };
  // quota/get answers about any of the routes, its own among them.
  Object.assign(routes, openapiRoutes(sim, (endpoint) => routes[endpoint]));
  const server = createSandboxServer({
    sim,
    routes,
    control: controlApi(sandbox),
    authPage: authPage(sim),
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const interval = options.ticketIntervalSeconds ?? 0;
  const timer =
    interval > 0
      ? setInterval(() => {
          void pushTicket(sim);
        }, interval * 1000)
      : undefined;
  timer?.unref();
  // Saved a moment after a request (the sandbox changes only when asked, or when it pushes a ticket),
  // so that a burst of calls is one write.
  const stateFile = options.stateFile;
  let dirty = false;
  let savedTicket = world.latestTicket;
  const saver =
    stateFile === undefined
      ? undefined
      : setInterval(() => {
          // A ticket pushed on the timer changes the state without a request.
          if (!dirty && savedTicket === world.latestTicket) return;
          dirty = false;
          savedTicket = world.latestTicket;
          writeState(stateFile, world);
        }, 500);
  saver?.unref();
  if (stateFile !== undefined) server.on('request', (_req, res) => res.once('finish', () => (dirty = true)));
  sandbox.started(url, timer, () => {
    if (saver) clearInterval(saver);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections would hold close() open until their clients let go.
    server.closeAllConnections();
    if (stateFile !== undefined) writeState(stateFile, world);
    return closed;
  });
  if (pusher.callbackUrl !== undefined) void pushTicket(sim);
  return sandbox;
}
