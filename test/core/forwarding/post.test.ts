// The forwarding client (src/core/forwarding/post.ts) against real servers on loopback: node's own HTTP
// and HTTPS servers for what services usually answer, and raw TCP servers that write the bytes of the
// answers node would not (close-delimited, interim 1xx, broken ones, a close of a kept connection).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { MAX_ANSWER_BYTES, createPoster } from '../../../src/core/forwarding/post.js';
import { until } from '../../helpers/wait.js';

const TLS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/tls');
const cert = readFileSync(path.join(TLS, 'localhost-cert.pem'));
const key = readFileSync(path.join(TLS, 'localhost-key.pem'));

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: number;
}

/** A node HTTP(S) server that records each request and the connection it came on. */
async function service(t: Test, answer: (req: Seen, res: http.ServerResponse) => void, secure = false) {
  const seen: Seen[] = [];
  const sockets = new WeakMap<object, number>();
  let connections = 0;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!sockets.has(req.socket)) sockets.set(req.socket, ++connections);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), socket: sockets.get(req.socket)! };
      seen.push(s);
      answer(s, res);
    });
  };
  const server = secure ? https.createServer({ cert, key }, handler) : http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `${secure ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server, connections: () => connections };
}

/** A TCP server that answers each request with `bytes` (whatever they are) and then does `after`. */
async function raw(t: Test, bytes: (n: number) => string | Buffer, after: 'keep' | 'close' = 'keep') {
  let requests = 0;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let got = '';
    socket.on('data', (d) => {
      got += d.toString('latin1');
      // One request: the head, then the body its Content-Length gives.
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(got.slice(0, end))?.[1] ?? 0);
      if (got.length < end + 4 + length) return;
      got = got.slice(end + 4 + length);
      socket.write(bytes(++requests));
      if (after === 'close') socket.end();
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`, requests: () => requests, connections: () => connections, sockets };
}

const headers = { 'content-type': 'text/xml; charset=utf-8', 'x-wxplat-event-id': 'evt_1_2' };

t.test('a POST with its headers and body; the answer; the connection kept for the next', async (t) => {
  const s = await service(t, (req, res) => res.writeHead(201, { 'content-type': 'text/plain' }).end(`got ${req.body.length}`));
  const poster = createPoster();
  t.teardown(() => poster.close());
  const first = await poster.post(`${s.url}/wx/app?x=1`, headers, '<xml>在吗</xml>', 5000);
  t.match(first, { status: 201, body: 'got 13', truncated: false, error: null });
  t.ok(first.ms >= 0);
  const second = await poster.post(`${s.url}/wx/app?x=1`, headers, 'two', 5000);
  t.match(second, { status: 201, body: 'got 3', error: null });
  t.match(s.seen[0], { method: 'POST', url: '/wx/app?x=1', body: '<xml>在吗</xml>' });
  t.match(s.seen[0].headers, { host: s.url.slice('http://'.length), 'content-type': 'text/xml; charset=utf-8', 'x-wxplat-event-id': 'evt_1_2', 'content-length': '17' });
  t.equal(s.connections(), 1, 'the second request went on the first connection');
  t.equal(s.seen[1].socket, 1);
});

t.test('credentials in the target URL become Basic authorization', async (t) => {
  const s = await service(t, (_req, res) => res.end('ok'));
  const poster = createPoster();
  t.teardown(() => poster.close());
  const r = await poster.post(s.url.replace('http://', 'http://svc:p%40ss@'), headers, 'x', 5000);
  t.equal(r.status, 200);
  t.equal(s.seen[0].headers.authorization, `Basic ${Buffer.from('svc:p@ss').toString('base64')}`);
});

t.test('a chunked answer is put together; trailers are read past', async (t) => {
  const s = await service(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml', trailer: 'x-end' });
    res.write('<xml><MsgType>text</MsgType>');
    res.write('<Content>好</Content>');
    res.addTrailers({ 'x-end': '1' });
    res.end('</xml>');
  });
  const poster = createPoster();
  t.teardown(() => poster.close());
  for (let i = 0; i < 2; i++) t.match(await poster.post(s.url, headers, 'x', 5000), { status: 200, body: '<xml><MsgType>text</MsgType><Content>好</Content></xml>', error: null });
  t.equal(s.connections(), 1, 'kept after a chunked answer');
});

t.test('answers split at every byte read the same', async (t) => {
  const answer = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\n\r\n';
  const server = net.createServer((socket) => {
    socket.once('data', () => {
      void (async () => {
        for (const ch of answer) {
          socket.write(ch);
          await new Promise((r) => setImmediate(r));
        }
      })();
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const poster = createPoster();
  t.teardown(() => poster.close());
  t.match(await poster.post(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, headers, 'x', 5000), { status: 200, body: 'abcde', error: null });
});

t.test('a transfer coding other than chunked: the answer ends with the connection, whatever its length says', async (t) => {
  const s = await raw(t, () => 'HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\nContent-Length: 2\r\n\r\nall of it', 'close');
  const poster = createPoster();
  t.teardown(() => poster.close());
  t.match(await poster.post(s.url, headers, 'x', 5000), { status: 200, body: 'all of it', error: null });
});

t.test('an answer without a length ends with the connection, which is not kept', async (t) => {
  const s = await raw(t, (n) => `HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nanswer ${n}`, 'close');
  const poster = createPoster();
  t.teardown(() => poster.close());
  t.match(await poster.post(s.url, headers, 'x', 5000), { status: 200, body: 'answer 1', error: null });
  t.match(await poster.post(s.url, headers, 'x', 5000), { status: 200, body: 'answer 2', error: null });
  t.equal(s.connections(), 2);
});

t.test('interim answers (100, 103) are read past; 204 has no body', async (t) => {
  const s = await raw(t, (n) => (n === 1 ? 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok' : 'HTTP/1.1 204 No Content\r\n\r\n'));
  const poster = createPoster();
  t.teardown(() => poster.close());
  t.match(await poster.post(s.url, headers, 'x', 5000), { status: 202, body: 'ok', error: null });
  t.match(await poster.post(s.url, headers, 'x', 5000), { status: 204, body: '', error: null });
  t.equal(s.connections(), 1);
});

t.test('an answer over 64 KiB: its first 64 KiB, truncated, and the connection dropped', async (t) => {
  const big = 'a'.repeat(MAX_ANSWER_BYTES) + 'b'.repeat(100_000);
  const s = await service(t, (_req, res) => res.writeHead(200, { 'content-length': String(big.length) }).end(big));
  const poster = createPoster();
  t.teardown(() => poster.close());
  const r = await poster.post(s.url, headers, 'x', 5000);
  t.match(r, { status: 200, truncated: true, error: null });
  t.equal(r.body, 'a'.repeat(MAX_ANSWER_BYTES));
  t.match(await poster.post(s.url, headers, 'x', 5000), { status: 200, truncated: true });
  t.equal(s.connections(), 2, 'a truncated answer leaves its connection unusable');
});

t.test('a connection the service closed while it was kept: the request goes on a new one', async (t) => {
  // The service answers as if it kept the connection, then closes it while it is idle.
  const s = await raw(t, (n) => `HTTP/1.1 200 OK\r\nContent-Length: ${String(n).length}\r\n\r\n${n}`);
  const poster = createPoster();
  t.teardown(() => poster.close());
  t.match(await poster.post(s.url, headers, 'x', 5000), { status: 200, body: '1' });
  for (const socket of s.sockets) socket.destroy();
  t.match(await poster.post(s.url, headers, 'x', 5000), { status: 200, body: '2', error: null });
  t.equal(s.requests(), 2, 'sent once on the new connection');
  t.equal(s.connections(), 2);
});

t.test('what goes wrong: refused, no answer in time, cut off, not HTTP, a bad URL, a line break in a header', async (t) => {
  const poster = createPoster();
  t.teardown(() => poster.close());
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  t.match(await poster.post(`http://127.0.0.1:${port}/`, headers, 'x', 5000), { status: null, error: 'ECONNREFUSED' });

  const silent = await raw(t, () => '');
  t.match(await poster.post(silent.url, headers, 'x', 200), { status: null, body: '', error: 'timeout after 200 ms' });

  const cut = await raw(t, () => 'HTTP/1.1 200 OK\r\nContent-Len', 'close');
  t.match(await poster.post(cut.url, headers, 'x', 5000), { status: null, error: 'ECONNRESET' });

  const partial = await raw(t, () => 'HTTP/1.1 503 Busy\r\nContent-Length: 100\r\n\r\nbusy', 'close');
  t.match(await poster.post(partial.url, headers, 'x', 5000), { status: 503, body: 'busy', error: null });

  const junk = await raw(t, () => 'SSH-2.0-OpenSSH_9.2\r\n\r\n');
  t.match(await poster.post(junk.url, headers, 'x', 5000), { status: null, error: 'EBADRESPONSE' });

  const twoLengths = await raw(t, () => 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok');
  t.match(await poster.post(twoLengths.url, headers, 'x', 5000), { status: null, error: 'EBADRESPONSE' });

  t.match(await poster.post('not a url', headers, 'x', 5000), { status: null, error: 'bad URL' });
  t.match(await poster.post('ftp://127.0.0.1/', headers, 'x', 5000), { status: null, error: 'bad URL' });
  const ok = await service(t, (_req, res) => res.end('ok'));
  t.match(await poster.post(ok.url, { ...headers, 'x-evil': 'a\r\nx-injected: 1' }, 'x', 5000), { status: null, error: 'header x-evil is not valid in HTTP' });
  // Written as latin1, U+010D U+010A would become CR LF.
  t.match(await poster.post(ok.url, { ...headers, 'x-wxplat-appid': 'wx1\u010d\u010aX-Injected: yes' }, 'x', 5000), { status: null, error: 'header x-wxplat-appid is not valid in HTTP' });
  t.match(await poster.post(ok.url, { ...headers, 'x bad': '1' }, 'x', 5000), { status: null, error: 'header (a bad name) is not valid in HTTP' });
  t.match(await poster.post(ok.url.replace('http://', 'http://a%E0:b@'), headers, 'x', 5000), { status: null, error: 'bad URL' }, 'credentials that do not decode');
  t.equal(ok.seen.length, 0, 'nothing was sent');
});

t.test('at most maxSockets connections to a host; the other requests wait for one', async (t) => {
  // Answers are held until two requests are in (or the last ones), so the client must wait for a
  // connection to come free; a third connection would be counted by the service.
  const held: http.ServerResponse[] = [];
  let most = 0;
  let answered = 0;
  const s = await service(t, (_req, res) => {
    held.push(res);
    most = Math.max(most, held.length);
    if (held.length === 2 || answered + held.length === 7) {
      answered += held.length;
      for (const r of held.splice(0)) r.end('ok');
    }
  });
  const poster = createPoster({ maxSockets: 2 });
  t.teardown(() => poster.close());
  const all = await Promise.all(Array.from({ length: 7 }, () => poster.post(s.url, headers, 'x', 5000)));
  t.same(
    all.map((r) => r.status),
    [200, 200, 200, 200, 200, 200, 200],
  );
  t.equal(s.connections(), 2);
  t.equal(most, 2);
});

t.test('a request waiting for a connection times out alone, and the others still go', async (t) => {
  // The slow request is answered only once the waiting one has timed out.
  let answerSlow: (() => void) | null = null;
  const s = await service(t, (req, res) => {
    if (req.url === '/slow') answerSlow = () => res.end('ok');
    else res.end('ok');
  });
  const poster = createPoster({ maxSockets: 1 });
  t.teardown(() => poster.close());
  const slow = poster.post(`${s.url}/slow`, headers, 'x', 5000);
  const waiting = poster.post(`${s.url}/fast`, headers, 'x', 100);
  t.match(await waiting, { status: null, error: 'timeout after 100 ms' });
  await until(() => answerSlow !== null, 'the slow request to arrive');
  answerSlow!();
  t.match(await slow, { status: 200 });
  t.match(await poster.post(`${s.url}/fast`, headers, 'x', 5000), { status: 200 });
  t.same(
    s.seen.map((x) => x.url),
    ['/slow', '/fast'],
    'the request that timed out while it waited was never sent',
  );
});

t.test('https: the certificate is checked; a trusted one is used and kept', async (t) => {
  const s = await service(t, (req, res) => res.end(`tls ${req.body}`), true);
  const strict = createPoster();
  t.teardown(() => strict.close());
  const refused = await strict.post(s.url, headers, 'x', 5000);
  t.equal(refused.status, null);
  t.match(refused.error, /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
  t.equal(s.seen.length, 0);

  const trusting = createPoster({ ca: cert });
  t.teardown(() => trusting.close());
  t.match(await trusting.post(s.url, headers, 'one', 5000), { status: 200, body: 'tls one', error: null });
  t.match(await trusting.post(s.url.replace('127.0.0.1', 'localhost'), headers, 'two', 5000), { status: 200, body: 'tls two', error: null });
  t.match(await trusting.post(s.url, headers, 'three', 5000), { status: 200, body: 'tls three' });
  t.equal(s.connections(), 2, 'one connection for each host name');
});

t.test('a kept connection unused for idleMs is closed by the client', async (t) => {
  const s = await service(t, (_req, res) => res.end('ok'));
  const poster = createPoster({ idleMs: 50 });
  t.teardown(() => poster.close());
  t.match(await poster.post(s.url, headers, 'x', 5000), { status: 200 });
  const open = () => new Promise<number>((r) => s.server.getConnections((_err, n) => r(n)));
  await until(async () => (await open()) === 0, 'the idle connection to close');
  t.match(await poster.post(s.url, headers, 'x', 5000), { status: 200 });
  t.equal(s.connections(), 2, 'the next request opened a new one');
});

t.test('close() fails the requests waiting for a connection at once, and does not send one again', async (t) => {
  let answer: (() => void) | null = null;
  const s = await service(t, (req, res) => {
    if (req.body === 'first') res.end('ok');
    else answer = () => res.end('late');
  });
  const poster = createPoster({ maxSockets: 1 });
  t.match(await poster.post(s.url, headers, 'first', 5000), { status: 200 });
  // On the kept connection, in flight; and one waiting behind it.
  const inFlight = poster.post(s.url, headers, 'second', 60_000);
  const waiting = poster.post(s.url, headers, 'third', 60_000);
  await until(() => answer !== null, 'the second request to arrive');
  poster.close();
  t.match(await waiting, { status: null, error: 'the forwarding client is closed' });
  t.match(await inFlight, { status: null, error: 'the forwarding client is closed' });
  t.same(
    s.seen.map((x) => x.body),
    ['first', 'second'],
    'nothing sent again or after the close',
  );
});

t.test('close() ends the kept connections, and later posts fail at once', async (t) => {
  const s = await service(t, (_req, res) => res.end('ok'));
  const poster = createPoster();
  t.match(await poster.post(s.url, headers, 'x', 5000), { status: 200 });
  const open = () => new Promise<number>((r) => s.server.getConnections((_err, n) => r(n)));
  t.equal(await open(), 1, 'kept');
  poster.close();
  await until(async () => (await open()) === 0, 'the kept connection to close');
  t.match(await poster.post(s.url, headers, 'x', 5000), { status: null, error: 'the forwarding client is closed' });
  t.equal(s.seen.length, 1);
});
