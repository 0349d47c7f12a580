// The control API: the Sandbox's methods over HTTP under /sandbox/…, JSON in and out, for a process
// that did not start the sandbox (the `wxplat sandbox` command's users, the demo, benchmarks).
// Misuse answers 4xx with {"error": "…"}; it never imitates a WeChat errcode.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SandboxError } from './errors.js';
import { param } from '../wechat/query.js';
import { readBody, sendJson, type PageHandler } from './server.js';
import type { Sandbox, UserMessageKind } from './index.js';

/** Follower lists can be long. */
const CONTROL_BODY_LIMIT = 64 << 20;

type Body = Record<string, unknown>;
type Handler = (body: Body, query: string, rest: string) => unknown;

export function controlApi(sandbox: Sandbox): PageHandler {
  const str = (body: Body, name: string): string => {
    const v = body[name];
    if (typeof v !== 'string' || v === '') throw new SandboxError(`${name} is required (a string)`);
    return v;
  };
  const optional = <T>(body: Body, name: string, type: 'string' | 'number'): T | undefined => {
    const v = body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== type) throw new SandboxError(`${name} must be a ${type}`);
    return v as T;
  };
  const int = (query: string, name: string, fallback: number): number => {
    const v = param(query, name);
    if (v === undefined || v === '') return fallback;
    if (!/^\d+$/.test(v)) throw new SandboxError(`${name} must be a whole number`);
    return Number(v);
  };

  const routes: Record<string, Handler> = {
    'GET /sandbox/state': () => sandbox.state(),

    'GET /sandbox/accounts': () => sandbox.accounts(),
    'GET /sandbox/accounts/': (_b, _q, appid) => sandbox.account(decodeURIComponent(appid)),
    'POST /sandbox/accounts': (body) =>
      sandbox.createAccount({
        appid: optional(body, 'appid', 'string'),
        nickname: optional(body, 'nickname', 'string'),
        serviceType: optional(body, 'serviceType', 'number'),
        verifyType: optional(body, 'verifyType', 'number'),
        funcIds: body.funcIds === undefined ? undefined : (body.funcIds as number[]),
        followers: optional(body, 'followers', 'number'),
        principalName: optional(body, 'principalName', 'string'),
        alias: optional(body, 'alias', 'string'),
        accountStatus: optional(body, 'accountStatus', 'number'),
      }),
    'POST /sandbox/accounts/status': (body) => {
      const status = body.accountStatus;
      if (typeof status !== 'number') throw new SandboxError('accountStatus is required (a number)');
      return sandbox.setAccountStatus(str(body, 'appid'), status);
    },

    'POST /sandbox/authorize': (body) =>
      sandbox.authorize({
        preAuthCode: str(body, 'preAuthCode'),
        appid: optional(body, 'appid', 'string'),
        redirectUri: optional(body, 'redirectUri', 'string'),
      }),
    'POST /sandbox/unauthorize': async (body) => {
      const appid = str(body, 'appid');
      await sandbox.unauthorize(appid);
      return sandbox.account(appid);
    },

    'GET /sandbox/tickets': () => ({ ticket: sandbox.latestTicket() ?? null }),
    'POST /sandbox/tickets': async () => ({ ticket: await sandbox.pushTicket() }),

    'GET /sandbox/faults': () => sandbox.faults.settings,
    'POST /sandbox/faults': (body) => sandbox.faults.set(body),
    'DELETE /sandbox/faults': () => sandbox.faults.clear(),

    'GET /sandbox/clock': () => ({ now: sandbox.now().toISOString() }),
    'POST /sandbox/clock': (body) => {
      const seconds = body.advanceSeconds;
      if (typeof seconds !== 'number') throw new SandboxError('advanceSeconds is required (a number)');
      return { now: sandbox.advanceClock(seconds).toISOString() };
    },

    'GET /sandbox/followers': (_b, query) => {
      const appid = param(query, 'appid');
      if (!appid) throw new SandboxError('appid is required');
      const openids = sandbox.followerOpenids(appid, int(query, 'offset', 0), int(query, 'limit', 100));
      return { appid, total: sandbox.account(appid).followers, openids };
    },
    'POST /sandbox/followers': (body) => {
      const appid = str(body, 'appid');
      if (Array.isArray(body.openids)) return sandbox.setFollowers(appid, body.openids as string[]);
      if (typeof body.count === 'number') return sandbox.setFollowers(appid, body.count);
      throw new SandboxError('give count (a number) or openids (a list)');
    },
    'POST /sandbox/unsubscribe': (body) => {
      sandbox.unsubscribe(str(body, 'appid'), str(body, 'openid'));
      return { ok: true };
    },
    // A follower sends a message or an event: {appid, kind, openid?, value?}; answers what the receiver did.
    'POST /sandbox/messages': (body) =>
      sandbox.userSends({
        appid: str(body, 'appid'),
        kind: str(body, 'kind') as UserMessageKind,
        openid: optional(body, 'openid', 'string'),
        value: optional(body, 'value', 'string'),
      }),
    // WeChat's release check begins (its test account authorized, a tester writing to it).
    'POST /sandbox/release-check': () => sandbox.releaseCheck(),
    'POST /sandbox/user-wrote': (body) => {
      sandbox.userWrote(str(body, 'appid'), str(body, 'openid'));
      return { ok: true };
    },
    'GET /sandbox/custom-messages': (_b, query) => sandbox.customMessages(param(query, 'appid') || undefined),
    'POST /sandbox/subscribe': (body) => {
      sandbox.subscribe(str(body, 'appid'), str(body, 'openid'));
      return { ok: true };
    },

    'POST /sandbox/recipients/fail': (body) => {
      if (!Array.isArray(body.openids)) throw new SandboxError('openids is required (a list)');
      const status = body.status === undefined ? undefined : (body.status as string | null);
      sandbox.failRecipients(str(body, 'appid'), body.openids as string[], status);
      return { ok: true };
    },
    'POST /sandbox/recipients/refuse': (body) => {
      const errcode = body.errcode === undefined ? undefined : (body.errcode as number | null);
      sandbox.refuseRecipient(str(body, 'appid'), str(body, 'openid'), errcode);
      return { ok: true };
    },

    'GET /sandbox/library': () => sandbox.libraryTemplates(),
    'POST /sandbox/library': (body) => sandbox.addLibraryTemplate(body as never),

    'GET /sandbox/log': () => sandbox.log.snapshot(),
    'GET /sandbox/log/deliveries': (_b, query) => {
      const appid = param(query, 'appid');
      const openid = param(query, 'openid');
      if (!appid) throw new SandboxError('appid is required');
      if (openid) return { appid, openid, deliveries: sandbox.log.deliveries(appid, openid) };
      return { appid, deliveries: sandbox.log.totalDeliveries(appid) };
    },
    'DELETE /sandbox/log': () => {
      sandbox.log.reset();
      return sandbox.log.snapshot();
    },

    'GET /sandbox/pushes': () => ({ ...sandbox.pushes.stats(), recent: sandbox.pushes.recent() }),
    'POST /sandbox/pushes/settled': async () => {
      await sandbox.pushes.settled();
      return sandbox.pushes.stats();
    },

    // Where `wxplat account authorize` sends the admin when the sandbox plays WeChat: the page a
    // platform would show after the authorization, saying what to do with it.
    'GET /sandbox/authorized': (_b, query) => ({
      authorized: param(query, 'auth_code') !== undefined,
      authCode: param(query, 'auth_code') ?? null,
      expiresIn: Number(param(query, 'expires_in') ?? 0) || null,
      next: 'with `wxplat serve` running, `wxplat account authorize` has ended with the account already; otherwise paste this page\'s address at its prompt',
    }),

    'GET /sandbox/callback': () => ({ callbackUrl: sandbox.callbackUrl ?? null }),
    'POST /sandbox/callback': (body) => {
      const url = body.url;
      if (url !== null && typeof url !== 'string') throw new SandboxError('url must be a string (an origin) or null');
      sandbox.callbackUrl = url ?? undefined;
      return { callbackUrl: sandbox.callbackUrl ?? null };
    },
  };

  const find = (method: string, path: string): { handler: Handler; rest: string } | undefined => {
    const exact = routes[`${method} ${path}`];
    if (exact) return { handler: exact, rest: '' };
    // One level of path parameter: /sandbox/accounts/<appid>.
    const slash = path.lastIndexOf('/');
    const prefix: Handler | undefined = routes[`${method} ${path.slice(0, slash + 1)}`];
    return prefix !== undefined && slash < path.length - 1 ? { handler: prefix, rest: path.slice(slash + 1) } : undefined;
  };

  return (req: IncomingMessage, res: ServerResponse, path: string, query: string) => {
    void (async () => {
      const method = req.method ?? 'GET';
      const match = find(method, path);
      if (!match) {
        req.resume();
        const known = Object.keys(routes).some((k) => k.endsWith(` ${path}`));
        return sendJson(res, known ? 405 : 404, { error: known ? `${method} is not allowed on ${path}` : `no control endpoint ${path}` });
      }
      let body: Body = {};
      try {
        const text = await readBody(req, CONTROL_BODY_LIMIT);
        if (text.trim() !== '') {
          const parsed: unknown = JSON.parse(text);
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SandboxError('the body must be a JSON object');
          body = parsed as Body;
        }
      } catch (err) {
        return sendJson(res, 400, { error: err instanceof SandboxError ? err.message : `the body is not JSON: ${(err as Error).message}` });
      }
      try {
        const result = await match.handler(body, query, match.rest);
        sendJson(res, method === 'POST' && path === '/sandbox/accounts' ? 201 : 200, result);
      } catch (err) {
        if (err instanceof SandboxError) sendJson(res, err.status, { error: err.message });
        else sendJson(res, 500, { error: `sandbox internal error: ${(err as Error)?.message ?? String(err)}` });
      }
    })();
  };
}
