// The HTTP side: one node:http server on loopback, keep-alive, routing by exact path. For a WeChat API
// path it applies what WeChat applies to every call — injected faults, the HTTP method, the token, the
// account's permission sets — then the endpoint's handler, counts the answer and sends it (after the
// configured latency). /sandbox/… is the control API; the authorization pages have their own paths;
// anything else is 404.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { ApiError, errorBody, RidMaker } from './errors.js';
import type { EndpointCounter } from './log.js';
import { param } from '../wechat/query.js';
import type { ApiRequest, Caller, Needs, Route, Sim } from './routes.js';
import type { Account } from './state.js';

export type PageHandler = (req: IncomingMessage, res: ServerResponse, path: string, query: string) => void;

export interface ServerParts {
  sim: Sim;
  routes: Record<string, Route>;
  /** /sandbox/… */
  control: PageHandler;
  /** /cgi-bin/componentloginpage and /safe/bindcomponent */
  authPage: PageHandler;
}

export const API_BODY_LIMIT = 1 << 20;
const AUTH_PAGES = new Set(['/cgi-bin/componentloginpage', '/safe/bindcomponent']);

interface Entry {
  route: Route;
  counter: EndpointCounter;
}

export function createSandboxServer(parts: ServerParts): http.Server {
  const { sim, control, authPage } = parts;
  const { world, faults, log } = sim;
  const rids = new RidMaker(() => world.random.uint32());
  const entries = new Map<string, Entry>();
  for (const [endpoint, route] of Object.entries(parts.routes)) entries.set(`/${endpoint}`, { route, counter: log.counter(endpoint) });

  const answer = (entry: Entry, endpoint: string, method: string | undefined, query: string, body: string, res: ServerResponse, started: number) => {
    const { route } = entry;
    let text: string;
    let errcode = 0;
    // Whom the call was made as, once its token is known: the rid of a failure is theirs to look up.
    let owner: string | null = route.auth === 'none' ? world.component.appid : null;
    try {
      if (faults.failNow()) throw new ApiError(-1);
      if (method !== route.method) throw new ApiError(route.method === 'GET' ? 43001 : 43002);
      const req: ApiRequest = { query, body };
      if (route.auth === 'account') {
        const account = world.accountForToken(param(query, 'access_token'));
        owner = account.appid;
        checkPermission(account, route.needs);
        text = route.handle(req, account);
        if (!route.uncounted) world.countCall(account.calls, endpoint);
      } else if (route.auth === 'caller') {
        const caller = callerOf(param(query, 'access_token'));
        owner = caller.kind === 'component' ? world.component.appid : caller.account.appid;
        text = route.handle(req, caller);
        if (!route.uncounted) world.countCall(caller.kind === 'component' ? world.componentCalls : caller.account.calls, endpoint);
      } else {
        if (route.auth === 'component') {
          world.checkComponentToken(param(query, 'component_access_token'));
          owner = world.component.appid;
        }
        text = route.handle(req);
        if (!route.uncounted) world.countCall(world.componentCalls, endpoint);
      }
    } catch (err) {
      if (!(err instanceof ApiError)) {
        // A bug in the sandbox, not a WeChat answer: say so loudly rather than imitate WeChat.
        log.record(entry.counter, 500);
        send(res, 500, 'text/plain; charset=utf-8', `sandbox internal error: ${(err as Error)?.message ?? String(err)}\n`, 0);
        process.stderr.write(`wxplat sandbox: internal error at ${res.req.url?.split('?')[0]}: ${(err as Error)?.stack ?? String(err)}\n`);
        return;
      }
      errcode = err.errcode;
      const rid = rids.make(world.time.seconds());
      text = errorBody(err.errcode, err.errmsg, rid);
      world.rids.add(rid, {
        owner,
        at: world.time.now(),
        costMs: Math.max(0, Date.now() - started),
        requestUrl: query,
        requestBody: body,
        responseBody: text,
        clientIp: res.req.socket.remoteAddress ?? '',
      });
    }
    log.record(entry.counter, errcode);
    // WeChat's own Content-Type spelling.
    send(res, 200, 'application/json; encoding=utf-8', text, faults.latencyMs);
  };

  /** The openApi endpoints take either token as access_token: the component's, or an account's. */
  const callerOf = (token: string | undefined): Caller => {
    if (world.isComponentToken(token)) {
      world.checkComponentToken(token);
      return { kind: 'component' };
    }
    return { kind: 'account', account: world.accountForToken(token) };
  };

  const server = http.createServer({ noDelay: true }, (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    const entry = entries.get(path);
    if (entry !== undefined) {
      const started = Date.now();
      const endpoint = path.slice(1);
      if (req.method === 'POST') {
        readBody(req, API_BODY_LIMIT).then(
          (body) => answer(entry, endpoint, req.method, query, body, res, started),
          () => send(res, 413, 'text/plain; charset=utf-8', 'request body too large\n', 0),
        );
      } else {
        req.resume();
        answer(entry, endpoint, req.method, query, '', res, started);
      }
      return;
    }
    if (path === '/sandbox' || path.startsWith('/sandbox/')) return control(req, res, path, query);
    if (AUTH_PAGES.has(path)) return authPage(req, res, path, query);
    req.resume();
    send(res, 404, 'text/plain; charset=utf-8', `no such endpoint: ${path}\n`, 0);
  });
  // Clients keep connections for a while between batches; do not drop them first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}

/**
 * Template APIs need permission set 7 (or 100-101) on a verified 服务号; follower APIs set 2 (or 100);
 * customer-service messages set 1 (wechat-api.md §1.10; the API pages list the sets, any one suffices);
 * the JS-SDK ticket names no set (`none`).
 */
function checkPermission(account: Account, needs: Needs): void {
  if (needs === 'none') return;
  const has = (...ids: number[]) => ids.some((id) => account.funcIds.includes(id));
  if (needs === 'template') {
    if (!has(7, 100, 101) || account.serviceType !== 2 || account.verifyType === -1) throw new ApiError(48001);
  } else if (needs === 'user') {
    if (!has(2, 100)) throw new ApiError(48001);
  } else if (!has(1)) {
    throw new ApiError(48001);
  }
}

export function send(res: ServerResponse, status: number, contentType: string, body: string, latencyMs: number): void {
  const write = () => {
    if (res.destroyed) return;
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
  if (latencyMs > 0) setTimeout(write, latencyMs);
  else write();
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`, 0);
}

/** The whole body as UTF-8; rejects (and stops reading) past `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let first: Buffer | undefined;
    let more: Buffer[] | undefined;
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new Error('body too large'));
        return;
      }
      if (first === undefined) first = chunk;
      else (more ??= [first]).push(chunk);
    });
    req.on('end', () => {
      if (size > limit) return;
      resolve(more ? Buffer.concat(more).toString('utf8') : first ? first.toString('utf8') : '');
    });
    req.on('error', reject);
  });
}
