// What the callback tests share: a component's keys, requests signed and encrypted the way WeChat
// makes them (built here with MessageCrypto, independently of `events trigger`), a small stand-in for
// the WeChat API endpoints an authorization needs, and a receiver started on a test database.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Test } from 'tap';
import { fixedClock } from '../../../src/clock.js';
import { startServe, type RunningServe, type ServeOptions } from '../../../src/core/callbacks/service.js';
import type { Database } from '../../../src/db/database.js';
import type { Logger } from '../../../src/logger.js';
import { TokenRepository } from '../../../src/db/repositories/tokens.js';
import { WeChatClient } from '../../../src/wechat/client.js';
import { MessageCrypto } from '../../../src/wechat/crypto.js';
import { buildXml } from '../../../src/wechat/xml.js';

export const COMPONENT = {
  appid: 'wx1234567890abcdef',
  appsecret: '0123456789abcdef0123456789abcdef',
  token: 'pamtest',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

export const ACCOUNT_APPID = 'wxf8b4f85f3a794e77';
/** The original id (ToUserName) of ACCOUNT_APPID, as api_get_authorizer_info's fixture gives it. */
export const ACCOUNT_ORIGINAL_ID = 'gh_eb5e3a772040';

/**
 * An authorized account row, as an authorization leaves it: the receiver stores an account's pushes only
 * for an authorized account, and only when their ToUserName is its original id.
 */
export async function addAccount(db: Database, appid = ACCOUNT_APPID, originalId = ACCOUNT_ORIGINAL_ID): Promise<number> {
  const stamp = new Date().toISOString().slice(0, 19).replace('T', ' ');
  const [id] = await db.knex('official_accounts').insert({ appid, original_id: originalId, nickname: `account ${appid}`, status: 1, created_at: stamp, updated_at: stamp });
  return Number(id);
}

export const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');

export function componentCrypto(keys = COMPONENT): MessageCrypto {
  return new MessageCrypto({ token: keys.token, encodingAesKey: keys.encodingAesKey, receiveId: keys.appid });
}

export interface SignedRequest {
  path: string;
  query: URLSearchParams;
  body: string;
}

export interface SignOptions {
  /** Unix seconds of the request (default: now of the clock given to `at`). */
  timestamp?: number;
  nonce?: string;
  /** Encrypt for another appid (the receive id). */
  receiveId?: string;
  /** The envelope's ToUserName (default: the account's original id). */
  toUserName?: string;
  keys?: typeof COMPONENT;
  openid?: string;
}

/** The XML of an event: numbers bare, text in CDATA, as WeChat writes it. */
export function eventXml(fields: Record<string, string | number | bigint>): string {
  return buildXml(fields);
}

/** A POST exactly as WeChat sends it in safe mode. */
export function signedPost(path: string, xml: string, options: SignOptions & { now: Date }): SignedRequest {
  const keys = options.keys ?? COMPONENT;
  const crypto = new MessageCrypto({
    token: keys.token,
    encodingAesKey: keys.encodingAesKey,
    receiveId: options.receiveId ?? keys.appid,
  });
  const timestamp = String(options.timestamp ?? Math.floor(options.now.getTime() / 1000));
  const nonce = options.nonce ?? String(randomInt(100_000_000, 2_000_000_000));
  const { encrypt, msgSignature } = crypto.sealEnvelope(xml, timestamp, nonce);
  const query = new URLSearchParams({ signature: crypto.signature(timestamp, nonce), timestamp, nonce });
  if (options.openid) query.set('openid', options.openid);
  query.set('encrypt_type', 'aes');
  query.set('msg_signature', msgSignature);
  const body = path === '/wechat/component'
    ? buildXml({ AppId: keys.appid, Encrypt: encrypt })
    : buildXml({ ToUserName: options.toUserName ?? ACCOUNT_ORIGINAL_ID, Encrypt: encrypt });
  return { path, query, body };
}

export interface Answer {
  status: number;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function post(base: string, req: SignedRequest, method = 'POST'): Promise<Answer> {
  return request(`${base}${req.path}?${req.query}`, method, req.body);
}

export function request(url: string, method: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const r = http.request(url, { method, agent, headers: { 'content-type': 'text/xml', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    r.on('error', reject);
    if (body !== undefined) r.end(body);
    else r.end();
  });
}

export function ticketXml(now: Date, ticket = `ticket@@@${randomBytes(12).toString('hex')}`): string {
  return eventXml({
    AppId: COMPONENT.appid,
    CreateTime: BigInt(Math.floor(now.getTime() / 1000)),
    InfoType: 'component_verify_ticket',
    ComponentVerifyTicket: ticket,
  });
}

export function receiptXml(now: Date, msgId: string, status = 'success', openid = 'oia2TjuEGTNoeX76QEjQNrcURxG8'): string {
  return eventXml({
    ToUserName: 'gh_eb5e3a772040',
    FromUserName: openid,
    CreateTime: BigInt(Math.floor(now.getTime() / 1000)),
    MsgType: 'event',
    Event: 'TEMPLATESENDJOBFINISH',
    MsgID: BigInt(msgId),
    Status: status,
  });
}

export function subscriptionXml(now: Date, event: 'subscribe' | 'unsubscribe', openid: string): string {
  return eventXml({
    ToUserName: 'gh_eb5e3a772040',
    FromUserName: openid,
    CreateTime: BigInt(Math.floor(now.getTime() / 1000)),
    MsgType: 'event',
    Event: event,
    EventKey: '',
  });
}

export function authorizationXml(now: Date, infoType: 'authorized' | 'updateauthorized', appid: string, code: string): string {
  const t = Math.floor(now.getTime() / 1000);
  return eventXml({
    AppId: COMPONENT.appid,
    CreateTime: BigInt(t),
    InfoType: infoType,
    AuthorizerAppid: appid,
    AuthorizationCode: code,
    AuthorizationCodeExpiredTime: BigInt(t + 3600),
    PreAuthCode: 'preauthcode@@@test',
  });
}

export function unauthorizedXml(now: Date, appid: string): string {
  return eventXml({
    AppId: COMPONENT.appid,
    CreateTime: BigInt(Math.floor(now.getTime() / 1000)),
    InfoType: 'unauthorized',
    AuthorizerAppid: appid,
  });
}

/** A logger that keeps its lines, for assertions on what was logged. */
export function memoryLogger(): Logger & { lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, fields: Record<string, unknown> = {}) => lines.push({ level, message, fields });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

// --- a stand-in for the WeChat API endpoints an authorization uses ---

export interface FakeWeChat {
  url: string;
  calls: Record<string, number>;
  /** Authorization codes api_query_auth accepts (each once), and the appid each stands for. */
  codes: Map<string, string>;
  /** What api_get_authorizer_list lists: appid → refresh token. */
  listed: Map<string, string>;
  /** Makes the next calls of an endpoint fail with this errcode. */
  failNext(endpoint: string, errcode: number, times?: number): void;
  close(): Promise<void>;
}

export async function startFakeWeChat(t: Test): Promise<FakeWeChat> {
  const calls: Record<string, number> = {};
  const codes = new Map<string, string>();
  const listed = new Map<string, string>();
  const failures = new Map<string, { errcode: number; times: number }>();
  const info = JSON.parse(fixture('cgi-bin_component_api_get_authorizer_info.official_account.easyswoole.json'));
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const endpoint = (req.url ?? '').split('?')[0].replace(/^\//, '');
      calls[endpoint] = (calls[endpoint] ?? 0) + 1;
      const body = raw ? JSON.parse(raw) : {};
      const answer = (value: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const failure = failures.get(endpoint);
      if (failure && failure.times > 0) {
        failure.times--;
        return answer({ errcode: failure.errcode, errmsg: `injected ${failure.errcode}` });
      }
      switch (endpoint) {
        case 'cgi-bin/component/api_component_token':
          if (!String(body.component_verify_ticket ?? '').startsWith('ticket@@@')) return answer({ errcode: 61006, errmsg: 'invalid ticket' });
          return answer({ component_access_token: `ctoken-${randomBytes(8).toString('hex')}`, expires_in: 7200 });
        case 'cgi-bin/component/api_query_auth': {
          const appid = codes.get(body.authorization_code);
          if (!appid) return answer({ errcode: 61009, errmsg: 'code is invalid' });
          codes.delete(body.authorization_code);
          const refresh = `refreshtoken@@@${randomBytes(8).toString('hex')}`;
          listed.set(appid, refresh);
          return answer({
            authorization_info: {
              authorizer_appid: appid,
              authorizer_access_token: `atoken-${randomBytes(8).toString('hex')}`,
              expires_in: 7200,
              authorizer_refresh_token: refresh,
              func_info: [{ funcscope_category: { id: 1 } }, { funcscope_category: { id: 7 } }],
            },
          });
        }
        case 'cgi-bin/component/api_get_authorizer_info':
          return answer({ ...info, authorization_info: { ...info.authorization_info, authorizer_appid: body.authorizer_appid } });
        case 'cgi-bin/component/api_get_authorizer_list': {
          const list = [...listed].map(([appid, refresh]) => ({ authorizer_appid: appid, refresh_token: refresh, auth_time: 1 }));
          return answer({ total_count: list.length, list: list.slice(body.offset ?? 0, (body.offset ?? 0) + (body.count ?? 500)) });
        }
        case 'cgi-bin/component/api_authorizer_token':
          return answer({
            authorizer_access_token: `atoken-${randomBytes(8).toString('hex')}`,
            expires_in: 7200,
            authorizer_refresh_token: body.authorizer_refresh_token,
          });
        default:
          res.writeHead(404);
          res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  t.teardown(close);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    codes,
    listed,
    failNext(endpoint, errcode, times = 1) {
      failures.set(endpoint, { errcode, times });
    },
    close,
  };
}

export function wechatFor(db: Database, apiBase: string, clock = fixedClock(new Date())): () => Promise<WeChatClient> {
  let client: WeChatClient | undefined;
  return async () =>
    (client ??= new WeChatClient({
      apiBase,
      component: { appid: COMPONENT.appid, appsecret: COMPONENT.appsecret },
      store: new TokenRepository(db.knex, clock),
      clock,
      retry: { policy: { transientRetries: 0, baseDelayMs: 1, maxDelayMs: 1, frequencyDelayMs: 1 } },
    }));
}

export interface TestServe extends RunningServe {
  clock: ReturnType<typeof fixedClock>;
  logger: ReturnType<typeof memoryLogger>;
}

/** A receiver on 127.0.0.1 with a free port, over `db`; stopped at teardown. */
export async function serveFor(
  t: Test,
  db: Database,
  options: Partial<ServeOptions> & { apiBase?: string; clock?: ReturnType<typeof fixedClock> } = {},
): Promise<TestServe> {
  const clock = options.clock ?? fixedClock(new Date());
  const logger = memoryLogger();
  const running = await startServe(
    { db, wechat: wechatFor(db, options.apiBase ?? 'http://127.0.0.1:9', clock), clock, logger },
    {
      host: '127.0.0.1',
      port: 0,
      component: { appid: COMPONENT.appid, token: COMPONENT.token, encodingAesKey: COMPONENT.encodingAesKey },
      maxSkewSeconds: 300,
      ...options,
    },
  );
  t.teardown(() => running.stop());
  return { ...running, clock, logger };
}

export { until } from '../../helpers/wait.js';
