// The token listener of `wxplat serve` (WXPLAT_TOKENS_LISTEN): the platform's own services ask it for
// tokens instead of refreshing their own, which would invalidate everyone else's (DESIGN §4). A second
// node:http server, never the public callback port:
//
//   GET  /tokens/component                       the component_access_token (keys for every account only)
//   GET  /tokens/accounts/:appid                 the account's authorizer_access_token
//   GET  /tokens/accounts/:appid/jsapi-ticket    the account's jsapi_ticket
//        → 200 {"token": …, "expiresAt": …}
//   POST /tokens/accounts/:appid/invalid {"token": …}
//        a service was refused with that token (40001/42001): expired if it is still the current one
//        (one refresh for any number of reports), and the current token is the answer.
//
// Every request carries `Authorization: Bearer <key>` (`token keys add`). No key or a wrong one: 401 with
// no detail; a key scoped to other appids: 403; an appid nobody knows: 404; an account that withdrew
// (or must authorize again): 410. Each refusal is logged with the key's name — never a key or a token,
// which appear only in the bodies of 200 answers. Answers carry Cache-Control: no-store.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { BatchedTokenStore } from '../../db/repositories/batched-token-reads.js';
import { TokenRepository } from '../../db/repositories/tokens.js';
import { FailedError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { WeChatClient } from '../../wechat/client.js';
import { WeChatError } from '../../wechat/errors.js';
import { NeedsReauthorizationError, NotAuthorizedError, TicketUnavailableError, type TokenGrant } from '../../wechat/tokens.js';
import { TokenGrants, UnknownAccountError, servedToken } from './grants.js';
import { KeyRing, type Caller, type KeyRingOptions } from './keyring.js';
import { APPID_SOURCE } from '../../formats.js';

export interface TokenListenerDeps {
  db: Database;
  /** The client whose token keeper refreshes (serve's own). */
  wechat: () => Promise<WeChatClient>;
  clock: Clock;
  logger: Logger;
}

export interface TokenListenerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** How long stop() waits for open requests before it cuts their connections. */
  shutdownGraceMs?: number;
  keys?: KeyRingOptions;
}

export interface TokenListener {
  url: string;
  port: number;
  stop(): Promise<void>;
}

type Route =
  | { kind: 'component'; method: 'GET'; appid: null }
  | { kind: 'account' | 'jsapi'; method: 'GET'; appid: string }
  | { kind: 'invalid'; method: 'POST'; appid: string };

const ACCOUNT_PATH = new RegExp(`^/tokens/accounts/(${APPID_SOURCE})(/jsapi-ticket|/invalid)?/?$`);
/** A report is one small JSON object. */
const MAX_BODY_BYTES = 4096;

function matchRoute(pathname: string): Route | null {
  if (pathname === '/tokens/component' || pathname === '/tokens/component/') return { kind: 'component', method: 'GET', appid: null };
  const m = ACCOUNT_PATH.exec(pathname);
  if (!m) return null;
  if (m[2] === '/invalid') return { kind: 'invalid', method: 'POST', appid: m[1] };
  return { kind: m[2] === '/jsapi-ticket' ? 'jsapi' : 'account', method: 'GET', appid: m[1] };
}

/** A request the listener answers with an error status (and a reason for the log). */
class Refusal {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly reason: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

const UNAUTHORIZED = { error: 'unauthorized' };

function readReport(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      reject(new Refusal(413, { error: 'too_large', message: `the body may have at most ${MAX_BODY_BYTES} bytes` }, 'too-large'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new Refusal(413, { error: 'too_large', message: `the body may have at most ${MAX_BODY_BYTES} bytes` }, 'too-large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** `{"token": "…"}` → the token; anything else is refused with 400. */
function reportedToken(body: string): string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new Refusal(400, { error: 'bad_request', message: 'the body must be JSON: {"token": "<the token WeChat refused>"}' }, 'bad-body');
  }
  const token = (value as { token?: unknown } | null)?.token;
  if (typeof token !== 'string' || token.length === 0 || token.length > 512) {
    throw new Refusal(400, { error: 'bad_request', message: 'the body must be {"token": "<the token WeChat refused>"}' }, 'bad-body');
  }
  return token;
}

function allowed(caller: Caller, route: Route): boolean {
  if (caller.appids === null) return true;
  return route.appid !== null && caller.appids.has(route.appid);
}

/** What a failure of the keeper becomes: the status, the body (no secret in either), the log's reason. */
function refusalFor(err: unknown): Refusal | null {
  if (err instanceof Refusal) return err;
  if (err instanceof UnknownAccountError) return new Refusal(404, { error: 'unknown_account', message: err.message }, 'unknown-account');
  if (err instanceof NotAuthorizedError || err instanceof NeedsReauthorizationError) {
    return new Refusal(410, { error: 'not_authorized', message: err.message }, 'not-authorized');
  }
  return null;
}

function failureFor(err: unknown): { status: number; body: Record<string, unknown>; detail: string } {
  if (err instanceof TicketUnavailableError) return { status: 503, body: { error: 'unavailable', message: err.message }, detail: err.message };
  if (err instanceof WeChatError) {
    return { status: 502, body: { error: 'wechat', errcode: err.errcode, message: err.message }, detail: err.message };
  }
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^(ER_|SQLITE_|ECONN|ETIMEDOUT|PROTOCOL_)/.test(code)) {
    return { status: 503, body: { error: 'unavailable', message: 'the database is unavailable' }, detail: code };
  }
  return { status: 500, body: { error: 'internal' }, detail: err instanceof Error ? err.message : String(err) };
}

export async function startTokenListener(deps: TokenListenerDeps, options: TokenListenerOptions): Promise<TokenListener> {
  const { logger } = deps;
  const ring = new KeyRing({ db: deps.db, clock: deps.clock, logger }, options.keys);
  let grants: Promise<TokenGrants> | undefined;
  const getGrants = (): Promise<TokenGrants> => {
    grants ??= deps.wechat().then(
      (client) => {
        // Its own keeper, reading in batches: every request reads the database, together.
        const store = new BatchedTokenStore(new TokenRepository(deps.db.knex, deps.clock), { concurrency: deps.db.dialect === 'mysql' ? 2 : 1 });
        return new TokenGrants({ db: deps.db, keeper: client.keeperWith(store) });
      },
      (err: unknown) => {
        grants = undefined;
        throw err;
      },
    );
    return grants;
  };
  let draining = false;

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      'cache-control': 'no-store',
      ...(draining ? { connection: 'close' } : {}),
      ...headers,
    });
    res.end(text);
  };

  async function answer(route: Route, caller: Caller, req: http.IncomingMessage, log: Record<string, unknown>): Promise<TokenGrant> {
    const g = await getGrants();
    switch (route.kind) {
      case 'component':
        return g.component();
      case 'account':
        return g.account(route.appid);
      case 'jsapi':
        return g.jsapiTicket(route.appid);
      case 'invalid': {
        const token = reportedToken(await readReport(req));
        const outcome = await g.reportInvalid(route.appid, token);
        // A refresh caused by a service is worth a line; the token is not.
        log.report = outcome.expired ? 'expired' : 'already-replaced';
        logger.info('token reported invalid', { key: caller.name, appid: route.appid, outcome: log.report });
        return outcome.grant;
      }
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const route = matchRoute(pathname);
    // Only what the route matched reaches the log: a path nobody routes is quoted and cut short.
    const where = route ? pathname : JSON.stringify(pathname.slice(0, 100));
    const log: Record<string, unknown> = {};
    let caller: Caller | null;
    try {
      if (!route) throw new Refusal(404, { error: 'not_found' }, 'no-route');
      if (method !== route.method) throw new Refusal(405, { error: 'method_not_allowed' }, 'method', { allow: route.method });
      if (route.appid) log.appid = route.appid;
      caller = await ring.authenticate(req.headers.authorization);
      if (!caller) throw new Refusal(401, UNAUTHORIZED, req.headers.authorization ? 'wrong-key' : 'no-key', { 'www-authenticate': 'Bearer' });
      log.key = caller.name;
      if (!allowed(caller, route)) {
        const message = route.appid ? `this key is not for ${route.appid}` : 'the component token needs a key for every account (made without --appid)';
        throw new Refusal(403, { error: 'forbidden', message }, 'out-of-scope');
      }
      const grant = await answer(route, caller, req, log);
      send(res, 200, servedToken(grant));
      logger.debug(`${method} ${where}`, { status: 200, ...log, ms: elapsed(started) });
    } catch (err) {
      if (!req.complete) req.resume();
      const refusal = refusalFor(err);
      if (refusal) {
        if (!res.headersSent) send(res, refusal.status, refusal.body, refusal.headers);
        logger.warn(`refused ${method} ${where}`, { status: refusal.status, ...log, reason: refusal.reason, ms: elapsed(started) });
        return;
      }
      const failure = failureFor(err);
      if (!res.headersSent) send(res, failure.status, failure.body);
      logger.error(`${method} ${where}`, { status: failure.status, ...log, error: failure.detail, ms: elapsed(started) });
    }
  }

  const server = http.createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    const refused = (err: NodeJS.ErrnoException) =>
      reject(new FailedError(`the token listener cannot listen on ${options.host}:${options.port} (${err.code ?? err.message})`, 'pick another HOST:PORT for WXPLAT_TOKENS_LISTEN'));
    server.once('error', refused);
    server.listen(options.port, options.host, () => {
      server.off('error', refused);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let stopped: Promise<void> | null = null;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    stop() {
      stopped ??= (async () => {
        draining = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const grace = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 15_000);
        await closed;
        clearTimeout(grace);
        await ring.flush();
      })();
      return stopped;
    },
  };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
