// The HTTP side of the receiver (node's own http): the routes of DESIGN §4, the 64 KiB limit, one log
// line per request (method, path, appid, type, outcome, milliseconds — never a secret or message
// content). An accepted request is answered `success` only after the inbox has committed it.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../../clock.js';
import type { InboxRoute } from '../../db/rows.js';
import type { Logger } from '../../logger.js';
import type { MessageCrypto } from '../../wechat/crypto.js';
import { queryParams } from '../../wechat/query.js';
import { buildXml } from '../../wechat/xml.js';
import type { ForwardingFront } from '../forwarding/front.js';
import type { PushKind } from '../forwarding/rules.js';
import type { CallbackAccounts } from './accounts.js';
import { RELEASE_CHECK_ACCOUNTS, isReleaseCheckAccount, releaseCheckAnswer, type ReleaseCheckAnswer } from './release-check.js';
import { describeMessage } from './message.js';
import { CallbackRejectedError, MAX_BODY_BYTES, verifyCallback, verifyEcho } from './verify.js';
import type { InboxWriter } from './writer.js';

export interface HealthReport {
  ok: boolean;
  body: Record<string, unknown>;
}

export interface ReceiverOptions {
  crypto: MessageCrypto;
  maxSkewSeconds: number;
  clock: Clock;
  logger: Logger;
  writer: InboxWriter;
  /** The authorized accounts: an account push is stored only for one of them. */
  accounts: CallbackAccounts;
  /** Which forwarding rules take a push, and the reply of a reply rule. */
  forwarding?: ForwardingFront;
  health: () => Promise<HealthReport>;
  /** How long after its last callback request the receiver still counts as receiving (RECEIVING_GAP_MS). */
  receivingGapMs?: number;
}

export interface Receiver {
  server: http.Server;
  /** Answers from now on close their connection (the server is stopping). */
  drain(): void;
  /** Callback requests being handled right now (health probes are not counted). */
  readonly inFlight: number;
  /**
   * A request is being handled, or one ended less than RECEIVING_GAP_MS ago. Group commit answers a
   * batch of requests at once, so `inFlight` drops to 0 between a batch's answers and the requests that
   * follow them, many times a second under load: work that should wait for a burst to end looks here.
   */
  receiving(): boolean;
}

/** How long after its last request the receiver still counts as busy. */
export const RECEIVING_GAP_MS = 50;

type Route = { kind: 'health' } | { kind: InboxRoute; appid: string | null };

const ACCOUNT_PATH = /^\/wechat\/accounts\/([A-Za-z0-9_-]{1,32})\/?$/;

function matchRoute(pathname: string): Route | null {
  if (pathname === '/healthz') return { kind: 'health' };
  if (pathname === '/wechat/component' || pathname === '/wechat/component/') return { kind: 'component', appid: null };
  const m = ACCOUNT_PATH.exec(pathname);
  return m ? { kind: 'account', appid: m[1] } : null;
}

class TooLargeError extends Error {}

/** The client went away before the whole body arrived: nothing to answer, and not our fault. */
class ClientAbortedError extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new TooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const aborted = () => reject(new ClientAbortedError());
    req.on('aborted', aborted);
    req.on('close', () => {
      if (!req.complete) aborted();
    });
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        reject(new TooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || req.destroyed) aborted();
      else reject(err);
    });
  });
}

/** A passive reply as WeChat takes it from a third-party platform: encrypted and signed (safe mode). */
export function sealReply(crypto: MessageCrypto, replyXml: string, now: Date): string {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const nonce = String(Math.floor(Math.random() * 9e9) + 1e9);
  const { encrypt, msgSignature } = crypto.sealEnvelope(replyXml, timestamp, nonce);
  return buildXml({ Encrypt: encrypt, MsgSignature: msgSignature, TimeStamp: BigInt(timestamp), Nonce: nonce });
}

export function createReceiver(o: ReceiverOptions): Receiver {
  let draining = false;
  let inFlight = 0;
  let lastEnded = -Infinity;
  const gapMs = o.receivingGapMs ?? RECEIVING_GAP_MS;

  const send = (res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    const type = body.startsWith('{') ? 'application/json' : 'text/plain; charset=utf-8';
    res.writeHead(status, {
      'content-type': type,
      'content-length': String(Buffer.byteLength(body)),
      // An echostr is the caller's text: no browser may take it for anything but what it says it is.
      'x-content-type-options': 'nosniff',
      ...(draining ? { connection: 'close' } : {}),
      ...headers,
    });
    res.end(body);
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const search = q < 0 ? '' : url.slice(q + 1);
    const log: Record<string, unknown> = {};
    let status = 500;
    /** Set where the status alone does not say how loud the line is. */
    let level: 'info' | 'warn' | 'error' | undefined;

    const finish = (code: number, body: string, outcome: string, headers?: Record<string, string>) => {
      status = code;
      log.outcome = outcome;
      send(res, code, body, headers);
    };

    try {
      const route = matchRoute(pathname);
      if (!route) {
        finish(404, 'not found\n', 'not-found');
      } else if (route.kind === 'health') {
        if (method !== 'GET' && method !== 'HEAD') finish(405, 'method not allowed\n', 'method', { allow: 'GET, HEAD' });
        else {
          const report = await o.health();
          const ok = report.ok && !draining;
          finish(ok ? 200 : 503, `${JSON.stringify({ ...report.body, status: draining ? 'stopping' : report.body.status })}\n`, ok ? 'ok' : 'unhealthy');
        }
      } else {
        log.appid = route.appid ?? undefined;
        const checks = { crypto: o.crypto, maxSkewSeconds: o.maxSkewSeconds, now: o.clock.now() };
        if (method === 'GET') {
          const echo = verifyEcho(queryParams(search), checks);
          finish(200, echo, 'echo');
        } else if (method === 'POST') {
          const body = await readBody(req, MAX_BODY_BYTES);
          const verified = verifyCallback(queryParams(search), body, checks);
          // WeChat's release-check accounts are answered here, by serve itself (release-check.ts).
          const testUserName = route.kind === 'account' ? RELEASE_CHECK_ACCOUNTS.get(route.appid!) : undefined;
          let releaseCheck: ReleaseCheckAnswer | null = null;
          if (testUserName !== undefined) {
            if (verified.fields.ToUserName !== testUserName) {
              throw new CallbackRejectedError('to-user', `the message is for ${verified.fields.ToUserName ?? '(no ToUserName)'}, not this URL's account ${testUserName}`);
            }
            releaseCheck = releaseCheckAnswer(verified.fields, checks.now);
          } else if (route.kind === 'account') {
            let account;
            try {
              account = await o.accounts.get(route.appid!);
            } catch (err) {
              log.error = (err as { code?: string }).code ?? (err as Error).message;
              finish(503, 'inbox unavailable\n', 'db-error');
              return;
            }
            if (!account) {
              // Signed by WeChat but for no account of ours: `success`, so that WeChat does not retry a
              // push nobody will process; the log line says so.
              level = 'warn';
              finish(200, 'success', 'ignored:unknown-account');
              return;
            }
            if (verified.fields.ToUserName !== account.originalId) {
              throw new CallbackRejectedError(
                'to-user',
                account.originalId
                  ? `the message is for ${verified.fields.ToUserName ?? '(no ToUserName)'}, not this URL's account ${account.originalId}`
                  : `account ${route.appid} has no original id on record (run wxplat account refresh ${route.appid})`,
              );
            }
          }
          const { fields } = verified;
          const message = describeMessage(route.kind, route.appid, fields, checks.now);
          log.type = message.eventType;
          if (route.kind === 'component') log.appid = message.appid ?? undefined;
          const kind: PushKind =
            route.kind === 'account'
              ? { route: 'account', appid: route.appid, msgType: fields.MsgType, event: fields.Event }
              : { route: 'component', appid: message.appid, infoType: fields.InfoType };
          let stored;
          try {
            stored = await o.writer.submit({
              dedupeKey: message.dedupeKey,
              route: route.kind,
              appid: message.appid,
              eventType: message.eventType,
              messageTime: message.messageTime,
              openid: route.kind === 'account' ? (fields.FromUserName ?? null) : null,
              decryptedXml: verified.xml,
              forwardRules: releaseCheck || isReleaseCheckAccount(message.appid) ? null : (o.forwarding?.asyncRules(kind) ?? null),
            });
          } catch (err) {
            log.error = (err as { code?: string }).code ?? (err as Error).message;
            // Not stored, so not acknowledged: WeChat will send it again.
            finish(503, 'inbox unavailable\n', 'db-error');
            return;
          }
          log.id = stored.id;
          const outcome = stored.duplicate ? 'duplicate' : 'stored';
          if (releaseCheck) {
            log.reply = `release-check:${releaseCheck.kind}`;
            if (releaseCheck.kind === 'reply') finish(200, sealReply(o.crypto, releaseCheck.xml, o.clock.now()), outcome, { 'content-type': 'application/xml; charset=utf-8' });
            // An empty answer: "no reply now"; the customer-service message follows from the inbox.
            else if (releaseCheck.kind === 'empty') finish(200, '', outcome);
            else finish(200, 'success', outcome);
            return;
          }
          const replying = route.kind === 'account' ? o.forwarding?.reply({ kind, inboxId: stored.id, appid: route.appid!, xml: verified.xml, fields, now: checks.now }) : null;
          if (replying) {
            const answer = await replying;
            log.reply = answer.outcome;
            if (answer.reply) {
              finish(200, sealReply(o.crypto, answer.reply, o.clock.now()), outcome, { 'content-type': 'application/xml; charset=utf-8' });
              return;
            }
          }
          finish(200, 'success', outcome);
        } else {
          finish(405, 'method not allowed\n', 'method', { allow: 'GET, POST' });
        }
      }
    } catch (err) {
      if (err instanceof ClientAbortedError) {
        // Logged as what it is, not as a server error: alerting watches for those.
        status = 499;
        log.outcome = 'aborted-by-client';
        res.destroy();
      } else if (err instanceof TooLargeError) {
        // Stop reading a body we refuse: answer, then close the connection.
        res.once('finish', () => req.socket.destroy());
        finish(413, `body over ${MAX_BODY_BYTES} bytes\n`, 'rejected:too-large', { connection: 'close' });
      } else if (err instanceof CallbackRejectedError) {
        log.detail = err.message;
        level = 'warn';
        finish(err.status, `rejected: ${err.reason}\n`, `rejected:${err.reason}`);
      } else {
        log.error = err instanceof Error ? err.message : String(err);
        if (!res.headersSent) finish(500, 'internal error\n', 'error');
      }
    } finally {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      const path = pathname.length > 200 ? `${pathname.slice(0, 200)}…` : pathname;
      const fields = { status, ...log, ms };
      const loudness = level ?? (status >= 500 ? 'error' : 'info');
      o.logger[loudness](`${method} ${path}`, fields);
    }
  }

  const server = http.createServer((req, res) => {
    // Health probes (a load balancer's, every second or so) are not callbacks: they must not make the
    // processor and the forwarder wait as if a burst were being received.
    if (!req.url?.startsWith('/healthz')) {
      inFlight++;
      res.once('close', () => {
        inFlight--;
        lastEnded = performance.now();
      });
    }
    void handle(req, res);
  });
  server.keepAliveTimeout = 30_000;
  return {
    server,
    drain() {
      draining = true;
    },
    get inFlight() {
      return inFlight;
    },
    receiving() {
      return inFlight > 0 || performance.now() - lastEnded < gapMs;
    },
  };
}
