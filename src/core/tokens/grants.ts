// What `token get`, `token jsapi-ticket` and the token listener hand out: the current component token,
// an account's access token or jsapi_ticket, each through the token keeper (refreshed when near expiry,
// one refresh at a time across processes) and read from the database on every call, so that an answer
// reflects what any process changed a moment ago — a refresh, a report of an invalid token, an account
// that withdrew. An appid we hold no tokens for is told apart from one nobody knows.
import type { Database } from '../../db/database.js';
import { AccountRepository } from '../../db/repositories/accounts.js';
import { NotFoundError } from '../../errors.js';
import { NotAuthorizedError, type TokenGrant, type TokenKeeper } from '../../wechat/tokens.js';

/** The document a token is handed out as (`--json`, and the token listener's answers). */
export interface TokenDocument {
  token: string;
  /** ISO 8601: when WeChat said it expires. */
  expiresAt: string;
}

export type { TokenGrant };

export function tokenDocument(grant: TokenGrant): TokenDocument {
  return { token: grant.token, expiresAt: grant.expiresAt.toISOString() };
}

/**
 * The token listener's answer: `expires_at` is the field services are written against (the HTTP API's
 * contract, as WeChat's own answers spell it); `expiresAt`, the same time, is kept for services that
 * read the command line's style.
 */
export interface ServedToken extends TokenDocument {
  expires_at: string;
}

export function servedToken(grant: TokenGrant): ServedToken {
  const doc = tokenDocument(grant);
  return { token: doc.token, expires_at: doc.expiresAt, expiresAt: doc.expiresAt };
}

/** No account has this appid, and we hold no tokens for it. */
export class UnknownAccountError extends NotFoundError {
  constructor(readonly appid: string) {
    super(`no account has the appid ${appid}`, '`wxplat account list --all` shows the accounts');
  }
}

export interface ReportOutcome {
  /** The reported token was the current one and is now expired (false: it had been replaced already). */
  expired: boolean;
  grant: TokenGrant;
}

export class TokenGrants {
  constructor(private readonly deps: { db: Database; keeper: TokenKeeper }) {}

  component(): Promise<TokenGrant> {
    return this.deps.keeper.componentGrant({ fromStore: true });
  }

  account(appid: string): Promise<TokenGrant> {
    return this.known(appid, () => this.deps.keeper.authorizerGrant(appid, { fromStore: true }));
  }

  jsapiTicket(appid: string): Promise<TokenGrant> {
    return this.known(appid, () => this.deps.keeper.jsapiTicket(appid, { fromStore: true }));
  }

  /** A service was refused with this token (40001/42001): one refresh for any number of reports of it. */
  reportInvalid(appid: string, token: string): Promise<ReportOutcome> {
    return this.known(appid, () => this.deps.keeper.reportInvalid(appid, token));
  }

  /** NotAuthorizedError for an appid we never held tokens for: is it an account at all? */
  private async known<T>(appid: string, get: () => Promise<T>): Promise<T> {
    try {
      return await get();
    } catch (err) {
      if (err instanceof NotAuthorizedError && !err.dropped && !(await new AccountRepository(this.deps.db.knex).findByAppid(appid))) {
        throw new UnknownAccountError(appid);
      }
      throw err;
    }
  }
}

/** What `token get` and `token jsapi-ticket` ask for. */
export type GrantRequest = { kind: 'component' } | { kind: 'account' | 'jsapi'; appid: string };

export function obtainGrant(deps: { db: Database; keeper: TokenKeeper }, request: GrantRequest): Promise<TokenGrant> {
  const grants = new TokenGrants(deps);
  if (request.kind === 'component') return grants.component();
  return request.kind === 'jsapi' ? grants.jsapiTicket(request.appid) : grants.account(request.appid);
}
