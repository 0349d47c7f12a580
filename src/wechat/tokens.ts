// The token keeper. Tokens live in the database, not in memory, so that every process (cron sends on
// several hosts, the receiver, an operator's command, the token service) shares them. The same goes
// for each account's jsapi_ticket, which WeChat limits like a token. A token is refreshed ahead of
// expiry by one process at a time: a process takes a refresh lease by compare-and-set on the record's
// version; the winner calls WeChat and stores the result (with any new refresh token, in the same
// write); a loser re-reads and uses the winner's token. This module knows nothing of knex: it takes a
// TokenStore, which src/db implements.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { FailedError } from '../errors.js';
import { apiAuthorizerToken, apiComponentToken, apiGetAuthorizerList } from './api/component.js';
import { getTicket } from './api/ticket.js';
import { WeChatError } from './errors.js';
import type { WeChatHttp } from './http.js';
import { callWithPolicy, realSleep, type CallOptions, type Sleep, type TokenSource } from './retry.js';

export type TokenKind = 'component' | 'authorizer' | 'jsapi';

/** A token (or ticket) and when WeChat said it expires. */
export interface TokenGrant {
  token: string;
  expiresAt: Date;
}

export interface ObtainOptions {
  /**
   * Read the store even when this process holds a fresh copy: for answers given to other processes
   * (the token service), which must see at once what any process changed — a refresh, an account
   * withdrawn.
   */
  fromStore?: boolean;
}

export interface TokenRecord {
  token: string | null;
  expiresAt: Date | null;
  version: number;
  leaseOwner: string | null;
  leaseUntil: Date | null;
}

export interface AuthorizerTokenRecord extends TokenRecord {
  refreshToken: string | null;
  needsReauth: boolean;
  reauthReason: string | null;
}

export interface TicketRecord {
  ticket: string;
  receivedAt: Date;
}

export interface AuthorizerTokens {
  accessToken: string;
  expiresAt: Date;
  refreshToken: string;
}

export interface TokenStore {
  readTicket(componentAppid: string): Promise<TicketRecord | null>;
  saveTicket(componentAppid: string, ticket: string, receivedAt: Date): Promise<void>;
  readComponentToken(componentAppid: string): Promise<TokenRecord | null>;
  readAuthorizerToken(authorizerAppid: string): Promise<AuthorizerTokenRecord | null>;
  /** The account's jsapi_ticket as a record (its `token` is the ticket). */
  readJsapiTicket(authorizerAppid: string): Promise<TokenRecord | null>;
  /** Takes the refresh lease when the record still has `version`; false when another process got there first. */
  claimRefresh(kind: TokenKind, appid: string, version: number, owner: string, leaseUntil: Date): Promise<boolean>;
  releaseRefresh(kind: TokenKind, appid: string, owner: string): Promise<void>;
  /** Stores the lease holder's fresh component token; false if the lease was lost meanwhile. */
  saveComponentToken(appid: string, owner: string, token: string, expiresAt: Date): Promise<boolean>;
  /**
   * Stores an authorizer's access and refresh token in one write. With an owner, only while that owner
   * holds the lease; without (a new authorization), unconditionally, clearing any re-authorization mark.
   */
  saveAuthorizerTokens(appid: string, owner: string | null, tokens: AuthorizerTokens): Promise<boolean>;
  /** Stores the lease holder's fresh jsapi_ticket; false if the lease was lost meanwhile. */
  saveJsapiTicket(appid: string, owner: string, ticket: string, expiresAt: Date): Promise<boolean>;
  /**
   * Marks the token expired, only if it is still the one given (another process may have replaced it);
   * true when it was.
   */
  expireToken(kind: TokenKind, appid: string, token: string): Promise<boolean>;
  markNeedsReauth(appid: string, reason: string): Promise<void>;
  /** The account withdrew its authorization: forget its tokens and its jsapi_ticket. */
  dropAuthorizer(appid: string): Promise<void>;
}

export const TICKET_LIFETIME_MS = 12 * 3600 * 1000;

/** No usable component_verify_ticket: the one thing only the callback receiver can fix. */
export class TicketUnavailableError extends FailedError {}

/** The account's refresh token is dead and reconciliation did not find a new one. */
export class NeedsReauthorizationError extends FailedError {
  constructor(
    readonly appid: string,
    reason: string,
  ) {
    super(`account ${appid} needs re-authorization: ${reason}`, 'run `wxplat account authorize` and have its admin scan the code again');
  }
}

/** We hold no tokens for this account: never had any (`dropped` false), or the account withdrew (true). */
export class NotAuthorizedError extends FailedError {
  constructor(
    readonly appid: string,
    readonly dropped = false,
  ) {
    super(
      dropped ? `account ${appid} is no longer authorized: its tokens were dropped when it withdrew` : `wxplat holds no tokens for ${appid}`,
      dropped ? 'its admin must authorize the platform again: `wxplat account authorize`' : 'authorize it first: `wxplat account authorize`',
    );
  }
}

export interface TokenKeeperOptions {
  http: WeChatHttp;
  store: TokenStore;
  component: { appid: string; appsecret: string };
  clock: Clock;
  /** Refresh when less than this is left (WeChat suggests refreshing at about 1 h 50 min of 2 h). */
  refreshMarginMs?: number;
  leaseMs?: number;
  pollMs?: number;
  sleep?: Sleep;
  retry?: CallOptions;
}

const REFRESH_FAILED_CODES = new Set([61023, 61003]);
const noop = (): void => {};

export class TokenKeeper {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly margin: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly sleep: Sleep;

  constructor(private readonly o: TokenKeeperOptions) {
    this.margin = o.refreshMarginMs ?? 10 * 60_000;
    this.leaseMs = o.leaseMs ?? 60_000;
    this.pollMs = o.pollMs ?? 100;
    this.sleep = o.sleep ?? realSleep;
  }

  private now(): number {
    return this.o.clock.now().getTime();
  }

  /**
   * `expires_in` seconds from now, in whole seconds: what the database keeps, so that the process that
   * refreshed and the ones that read it back hand out the same expiry.
   */
  private expiresIn(seconds: number): Date {
    return new Date(Math.floor(this.now() / 1000) * 1000 + seconds * 1000);
  }

  private fresh(rec: TokenRecord | null): rec is TokenRecord & { token: string; expiresAt: Date } {
    return Boolean(rec?.token && rec.expiresAt && rec.expiresAt.getTime() - this.now() > this.margin);
  }

  private usable(rec: TokenRecord | null): rec is TokenRecord & { token: string; expiresAt: Date } {
    return Boolean(rec?.token && rec.expiresAt && rec.expiresAt.getTime() - this.now() > 5_000);
  }

  private leasedByOther(rec: TokenRecord | null): boolean {
    return Boolean(rec?.leaseOwner && rec.leaseOwner !== this.owner && rec.leaseUntil && rec.leaseUntil.getTime() > this.now());
  }

  /**
   * Calls in flight in this process, by token: concurrent callers share one read or refresh — but only
   * callers of the same epoch. expire() starts a new epoch once the token is marked expired, so that
   * nobody is handed the refused token by a read that began before.
   */
  private readonly inflight = new Map<string, { promise: Promise<TokenGrant>; epoch: number }>();
  private readonly epochs = new Map<string, number>();
  /**
   * Fresh tokens this process has read, so that a bulk send does not read the database for every
   * message. The database stays the source: an entry is used only while fresh, and a token WeChat
   * refuses is dropped here as well as expired there (expire()).
   */
  private readonly remembered = new Map<string, { token: string; expiresAt: Date }>();

  /**
   * Within a process, one obtain per token at a time (the lease orders processes; this orders the
   * workers of one process, which share an owner name and so cannot tell each other's leases apart).
   */
  private obtain<R extends TokenRecord>(
    kind: TokenKind,
    appid: string,
    read: () => Promise<R | null>,
    check: (rec: R | null) => void | Promise<void>,
    refresh: (rec: R | null) => Promise<TokenGrant>,
    options: ObtainOptions = {},
  ): Promise<TokenGrant> {
    const key = `${kind}:${appid}`;
    if (!options.fromStore) {
      const known = this.remembered.get(key);
      if (known && known.expiresAt.getTime() - this.now() > this.margin) return Promise.resolve(known);
    }
    const epoch = this.epochs.get(key) ?? 0;
    const running = this.inflight.get(key);
    if (running && running.epoch === epoch) return running.promise;
    // One of an older epoch may hand out the expired token: let it end, then read again.
    const after = running ? running.promise.then(noop, noop) : Promise.resolve();
    const promise: Promise<TokenGrant> = after
      .then(() => this.obtainOnce(kind, appid, epoch, read, check, refresh))
      .finally(() => {
        if (this.inflight.get(key)?.promise === promise) this.inflight.delete(key);
      });
    this.inflight.set(key, { promise, epoch });
    return promise;
  }

  /**
   * The one loop both kinds of token share: use a fresh token; else take the lease and refresh; if
   * another process holds the lease, use the current token while it still works, or wait for theirs.
   */
  private async obtainOnce<R extends TokenRecord>(
    kind: TokenKind,
    appid: string,
    epoch: number,
    read: () => Promise<R | null>,
    check: (rec: R | null) => void | Promise<void>,
    refresh: (rec: R | null) => Promise<TokenGrant>,
  ): Promise<TokenGrant> {
    const key = `${kind}:${appid}`;
    for (;;) {
      const rec = await read();
      await check(rec);
      if (this.fresh(rec)) {
        const grant = { token: rec.token, expiresAt: rec.expiresAt };
        // Not when the token was expired while this read was on its way.
        if ((this.epochs.get(key) ?? 0) === epoch) this.remembered.set(key, grant);
        return grant;
      }
      if (this.leasedByOther(rec)) {
        if (this.usable(rec)) return { token: rec.token, expiresAt: rec.expiresAt };
        await this.sleep(this.pollMs);
        continue;
      }
      const leaseUntil = new Date(this.now() + this.leaseMs);
      if (!(await this.o.store.claimRefresh(kind, appid, rec?.version ?? 0, this.owner, leaseUntil))) continue;
      try {
        return await refresh(rec);
      } catch (err) {
        await this.o.store.releaseRefresh(kind, appid, this.owner);
        throw err;
      }
    }
  }

  async componentToken(): Promise<string> {
    return (await this.componentGrant()).token;
  }

  componentGrant(options: ObtainOptions = {}): Promise<TokenGrant> {
    const appid = this.o.component.appid;
    return this.obtain(
      'component',
      appid,
      () => this.o.store.readComponentToken(appid),
      () => {},
      async () => {
        const ticket = await this.usableTicket();
        let res;
        try {
          res = await callWithPolicy(
            () =>
              apiComponentToken(this.o.http, {
                component_appid: appid,
                component_appsecret: this.o.component.appsecret,
                component_verify_ticket: ticket,
              }),
            null,
            this.o.retry,
          );
        } catch (err) {
          if (err instanceof WeChatError && (err.errcode === 61005 || err.errcode === 61006)) {
            throw new TicketUnavailableError(
              `WeChat refused the stored component_verify_ticket (${err.errcode} ${err.errmsg})`,
              'a new ticket arrives every 10 minutes at the authorization event URL: make sure `wxplat serve` is reachable by WeChat',
            );
          }
          throw err;
        }
        const expiresAt = this.expiresIn(res.expires_in);
        if (!(await this.o.store.saveComponentToken(appid, this.owner, res.component_access_token, expiresAt))) {
          // Our lease was taken over while we waited on WeChat; the newest stored token wins.
          return this.readStoredToken('component', appid);
        }
        return { token: res.component_access_token, expiresAt };
      },
      options,
    );
  }

  private async usableTicket(): Promise<string> {
    const ticket = await this.o.store.readTicket(this.o.component.appid);
    const hint =
      'WeChat pushes a component_verify_ticket every 10 minutes to the authorization event URL: run `wxplat serve` where WeChat can reach it (POST /wechat/component)';
    if (!ticket) throw new TicketUnavailableError('no component_verify_ticket has arrived yet', hint);
    const age = this.now() - ticket.receivedAt.getTime();
    if (age > TICKET_LIFETIME_MS) {
      const hours = (age / 3_600_000).toFixed(1);
      throw new TicketUnavailableError(`the last component_verify_ticket arrived ${hours} h ago; tickets expire after 12 h`, hint);
    }
    return ticket.ticket;
  }

  /** The component token as a TokenSource for callWithPolicy. */
  componentTokenSource(): TokenSource {
    return {
      get: () => this.componentToken(),
      expire: async (token) => {
        await this.expire('component', this.o.component.appid, token);
      },
    };
  }

  /**
   * WeChat refused this token: mark it expired in the database (if it is still the current one; true
   * when it was) and forget it here. Both after the write: a read that began before it may still bring
   * the token back, and must neither be joined nor remembered (see obtain).
   */
  private async expire(kind: TokenKind, appid: string, token: string): Promise<boolean> {
    const key = `${kind}:${appid}`;
    const expired = await this.o.store.expireToken(kind, appid, token);
    this.epochs.set(key, (this.epochs.get(key) ?? 0) + 1);
    if (this.remembered.get(key)?.token === token) this.remembered.delete(key);
    return expired;
  }

  async authorizerToken(appid: string): Promise<string> {
    return (await this.authorizerGrant(appid)).token;
  }

  authorizerGrant(appid: string, options: ObtainOptions = {}): Promise<TokenGrant> {
    return this.obtain(
      'authorizer',
      appid,
      () => this.o.store.readAuthorizerToken(appid),
      (rec) => {
        if (rec?.needsReauth) throw new NeedsReauthorizationError(appid, rec.reauthReason ?? 'its refresh token is invalid');
        if (!rec?.refreshToken) throw new NotAuthorizedError(appid, rec !== null);
      },
      async (rec) => this.refreshAuthorizer(appid, rec!.refreshToken!, true),
      options,
    );
  }

  authorizerTokenSource(appid: string, options: ObtainOptions = {}): TokenSource {
    return {
      get: async () => (await this.authorizerGrant(appid, options)).token,
      expire: async (token) => {
        await this.expire('authorizer', appid, token);
      },
    };
  }

  /**
   * A service that called WeChat with `token` was refused (40001, 42001): expire it if it is still the
   * current token — compare-and-set on its value, so that fifty reports of one token cause one refresh
   * and a report of a token already replaced causes none — and return the current one.
   */
  async reportInvalid(appid: string, token: string): Promise<{ expired: boolean; grant: TokenGrant }> {
    const expired = await this.expire('authorizer', appid, token);
    return { expired, grant: await this.authorizerGrant(appid, { fromStore: true }) };
  }

  /** The account's jsapi_ticket (for JS-SDK signatures), kept and refreshed like its access token. */
  jsapiTicket(appid: string, options: ObtainOptions = {}): Promise<TokenGrant> {
    return this.obtain(
      'jsapi',
      appid,
      () => this.o.store.readJsapiTicket(appid),
      // Before the first refresh makes a row for the appid: it must be an account we hold tokens for.
      async (rec) => {
        if (rec === null) await this.authorizerGrant(appid, options);
      },
      async () => {
        const res = await callWithPolicy((token) => getTicket(this.o.http, token, 'jsapi'), this.authorizerTokenSource(appid, options), this.o.retry);
        const expiresAt = this.expiresIn(res.expires_in);
        if (!(await this.o.store.saveJsapiTicket(appid, this.owner, res.ticket, expiresAt))) return this.readStoredToken('jsapi', appid);
        return { token: res.ticket, expiresAt };
      },
      options,
    );
  }

  private async refreshAuthorizer(appid: string, refreshToken: string, mayReconcile: boolean): Promise<TokenGrant> {
    let res;
    try {
      res = await callWithPolicy(
        (componentToken) =>
          apiAuthorizerToken(this.o.http, componentToken, {
            component_appid: this.o.component.appid,
            authorizer_appid: appid,
            authorizer_refresh_token: refreshToken,
          }),
        this.componentTokenSource(),
        this.o.retry,
      );
    } catch (err) {
      if (!(err instanceof WeChatError && err.errcode !== null && REFRESH_FAILED_CODES.has(err.errcode))) throw err;
      // WeChat may have rotated the refresh token (or a re-authorization replaced it): look it up once.
      const listed = mayReconcile ? await this.listedRefreshToken(appid) : null;
      if (listed && listed !== refreshToken) return this.refreshAuthorizer(appid, listed, false);
      const reason = `WeChat refused its refresh token (${err.errcode} ${err.errmsg})${listed === null && mayReconcile ? ' and it is not in the authorizer list' : ''}`;
      await this.o.store.markNeedsReauth(appid, reason.slice(0, 250));
      throw new NeedsReauthorizationError(appid, reason);
    }
    const tokens: AuthorizerTokens = {
      accessToken: res.authorizer_access_token,
      expiresAt: this.expiresIn(res.expires_in),
      refreshToken: res.authorizer_refresh_token || refreshToken,
    };
    if (!(await this.o.store.saveAuthorizerTokens(appid, this.owner, tokens))) return this.readStoredToken('authorizer', appid);
    return { token: tokens.accessToken, expiresAt: tokens.expiresAt };
  }

  private readRecord(kind: TokenKind, appid: string): Promise<TokenRecord | null> {
    if (kind === 'component') return this.o.store.readComponentToken(appid);
    if (kind === 'jsapi') return this.o.store.readJsapiTicket(appid);
    return this.o.store.readAuthorizerToken(appid);
  }

  /** After losing a lease: whatever the process that took it over stored (waiting for it if need be). */
  private async readStoredToken(kind: TokenKind, appid: string): Promise<TokenGrant> {
    for (;;) {
      const rec = await this.readRecord(kind, appid);
      if (this.usable(rec)) return { token: rec.token, expiresAt: rec.expiresAt };
      if (!this.leasedByOther(rec)) throw new FailedError(`the ${kind} token for ${appid} could not be refreshed: another process took over and stored none`);
      await this.sleep(this.pollMs);
    }
  }

  /** The refresh token api_get_authorizer_list holds for the account, or null. */
  private async listedRefreshToken(appid: string): Promise<string | null> {
    const source = this.componentTokenSource();
    for (let offset = 0; ; ) {
      const page = await callWithPolicy(
        (token) => apiGetAuthorizerList(this.o.http, token, { component_appid: this.o.component.appid, offset, count: 500 }),
        source,
        this.o.retry,
      );
      const hit = page.list.find((a) => a.authorizer_appid === appid);
      if (hit) return hit.refresh_token || null;
      offset += page.list.length;
      if (page.list.length === 0 || offset >= page.total_count) return null;
    }
  }

  /**
   * A refresh token from elsewhere (api_get_authorizer_list): proved by getting an access token with it
   * and stored only then, with that access token. WeChat's refusal (61023 …) is thrown as it came, and
   * nothing is stored.
   */
  async adoptRefreshToken(appid: string, refreshToken: string): Promise<void> {
    const res = await callWithPolicy(
      (componentToken) =>
        apiAuthorizerToken(this.o.http, componentToken, {
          component_appid: this.o.component.appid,
          authorizer_appid: appid,
          authorizer_refresh_token: refreshToken,
        }),
      this.componentTokenSource(),
      this.o.retry,
    );
    await this.storeAuthorization(appid, {
      accessToken: res.authorizer_access_token,
      expiresAt: new Date(this.now() + res.expires_in * 1000),
      refreshToken: res.authorizer_refresh_token || refreshToken,
    });
  }

  /** A new authorization (api_query_auth): store its tokens, clearing any re-authorization mark. */
  async storeAuthorization(appid: string, tokens: AuthorizerTokens): Promise<void> {
    const key = `authorizer:${appid}`;
    await this.o.store.saveAuthorizerTokens(appid, null, tokens);
    this.epochs.set(key, (this.epochs.get(key) ?? 0) + 1);
    this.remembered.delete(key);
  }
}
