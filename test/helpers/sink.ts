// A real HTTP service for forwarding to: it keeps every request it gets (method, path, headers, body)
// and answers as the test says — a status, a body, a delay — globally or request by request.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { until } from './wait.js';

export interface SinkRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface SinkAnswer {
  status?: number;
  body?: string;
  contentType?: string;
  delayMs?: number;
}

export interface Sink {
  url: string;
  requests: SinkRequest[];
  /** How to answer the next requests (default 200 "ok"). */
  answer: SinkAnswer | ((req: SinkRequest) => SinkAnswer);
  /** Waits until `check` holds for the requests so far. */
  until(check: (requests: SinkRequest[]) => boolean, what: string, limitMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSink(t: Test, answer: Sink['answer'] = {}): Promise<Sink> {
  const sink: Sink = {
    url: '',
    requests: [],
    answer,
    until: (check, what, limitMs = 60_000) => until(() => check(sink.requests), `${what} (requests so far: see sink.requests)`, limitMs),
    close: async () => {},
  };
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got: SinkRequest = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      sink.requests.push(got);
      const a = typeof sink.answer === 'function' ? sink.answer(got) : sink.answer;
      const reply = () => {
        const body = a.body ?? 'ok';
        res.writeHead(a.status ?? 200, { 'content-type': a.contentType ?? 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
      if (a.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          reply();
        }, a.delayMs);
        timers.add(timer);
      } else reply();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sink.close = () =>
    new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  t.teardown(() => sink.close());
  return sink;
}
