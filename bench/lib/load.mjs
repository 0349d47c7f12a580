// The benchmarks' load generator (first written for bench/serve.mjs): `connections` keep-alive
// connections, each sending its next request when the previous one is answered, for `seconds`. It
// writes prepared request bytes (`wire`) and reads just the status line, Content-Length and body, so
// that it costs the machine as little as it can: it shares the CPUs with the servers it measures.
// `accept(head, body)` says whether an answer counts as good.
import net from 'node:net';

/** The p-th percentile of sorted latencies. */
export function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

/**
 * `finite`: send each request once and stop when they are all answered (no time limit but `seconds`).
 * `rate`: requests a second over all connections, each connection sending on its own schedule (or at
 * once, if its answer came after its next turn): a load below what the server can take, for the latency
 * a request meets when the server is not saturated. Without it, each connection sends as soon as it is
 * answered.
 */
export async function loadLean({ port, requests, seconds, record, wrap, connections, accept, finite = false, rate = 0 }) {
  let next = 0;
  let ok = 0;
  let bad = 0;
  const latencies = [];
  const end = performance.now() + seconds * 1000;
  const take = () => {
    if (next >= requests.length) {
      if (finite) return null;
      if (!wrap) throw new Error('ran out of prepared requests: raise BENCH_PREPARE');
      next = 0;
    }
    return requests[next++];
  };
  const connection = () =>
    new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      let buffer = Buffer.alloc(0);
      let started = 0;
      // Paced: this connection's turns, spread over one interval so that the connections do not send together.
      const interval = rate > 0 ? (connections / rate) * 1000 : 0;
      let turn = performance.now() + Math.random() * interval;
      const paced = () => {
        if (interval === 0) return send();
        const wait = turn - performance.now();
        turn = Math.max(turn, performance.now()) + interval;
        if (wait <= 0) send();
        else setTimeout(send, wait);
      };
      const send = () => {
        if (performance.now() >= end) {
          socket.end();
          return resolve();
        }
        started = performance.now();
        const request = take();
        if (request === null) {
          socket.end();
          return resolve();
        }
        socket.write(request.wire);
      };
      socket.on('connect', paced);
      socket.on('data', (chunk) => {
        buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
        for (;;) {
          const headEnd = buffer.indexOf('\r\n\r\n');
          if (headEnd < 0) return;
          const head = buffer.subarray(0, headEnd).toString('latin1');
          const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
          if (buffer.length < headEnd + 4 + length) return;
          const body = buffer.subarray(headEnd + 4, headEnd + 4 + length).toString();
          buffer = buffer.subarray(headEnd + 4 + length);
          if (accept(head, body)) ok++;
          else bad++;
          if (record) latencies.push(performance.now() - started);
          paced();
        }
      });
      socket.on('error', (err) => {
        bad++;
        reject(err);
      });
    });
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, connection));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { ok, bad, used: next, perSecond: ok / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}
