// One POST to a forwarding target: keep-alive connections (a target gets thousands of pushes), a
// timeout over the whole exchange, and at most 64 KiB of the answer read — a target's answer is kept
// only to report what went wrong (the first 200 characters) or, for a reply rule, to be the reply.
//
// The request is written as one buffer on a pooled connection (net, or tls for https) and the answer
// read by http-response.ts, not through node:http's client, which cost about three times the CPU a
// request (bench/forward, where `serve` forwards one request a push). A pooled connection the target
// closed while it was idle can fail as the request is written; such a request, which the target never
// read, is sent once more on a new connection.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { ResponseReader } from './http-response.js';

export const MAX_ANSWER_BYTES = 64 * 1024;

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
}

/** What one request in flight is told by its connection. */
interface Exchange {
  data(chunk: Buffer): void;
  /** The connection ended or failed (`code`: why, when known). */
  lost(code: string | null): void;
}

/** One target host (scheme, host, port): its open connections and the requests waiting for one. */
interface Origin {
  secure: boolean;
  host: string;
  port: number;
  idle: Connection[];
  open: number;
  waiting: Array<(c: Connection, reused: boolean) => void>;
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

export function createPoster(options: PosterOptions | number = {}): Poster {
  const o = typeof options === 'number' ? { maxSockets: options } : options;
  const maxSockets = o.maxSockets ?? 64;
  const origins = new Map<string, Origin>();
  const targets = new Map<string, Target>();
  const connections = new Set<Connection>();
  let closed = false;

  const connect = (origin: Origin): Connection => {
    const socket = origin.secure
      ? tls.connect({ host: origin.host, port: origin.port, servername: net.isIP(origin.host) ? undefined : origin.host, ALPNProtocols: ['http/1.1'], ca: o.ca ? [...tls.rootCertificates, String(o.ca)] : undefined })
      : net.connect({ host: origin.host, port: origin.port });
    const c = new Connection(socket, origin, (gone) => {
      connections.delete(gone);
      const i = origin.idle.indexOf(gone);
      if (i >= 0) origin.idle.splice(i, 1);
      origin.open--;
      // A place is free: a waiting request gets a new connection.
      const next = origin.waiting.shift();
      if (next && !closed) {
        origin.open++;
        next(connect(origin), false);
      }
    });
    connections.add(c);
    return c;
  };

  const take = (origin: Origin, give: (c: Connection, reused: boolean) => void): void => {
    const c = origin.idle.pop();
    if (c) {
      c.socket.ref();
      give(c, true);
    } else if (origin.open < maxSockets) {
      origin.open++;
      give(connect(origin), false);
    } else origin.waiting.push(give);
  };

  /** A request is done with a connection it may leave open: the next waiting request, or the idle pool. */
  const release = (c: Connection): void => {
    if (c.closed) return;
    const next = c.origin.waiting.shift();
    if (next) return next(c, true);
    // Idle connections do not keep the process alive.
    c.socket.unref();
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
      const credentials = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
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
        let waiter: ((c: Connection, reused: boolean) => void) | null = null;
        let timer: NodeJS.Timeout | undefined;
        const done = (r: Omit<PostResult, 'ms'>) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ ...r, ms: Math.round(performance.now() - started) });
        };
        const failed = (error: string) => done({ status: null, body: '', truncated: false, error });
        if (closed) return failed('the forwarding client is closed');
        const target = targetOf(url);
        if (typeof target === 'string') return failed(target);
        let head = target.start;
        for (const name of Object.keys(headers)) {
          const value = headers[name];
          if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) return failed('a header carries a line break');
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
          waiter = (c, reused) => {
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
                // A kept connection the target had closed: it never read this request.
                if (reused && !reader.started && !retried) return attempt(true);
                // Cut off after the status: what came is the answer (as node:http's client told it).
                if (reader.status !== null) return done({ status: reader.status, body: reader.body(), truncated: reader.truncated, error: null });
                failed(code ?? 'ECONNRESET');
              },
            };
            c.socket.write(request);
          };
          take(target.origin, waiter);
        };
        attempt(false);
      });
    },
    close() {
      closed = true;
      for (const origin of origins.values()) origin.waiting.length = 0;
      for (const c of connections) c.socket.destroy();
    },
  };
}
