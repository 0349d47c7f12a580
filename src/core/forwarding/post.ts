// One POST to a forwarding target: keep-alive connections (a target gets thousands of pushes), a
// timeout over the whole exchange, and at most 64 KiB of the answer read — a target's answer is kept
// only to report what went wrong (the first 200 characters) or, for a reply rule, to be the reply.
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';

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

export function createPoster(maxSockets = 64): Poster {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets, keepAliveMsecs: 10_000 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets, keepAliveMsecs: 10_000 }),
  };
  return {
    post(url, headers, body, timeoutMs) {
      const started = performance.now();
      return new Promise((resolve) => {
        let settled = false;
        const done = (r: Omit<PostResult, 'ms'>) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ ...r, ms: Math.round(performance.now() - started) });
        };
        let target: URL;
        try {
          target = new URL(url);
        } catch {
          return done({ status: null, body: '', truncated: false, error: 'bad URL' });
        }
        const proto = target.protocol === 'https:' ? 'https:' : 'http:';
        const client = proto === 'https:' ? https : http;
        const payload = Buffer.from(body, 'utf8');
        const req = client.request(
          target,
          { method: 'POST', agent: agents[proto], headers: { ...headers, 'content-length': String(payload.length) } },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            let truncated = false;
            res.on('data', (chunk: Buffer) => {
              if (size >= MAX_ANSWER_BYTES) {
                truncated = true;
                return;
              }
              const room = MAX_ANSWER_BYTES - size;
              chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
              if (chunk.length > room) truncated = true;
              size += Math.min(chunk.length, room);
            });
            res.on('end', () => done({ status: res.statusCode ?? null, body: Buffer.concat(chunks).toString('utf8'), truncated, error: null }));
            res.on('error', (err: NodeJS.ErrnoException) => done({ status: res.statusCode ?? null, body: '', truncated, error: err.code ?? err.message }));
            // An answer bigger than the limit: stop reading it once the status and the start are in.
            res.on('data', () => {
              if (truncated) res.destroy();
            });
            res.on('close', () => done({ status: res.statusCode ?? null, body: Buffer.concat(chunks).toString('utf8'), truncated, error: null }));
          },
        );
        const timer = setTimeout(() => {
          req.destroy();
          done({ status: null, body: '', truncated: false, error: `timeout after ${timeoutMs} ms` });
        }, timeoutMs);
        req.on('error', (err: NodeJS.ErrnoException) => done({ status: null, body: '', truncated: false, error: err.code ?? err.message }));
        req.end(payload);
      });
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
