// One POST to a forwarding target: keep-alive connections (a target gets thousands of pushes), a
// timeout over the whole exchange, and at most 64 KiB of the answer read — a target's answer is kept
// only to report what went wrong (the first 200 characters) or, for a reply rule, to be the reply.
//
// The request is written as one buffer on a pooled connection (net, or tls for https) and the answer
// read by http-response.ts, not through node:http's client, which cost about three times the CPU a
// request (bench/forward, where `serve` forwards one request a push). A kept connection is closed
// after IDLE_MS unused, before most servers close theirs (node's after 5 s), and one that ends or fails
// before any byte of the answer — most likely closed by the target while idle, before it read the
// request — has its request sent once more, on a new connection. The target may rarely have read it
// (it died while answering): forwarding is at least once, and the event id lets the target dedupe.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { ResponseReader } from './http-response.js';

export const MAX_ANSWER_BYTES = 64 * 1024;
/** How long a kept connection may wait for its next request, unless told otherwise. */
const IDLE_MS = 4_000;
const CLOSED = 'the forwarding client is closed';
/** HTTP's token characters (a header's name) and what a header's value may hold (RFC 9110). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export interface PostResult {
  /** The HTTP status, or null when there was none (refused, timed out, cut off). */
  status: number | null;
  /** The answer, up to MAX_ANSWER_BYTES (`truncated` when there was more). */
  body: string;
  truncated: boolean;
  /** What went wrong before a status came: `timeout`, `ECONNREFUSED`, …  */
  error: string | null;
  ms: number;
}

export interface Poster {
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<PostResult>;
  close(): void;
}

export interface PosterOptions {
  /** Connections open at most to one target host. */
  maxSockets?: number;
  /** For https targets: CAs to trust besides the system's (tests use a CA of their own). */
  ca?: string | Buffer;
  /** How long a kept connection may wait for its next request (IDLE_MS). */
  idleMs?: number;
}

/** What one request in flight is told by its connection. */
interface Exchange {
  data(chunk: Buffer): void;
  /** The connection ended or failed (`code`: why, when known). */
  lost(code: string | null): void;
}

/** A request waiting for a connection. */
interface Waiter {
  give(c: Connection, reused: boolean): void;
  fail(error: string): void;
}

/** One target host (scheme, host, port): its open connections and the requests waiting for one. */
interface Origin {
  secure: boolean;
  host: string;
  port: number;
  idle: Connection[];
  open: number;
  waiting: Waiter[];
}

class Connection {
  exchange: Exchange | null = null;
  closed = false;

  constructor(
    readonly socket: net.Socket,
    readonly origin: Origin,
    onClose: (c: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    socket.on('data', (chunk: Buffer) => {
      if (this.exchange) this.exchange.data(chunk);
      else socket.destroy(); // bytes nobody asked for
    });
    socket.on('end', () => this.lose(null));
    // Only an idle connection has a timeout set (IDLE_MS).
    socket.on('timeout', () => {
      if (!this.exchange) socket.destroy();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => this.lose(err.code ?? err.message));
    socket.on('close', () => {
      this.closed = true;
      this.lose(null);
      onClose(this);
    });
  }

  private lose(code: string | null): void {
    const e = this.exchange;
    this.exchange = null;
    e?.lost(code);
  }
}

interface Target {
  origin: Origin;
  /** The request's head up to the headers of each request (method, path, Host, credentials). */
  start: string;
}

/** Parsed targets, by URL (a rule's target with its appid: a few hundred at most in practice). */
const MAX_TARGETS = 1000;

export function createPoster(o: PosterOptions = {}): Poster {
  const maxSockets = o.maxSockets ?? 64;
  const ca = o.ca ? [...tls.rootCertificates, String(o.ca)] : undefined;
  const idleMs = o.idleMs ?? IDLE_MS;
  const origins = new Map<string, Origin>();
  const targets = new Map<string, Target>();
  const connections = new Set<Connection>();
  let closed = false;

  const connect = (origin: Origin): Connection => {
    const socket = origin.secure
      ? tls.connect({ host: origin.host, port: origin.port, servername: net.isIP(origin.host) ? undefined : origin.host, ALPNProtocols: ['http/1.1'], ca })
      : net.connect({ host: origin.host, port: origin.port });
    const c = new Connection(socket, origin, (gone) => {
      connections.delete(gone);
      const i = origin.idle.indexOf(gone);
      if (i >= 0) origin.idle.splice(i, 1);
      origin.open--;
      // A place is free: a waiting request gets a new connection.
      const next = origin.waiting.shift();
      if (next) {
        origin.open++;
        next.give(connect(origin), false);
      }
    });
    connections.add(c);
    return c;
  };

  /** A connection for a request: a kept one (unless `fresh`), a new one, or the next one released. */
  const take = (origin: Origin, waiter: Waiter, fresh: boolean): void => {
    if (closed) return waiter.fail(CLOSED);
    const c = fresh ? undefined : origin.idle.pop();
    if (c) {
      c.socket.setTimeout(0);
      c.socket.ref();
      waiter.give(c, true);
    } else if (origin.open < maxSockets) {
      origin.open++;
      waiter.give(connect(origin), false);
    } else origin.waiting.push(waiter);
  };

  /** A request is done with a connection it may leave open: the next waiting request, or the idle pool. */
  const release = (c: Connection): void => {
    if (c.closed) return;
    if (closed) return void c.socket.destroy();
    const next = c.origin.waiting.shift();
    if (next) return next.give(c, true);
    // Idle connections do not keep the process alive, and are closed before the target tires of them.
    c.socket.unref();
    c.socket.setTimeout(idleMs);
    c.origin.idle.push(c);
  };

  const targetOf = (url: string): Target | string => {
    let t = targets.get(url);
    if (t) return t;
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return 'bad URL';
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'bad URL';
    const secure = u.protocol === 'https:';
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    const port = Number(u.port || (secure ? 443 : 80));
    const key = `${u.protocol}//${host}:${port}`;
    let origin = origins.get(key);
    if (!origin) origins.set(key, (origin = { secure, host, port, idle: [], open: 0, waiting: [] }));
    let start = `POST ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: keep-alive\r\n`;
    if (u.username || u.password) {
      let credentials: string;
      try {
        credentials = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
      } catch {
        return 'bad URL';
      }
      start += `Authorization: Basic ${credentials}\r\n`;
    }
    if (targets.size >= MAX_TARGETS) targets.clear();
    targets.set(url, (t = { origin, start }));
    return t;
  };

  return {
    post(url, headers, body, timeoutMs) {
      const started = performance.now();
      return new Promise((resolve) => {
        let settled = false;
        let current: Connection | null = null;
        let waiter: Waiter | null = null;
        let timer: NodeJS.Timeout | undefined;
        const done = (r: Omit<PostResult, 'ms'>) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ ...r, ms: Math.round(performance.now() - started) });
        };
        const failed = (error: string) => done({ status: null, body: '', truncated: false, error });
        if (closed) return failed(CLOSED);
        const target = targetOf(url);
        if (typeof target === 'string') return failed(target);
        let head = target.start;
        for (const name of Object.keys(headers)) {
          const value = headers[name];
          // The head is written as latin1: a character past U+00FF would lose its high byte (U+010A → LF).
          if (!HEADER_NAME.test(name) || !HEADER_VALUE.test(value)) return failed(`header ${HEADER_NAME.test(name) ? name : '(a bad name)'} is not valid in HTTP`);
          head += `${name}: ${value}\r\n`;
        }
        const payload = Buffer.from(body, 'utf8');
        const request = Buffer.concat([Buffer.from(`${head}Content-Length: ${payload.length}\r\n\r\n`, 'latin1'), payload]);

        timer = setTimeout(() => {
          if (waiter) {
            const queue = target.origin.waiting;
            const i = queue.indexOf(waiter);
            if (i >= 0) queue.splice(i, 1);
          }
          current?.socket.destroy();
          failed(`timeout after ${timeoutMs} ms`);
        }, timeoutMs);

        const attempt = (retried: boolean) => {
          const w: Waiter = {
            fail: (error) => {
              waiter = null;
              failed(error);
            },
            give: (c, reused) => {
              waiter = null;
              if (settled) return release(c);
              current = c;
              const reader = new ResponseReader(MAX_ANSWER_BYTES);
              const answered = () => {
                c.exchange = null;
                current = null;
                if (reader.reusable) release(c);
                else c.socket.destroy();
                done({ status: reader.status, body: reader.body(), truncated: reader.truncated, error: null });
              };
              c.exchange = {
                data(chunk) {
                  if (settled) return void c.socket.destroy();
                  try {
                    if (reader.feed(chunk)) answered();
                  } catch (err) {
                    c.exchange = null;
                    c.socket.destroy();
                    failed((err as { code?: string }).code ?? 'EBADRESPONSE');
                  }
                },
                lost(code) {
                  current = null;
                  c.socket.destroy();
                  if (settled) return;
                  if (reader.end()) return done({ status: reader.status, body: reader.body(), truncated: reader.truncated, error: null });
                  if (closed) return failed(CLOSED);
                  // A kept connection the target had most likely closed while idle (see the top of the file).
                  if (reused && !reader.started && !retried) return attempt(true);
                  // Cut off after the status: what came is the answer (as node:http's client told it).
                  if (reader.status !== null) return done({ status: reader.status, body: reader.body(), truncated: reader.truncated, error: null });
                  failed(code ?? 'ECONNRESET');
                },
              };
              c.socket.write(request);
            },
          };
          waiter = w;
          take(target.origin, w, retried);
        };
        attempt(false);
      });
    },
    close() {
      closed = true;
      for (const origin of origins.values()) for (const w of origin.waiting.splice(0)) w.fail(CLOSED);
      for (const c of connections) c.socket.destroy();
    },
  };
}
