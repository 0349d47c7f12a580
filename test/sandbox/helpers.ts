// Shared by the sandbox tests: a sandbox on a fixed clock, plain-fetch calls to it, a receiver that
// checks and decrypts pushes the way a platform must, and the authorization flow up to an authorizer
// token.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixedClock } from '../../src/clock.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { MessageCrypto } from '../../src/wechat/crypto.js';
import { parseFlatXml } from '../../src/wechat/xml.js';

export const COMPONENT = {
  appid: 'wx0123456789abcdef',
  appsecret: 'S3cr3tS3cr3tS3cr3tS3cr3tS3cr3t00',
  token: 'sandboxToken42',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

/** Beijing noon on the 15th: far from day and month boundaries. */
export const START = new Date('2024-03-15T04:00:00Z');

export interface Tap {
  teardown(fn: () => unknown): void;
}

export async function sandboxFor(t: Tap, options: Partial<SandboxOptions> = {}) {
  const clock = fixedClock(START);
  const sandbox = await startSandbox({ component: COMPONENT, clock, seed: 7, ...options });
  t.teardown(() => sandbox.close());
  return { sandbox, clock };
}

export interface Answer {
  status: number;
  text: string;
  body: any;
}

/** A WeChat call with plain fetch: POST when a body is given. */
export async function call(sandbox: Sandbox, path: string, query: Record<string, string> = {}, body?: unknown): Promise<Answer> {
  const qs = new URLSearchParams(query).toString();
  const res = await fetch(`${sandbox.url}/${path}${qs ? `?${qs}` : ''}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, text, body: parsed };
}

export async function componentToken(sandbox: Sandbox): Promise<string> {
  const ticket = await sandbox.pushTicket();
  const r = await call(sandbox, 'cgi-bin/component/api_component_token', {}, {
    component_appid: COMPONENT.appid,
    component_appsecret: COMPONENT.appsecret,
    component_verify_ticket: ticket,
  });
  return r.body.component_access_token;
}

export async function preAuthCode(sandbox: Sandbox, token: string): Promise<string> {
  const r = await call(sandbox, 'cgi-bin/component/api_create_preauthcode', { component_access_token: token }, { component_appid: COMPONENT.appid });
  return r.body.pre_auth_code;
}

/** An authorized account with an authorizer token, through the real endpoints. */
export async function authorizedAccount(sandbox: Sandbox, account: { appid?: string; followers?: number; funcIds?: number[]; serviceType?: number; verifyType?: number } = {}) {
  const component = await componentToken(sandbox);
  const made = sandbox.createAccount({ followers: 10, ...account });
  const code = await preAuthCode(sandbox, component);
  const { authCode } = await sandbox.authorize({ preAuthCode: code, appid: made.appid });
  const r = await call(sandbox, 'cgi-bin/component/api_query_auth', { component_access_token: component }, {
    component_appid: COMPONENT.appid,
    authorization_code: authCode,
  });
  const info = r.body.authorization_info;
  return {
    appid: made.appid,
    userName: made.userName,
    componentToken: component,
    accessToken: info.authorizer_access_token as string,
    refreshToken: info.authorizer_refresh_token as string,
  };
}

/** After the clock has moved past expiry: a new ticket and component token, then a new access token. */
export async function refreshedAccessToken(sandbox: Sandbox, account: { appid: string; refreshToken: string }): Promise<string> {
  const component = await componentToken(sandbox);
  const r = await call(sandbox, 'cgi-bin/component/api_authorizer_token', { component_access_token: component }, {
    component_appid: COMPONENT.appid,
    authorizer_appid: account.appid,
    authorizer_refresh_token: account.refreshToken,
  });
  return r.body.authorizer_access_token;
}

/** Sets two industries and adds one template of industry 1 (43568: 订单编号, 支付金额, 支付时间). */
export async function accountWithTemplate(sandbox: Sandbox, account: Parameters<typeof authorizedAccount>[1] = {}) {
  const a = await authorizedAccount(sandbox, account);
  await call(sandbox, 'cgi-bin/template/api_set_industry', { access_token: a.accessToken }, { industry_id1: '1', industry_id2: '2' });
  const added = await call(sandbox, 'cgi-bin/template/api_add_template', { access_token: a.accessToken }, {
    template_id_short: '43568',
    keyword_name_list: ['订单编号', '支付金额', '支付时间'],
  });
  return { ...a, templateId: added.body.template_id as string };
}

export interface ReceivedPush {
  path: string;
  query: URLSearchParams;
  raw: string;
  envelope: Record<string, string>;
  /** The decrypted event's fields. */
  event: Record<string, string>;
  /** The decrypted XML text. */
  plaintext: string;
  receiveId: string;
}

/**
 * A platform's callback receiver: checks signature and msg_signature, decrypts with the component's
 * key, and answers `success` unless `answer` says otherwise (null = never answer).
 */
export async function startReceiver(t: Tap, answer: (attempt: number, push: ReceivedPush) => string | null = () => 'success') {
  const crypto = new MessageCrypto({ token: COMPONENT.token, encodingAesKey: COMPONENT.encodingAesKey, receiveId: COMPONENT.appid });
  const pushes: ReceivedPush[] = [];
  const problems: string[] = [];
  let attempts = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      attempts++;
      const url = new URL(req.url ?? '/', 'http://receiver');
      const q = url.searchParams;
      try {
        const envelope = parseFlatXml(raw);
        crypto.verifySignature(q.get('signature') ?? '', q.get('timestamp') ?? '', q.get('nonce') ?? '');
        crypto.verifyMsgSignature(q.get('msg_signature') ?? '', q.get('timestamp') ?? '', q.get('nonce') ?? '', envelope.Encrypt ?? '');
        const { message, receiveId } = crypto.decrypt(envelope.Encrypt ?? '');
        const push: ReceivedPush = { path: url.pathname, query: q, raw, envelope, event: parseFlatXml(message), plaintext: message, receiveId };
        pushes.push(push);
        const reply = answer(attempts, push);
        if (reply === null) return; // leave the request hanging
        res.end(reply);
      } catch (err) {
        problems.push((err as Error).message);
        res.statusCode = 400;
        res.end('bad');
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    url,
    pushes,
    problems,
    get attempts() {
      return attempts;
    },
    of(kind: string): ReceivedPush[] {
      return pushes.filter((p) => p.event.InfoType === kind || p.event.Event === kind);
    },
  };
}
