// Throughput and latency of `wxplat serve` for encrypted TEMPLATESENDJOBFINISH posts at 64 concurrent
// keep-alive connections, on SQLite and on MariaDB/MySQL, beside a bare node http server on the same
// machine that reads the body and answers `success` (the floor), all in one run. Prints events/s and
// p99 for each, and each receiver's ratio to the floor. Goals (issue 13): MariaDB receiving only ≥ 0.4
// of the floor with p99 < 20 ms; MariaDB receiving and processing the receipts ≥ 0.3, the backlog of a
// round drained within 10 s after it; SQLite receiving only ≥ 0.35.
//
// Every request is a distinct event (its own MsgID), signed and encrypted beforehand exactly as WeChat
// sends them, and written as prepared bytes by a lean keep-alive client, so that the load generator
// takes as little of the machine as it can (with node's own http client — BENCH_CLIENT=http — the
// client, not the floor server, is the limit, and every ratio looks better than it is). The receivers
// run as the real binary with their log on a file: `wxplat serve` as deployed (receiving and processing
// the inbox), and receiving only (--no-process), to show what processing costs. CPU per event is the
// receiver's (and the MariaDB server's, when it runs here) during the measured seconds.
//
// On MariaDB a third receiver runs beside them: issue 13's reference durable receiver
// (bench/lib/reference-receiver.cjs), the essential work of receiving only and nothing more, on the same
// inbox table. Its ratio to the floor is what this machine allows for that work in this run; wxplat's
// receiving only is also given against it.
//
// Knobs: BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_ONLY=sqlite|mariadb,
// BENCH_RECEIVE_ONLY=0|only, BENCH_REFERENCE=0 (no reference receiver), BENCH_CLIENT=http,
// WXPLAT_BENCH_MYSQL_URL.
//
//   npm run build && node bench/serve.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLean as leanLoad } from './lib/load.mjs';
import {
  MYSQL_URL,
  cpuSeconds,
  databaseServerPid,
  fmt,
  health,
  loadAverage,
  makePushes,
  median,
  mysqlAdmin,
  mysqlDatabase,
  prepareDatabase,
  started,
  startReceiver,
  stop,
} from './lib/receivers.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const dir = mkdtempSync(path.join(tmpdir(), 'wxplat-bench-serve-'));

// --- requests ---

let msgid = 4_000_000_000_000_000_000n;
/** Enough distinct receipts (TEMPLATESENDJOBFINISH, each its own MsgID) for a run. */
function makeRequests(count) {
  return makePushes(count, () => ({ MsgType: 'event', Event: 'TEMPLATESENDJOBFINISH', MsgID: msgid++, Status: 'success' }));
}

// --- load ---

/**
 * The load generator: CONNECTIONS keep-alive connections, each sending its next request when the
 * previous one is answered (as WeChat's pushes do), for `seconds`. It writes prepared request bytes and
 * reads just the status line, Content-Length and body, so that it costs the machine as little as it can:
 * it shares the CPUs with the receivers it measures. BENCH_CLIENT=http uses node's http client instead.
 */
function load(port, requests, seconds, record, wrap) {
  return process.env.BENCH_CLIENT === 'http' ? loadHttp(port, requests, seconds, record, wrap) : loadLean(port, requests, seconds, record, wrap);
}

function loadLean(port, requests, seconds, record, wrap) {
  const accept = (head, body) => head.startsWith('HTTP/1.1 200') && body === 'success';
  return leanLoad({ port, requests, seconds, record, wrap, connections: CONNECTIONS, accept });
}

async function loadHttp(port, requests, seconds, record, wrap) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS, maxFreeSockets: CONNECTIONS });
  let next = 0;
  let ok = 0;
  let bad = 0;
  const latencies = [];
  const end = performance.now() + seconds * 1000;
  const one = (req) =>
    new Promise((resolve) => {
      const started = performance.now();
      const r = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: req.path, agent, headers: { 'content-type': 'text/xml', 'content-length': req.body.length } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => {
            if (res.statusCode === 200 && text === 'success') ok++;
            else bad++;
            if (record) latencies.push(performance.now() - started);
            resolve();
          });
        },
      );
      r.on('error', () => {
        bad++;
        resolve();
      });
      r.end(req.body);
    });
  const connection = async () => {
    while (performance.now() < end) {
      if (next >= requests.length) {
        // The floor does not care whether an event repeats; a receiver must get distinct ones.
        if (!wrap) throw new Error('ran out of prepared requests: raise BENCH_PREPARE');
        next = 0;
      }
      await one(requests[next++]);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, connection));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : NaN);
  return { ok, bad, used: next, perSecond: ok / elapsed, p50: pct(50), p99: pct(99) };
}

async function measure(name, port, prepared, wrap = false, pid = undefined, dbPid = undefined) {
  const warm = await load(port, prepared, WARMUP_SECONDS, false, wrap);
  const rest = wrap ? prepared : prepared.slice(warm.used);
  const cpuBefore = cpuSeconds(pid);
  const dbBefore = cpuSeconds(dbPid);
  const r = await load(port, rest, SECONDS, true, wrap);
  r.cpuPerEvent = ((cpuSeconds(pid) - cpuBefore) / r.ok) * 1e6;
  r.dbCpuPerEvent = ((cpuSeconds(dbPid) - dbBefore) / r.ok) * 1e6;
  if (r.bad > 0) throw new Error(`${name}: ${r.bad} requests were not answered 200 success`);
  return { name, ...r };
}

// --- the contestants ---

function floorServer() {
  // In its own process, like the receivers.
  const source = `
    const http = require('node:http');
    const s = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => { res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 7 }); res.end('success'); });
    });
    s.keepAliveTimeout = 30000;
    s.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port));
    process.on('SIGTERM', () => s.close(() => process.exit(0)));
  `;
  return started('floor', spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] }));
}

async function receiver(kind, databaseUrl, args = []) {
  await prepareDatabase(dir, databaseUrl);
  return startReceiver(dir, `${kind}${args.length ? '-receive-only' : ''}`, databaseUrl, args);
}

const REFERENCE_NAME = 'reference receiver, mariadb';

/** Issue 13's reference durable receiver, on a migrated database of its own (the real inbox table). */
async function referenceReceiver(databaseUrl) {
  await prepareDatabase(dir, databaseUrl);
  return startReceiver(dir, 'reference', databaseUrl, [], fileURLToPath(new URL('./lib/reference-receiver.cjs', import.meta.url)));
}

/** How long the receiver takes to process what it received, after the load stops. */
async function drainSeconds(port) {
  const startedAt = performance.now();
  for (;;) {
    const h = await health(port);
    if (h.inbox.pending === 0) return { seconds: (performance.now() - startedAt) / 1000 };
    if (performance.now() - startedAt > 300_000) return { seconds: NaN, pending: h.inbox.pending };
    await new Promise((r) => setTimeout(r, 100));
  }
}

// --- run ---
// The machine is shared and noisy: the contestants run in interleaved rounds and the figures are the
// medians over the rounds; each round's ratio compares runs made seconds apart.

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PER_RUN = Number(process.env.BENCH_PREPARE ?? 0) || 400_000;
const rounds = [];
const cleanups = [];
let contestants;
try {
  const floor = await floorServer();
  cleanups.push(() => stop(floor.child));
  contestants = [{ name: 'bare node http (floor)', port: floor.port, floor: true, child: null, pid: floor.child.pid }];

  const only = process.env.BENCH_ONLY; // sqlite | mariadb: one store (and the floor)
  // Each store twice: `wxplat serve` as deployed (receiving and processing), and receiving only
  // (--no-process), which shows what the processing costs. Each receiver has a database of its own.
  const receiveOnly = process.env.BENCH_RECEIVE_ONLY !== '0';
  const processing = process.env.BENCH_RECEIVE_ONLY !== 'only';
  const targets = [];
  if (only !== 'mariadb') {
    if (processing) targets.push(['sqlite', `sqlite:${path.join(dir, 'bench.sqlite3')}`, []]);
    if (receiveOnly) targets.push(['sqlite', `sqlite:${path.join(dir, 'bench-receive-only.sqlite3')}`, ['--no-process']]);
  }
  if (only !== 'sqlite') {
    const names = [`wxplat_bench_${process.pid}`, `wxplat_bench_${process.pid}_r`, `wxplat_bench_${process.pid}_ref`];
    try {
      for (const name of names) await mysqlAdmin(`DROP DATABASE IF EXISTS \`${name}\``);
      cleanups.push(async () => {
        for (const name of names) await mysqlAdmin(`DROP DATABASE IF EXISTS \`${name}\``);
      });
      if (processing) targets.push(['mariadb', mysqlDatabase(names[0]), []]);
      if (receiveOnly) targets.push(['mariadb', mysqlDatabase(names[1]), ['--no-process']]);
      if (receiveOnly && process.env.BENCH_REFERENCE !== '0') targets.push(['mariadb', mysqlDatabase(names[2]), [], 'reference']);
    } catch (err) {
      process.stderr.write(`MySQL/MariaDB at ${MYSQL_URL} unreachable (${err.code ?? err.message}): skipping it\n`);
    }
  }
  for (const [kind, url, args, reference] of targets) {
    const r = reference ? await referenceReceiver(url) : await receiver(kind, url, args);
    cleanups.push(() => stop(r.child));
    const name = reference ? REFERENCE_NAME : `wxplat serve, ${kind}${args.length ? ', receive only' : ''}`;
    contestants.push({
      name,
      port: r.port,
      child: r.child,
      pid: r.child.pid,
      dbPid: kind === 'mariadb' ? databaseServerPid() : undefined,
      kind: reference ? 'reference' : args.length ? `${kind} (receive only)` : kind,
    });
  }
  const floorSet = makeRequests(20_000);
  for (let round = 1; round <= ROUNDS; round++) {
    const results = {};
    for (const c of contestants) {
      process.stderr.write(`round ${round}/${ROUNDS}: ${c.name}… `);
      const set = c.floor ? floorSet : makeRequests(PER_RUN);
      const m = await measure(c.name, c.port, set, Boolean(c.floor), c.pid, c.dbPid);
      if (!c.floor) {
        const h = await health(c.port);
        const drain = h.processing ? await drainSeconds(c.port) : { seconds: NaN };
        m.backlog = h.inbox.pending;
        m.drain = drain.seconds;
      }
      process.stderr.write(`${m.perSecond.toFixed(0)}/s, p99 ${m.p99.toFixed(1)} ms, ${m.cpuPerEvent.toFixed(0)} µs CPU/event\n`);
      results[c.name] = m;
    }
    rounds.push(results);
  }
  for (const c of contestants.filter((x) => x.child)) {
    c.exit = await stop(c.child);
  }
  cleanups.length = cleanups.length - contestants.filter((x) => x.child).length;
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  if (process.env.BENCH_KEEP) process.stderr.write(`kept ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}

const floorName = contestants[0].name;
console.log(`\n${CONNECTIONS} keep-alive connections (${process.env.BENCH_CLIENT === 'http' ? "node's http client" : 'lean client'}); ${ROUNDS} interleaved rounds of ${SECONDS} s (after ${WARMUP_SECONDS} s warm-up) per receiver;`);
console.log('distinct encrypted TEMPLATESENDJOBFINISH posts; medians over the rounds\n');
console.log(`${'receiver'.padEnd(40)} ${'events/s'.padStart(9)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'× floor'.padStart(8)} ${'CPU µs/event'.padStart(13)} ${'+ DB server'.padStart(12)}   per round × floor   backlog after a round`);
const summary = {};
for (const c of contestants) {
  const per = rounds.map((r) => r[c.name]);
  const rate = median(per.map((m) => m.perSecond));
  const ratios = rounds.map((r) => r[c.name].perSecond / r[floorName].perSecond);
  const ratio = median(ratios);
  summary[c.name] = { rate, ratio, p99: median(per.map((m) => m.p99)) };
  // A receiver that does not process (--no-process, the reference) keeps what it stores: no backlog to drain.
  const processes = c.kind !== 'reference' && !c.kind?.includes('receive only');
  const after = c.floor ? '' : processes ? per.map((m) => `${m.backlog} (drained in ${fmt(m.drain, 1)} s)`).join(', ') : '— (receiving only: stored, not processed)';
  console.log(
    `${c.name.padEnd(40)} ${fmt(rate).padStart(9)} ${fmt(median(per.map((m) => m.p50)), 1).padStart(7)} ${fmt(summary[c.name].p99, 1).padStart(7)} ${fmt(ratio, 2).padStart(8)} ${fmt(median(per.map((m) => m.cpuPerEvent))).padStart(13)} ${fmt(median(per.map((m) => m.dbCpuPerEvent))).padStart(12)}   ${ratios.map((x) => fmt(x, 2)).join(' ').padEnd(17)}   ${after}`,
  );
}
const goal = (name, text, ok, detail) => {
  if (!summary[name]) return;
  console.log(`goal: ${text}: ${ok ? 'met' : 'NOT met'} — ${detail}`);
};
const at = (name) => summary[name] ?? {};
const drainOf = (name) => Math.max(...rounds.map((r) => r[name]?.drain ?? NaN));
console.log('');
goal('wxplat serve, mariadb, receive only', 'MariaDB receiving only ≥ 0.4 × floor, p99 < 20 ms', at('wxplat serve, mariadb, receive only').ratio >= 0.4 && at('wxplat serve, mariadb, receive only').p99 < 20, `${fmt(at('wxplat serve, mariadb, receive only').ratio, 2)} × floor, p99 ${fmt(at('wxplat serve, mariadb, receive only').p99, 1)} ms`);
goal('wxplat serve, mariadb', 'MariaDB receiving and processing ≥ 0.3 × floor, each round drained within 10 s', at('wxplat serve, mariadb').ratio >= 0.3 && drainOf('wxplat serve, mariadb') <= 10, `${fmt(at('wxplat serve, mariadb').ratio, 2)} × floor, drained in at most ${fmt(drainOf('wxplat serve, mariadb'), 1)} s`);
if (summary[REFERENCE_NAME] && summary['wxplat serve, mariadb, receive only']) {
  const ref = summary[REFERENCE_NAME];
  const perRound = rounds.map((r) => r['wxplat serve, mariadb, receive only'].perSecond / r[REFERENCE_NAME].perSecond);
  console.log(`      MariaDB receiving only against the reference receiver (the essential work, nothing more): ${fmt(median(perRound), 2)} × (${perRound.map((x) => fmt(x, 2)).join(' ')}); the reference made ${fmt(ref.ratio, 2)} × floor, p99 ${fmt(ref.p99, 1)} ms`);
}
goal('wxplat serve, sqlite, receive only', 'SQLite receiving only ≥ 0.35 × floor', at('wxplat serve, sqlite, receive only').ratio >= 0.35, `${fmt(at('wxplat serve, sqlite, receive only').ratio, 2)} × floor`);
const exits = contestants.filter((c) => c.child).map((c) => `${c.kind} ${c.exit}`);
console.log(`receivers stopped with SIGTERM: exit ${exits.join(', ')}`);
console.log(`load average at the end: ${loadAverage()} (${(await import('node:os')).availableParallelism()} CPUs; the load generator, the receivers and MariaDB share them)`);
