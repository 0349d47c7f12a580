// Forwarding's cost and speed (issue 14), each against a baseline measured in the same run:
//
//  1. An async rule that takes every event, to a local service answering 200: `wxplat serve`'s receive
//     rate beside the same serve with no rule (interleaved rounds, 64 connections, receipts as in
//     bench/serve.mjs), and how long after each round the forward backlog takes to drain.
//     Goals: ≥ 0.8 of the rate with no rule; drained within 10 s after the round.
//  2. A reply rule to a service answering in 1 ms: p99 of text messages at 64 connections beside no rule.
//     Goal: ≤ 5 ms more. Each connection sends as soon as it is answered, so the machine is saturated and
//     p99 follows the CPU a message costs (two cores shared by serve, MariaDB, the service and the load).
//     The same is then measured at a fixed rate, half what the reply rule took in that round: the
//     latency the call to the service adds when the machine is not saturated.
//  3. Forwarding to a service that takes 50 ms an answer: deliveries a second beside what the
//     forwarder's concurrency allows (its default requests in flight / 50 ms), over the backlog left once
//     the pushes are all acknowledged (while they come in, forwarding yields to them). Goal: ≥ 0.8 of it.
//
// The service runs in a process of its own. Knobs: BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS,
// BENCH_ONLY=sqlite|mariadb (default mariadb), WXPLAT_BENCH_MYSQL_URL, BENCH_SLOW_EVENTS, BENCH_PARTS (which of
// the three to run, e.g. `2` or `1,3`; all by default), BENCH_NODE_ARGS (for serve, e.g. a profiler's flags),
// BENCH_PACED_RATE (part 2's fixed rate).
//
//   npm run build && node bench/forward.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_FORWARD_CONCURRENCY } from '../dist/src/core/forwarding/forwarder.js';
import { loadLean } from './lib/load.mjs';
import {
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
  wxplatSync,
} from './lib/receivers.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const SLOW_EVENTS = Number(process.env.BENCH_SLOW_EVENTS ?? 6000);
// Part 2's fixed rate (messages a second); by default half what the reply rule took in the same round.
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 0);
// What serve runs with (the bench once assumed 32 while serve ran 64, and printed 1.2-1.5 × "allowed").
const FORWARD_CONCURRENCY = DEFAULT_FORWARD_CONCURRENCY;
const only = process.env.BENCH_ONLY ?? 'mariadb';
const parts = new Set((process.env.BENCH_PARTS ?? '1,2,3').split(',').map((p) => Number(p.trim())));
const dir = mkdtempSync(path.join(tmpdir(), 'wxplat-bench-forward-'));

// --- the platform's service: counts what it gets; /slow answers after 50 ms, /reply with a passive reply after 1 ms ---

function startService() {
  const source = `
    const http = require('node:http');
    const counts = { fast: 0, slow: 0, reply: 0 };
    const stamps = { slow: [] };
    const s = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/counts') { res.end(JSON.stringify({ counts, firstSlow: stamps.slow[0] ?? null, lastSlow: stamps.slow.at(-1) ?? null })); return; }
        if (req.url === '/reset') { counts.fast = counts.slow = counts.reply = 0; stamps.slow = []; res.end('ok'); return; }
        if (req.url.startsWith('/slow')) { counts.slow++; stamps.slow.push(Date.now()); setTimeout(() => res.end('ok'), 50); return; }
        if (req.url.startsWith('/reply')) {
          counts.reply++;
          setTimeout(() => { res.writeHead(200, { 'content-type': 'text/xml' }); res.end('<xml><ToUserName><![CDATA[o]]></ToUserName><FromUserName><![CDATA[gh]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[ok]]></Content></xml>'); }, 1);
          return;
        }
        counts.fast++;
        res.end('ok');
      });
    });
    s.keepAliveTimeout = 30000;
    s.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port));
    process.on('SIGTERM', () => { s.closeAllConnections(); s.close(() => process.exit(0)); });
  `;
  return started('service', spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] }));
}

function ask(port, urlPath) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve(text));
      })
      .on('error', reject);
  });
}

// --- pushes ---

let msgid = 5_000_000_000_000_000_000n;
const receipts = (n) => makePushes(n, () => ({ MsgType: 'event', Event: 'TEMPLATESENDJOBFINISH', MsgID: msgid++, Status: 'success' }));
const texts = (n) => makePushes(n, () => ({ MsgType: 'text', Content: '在吗', MsgId: msgid++ }));

const acceptSuccess = (head, body) => head.startsWith('HTTP/1.1 200') && body === 'success';
const acceptAny200 = (head) => head.startsWith('HTTP/1.1 200');

async function run(port, requests, seconds, accept, record = true, rate = 0) {
  const r = await loadLean({ port, requests, seconds, record, wrap: false, connections: CONNECTIONS, accept, rate });
  if (r.bad > 0) throw new Error(`${r.bad} requests were not answered as expected`);
  return r;
}

async function until(what, check, limitMs) {
  const startedAt = performance.now();
  for (;;) {
    if (await check()) return (performance.now() - startedAt) / 1000;
    if (performance.now() - startedAt > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// --- run ---

const cleanups = [];
const results = { receive: [], reply: [], slow: null };
try {
  const service = await startService();
  cleanups.push(() => stop(service.child));
  const base = `http://127.0.0.1:${service.port}`;
  const databases = [];
  const database = async (name) => {
    if (only === 'sqlite') return `sqlite:${path.join(dir, `${name}.sqlite3`)}`;
    const db = `wxplat_bench_fw_${process.pid}_${name}`;
    await mysqlAdmin(`DROP DATABASE IF EXISTS \`${db}\``);
    databases.push(db);
    return mysqlDatabase(db);
  };
  cleanups.push(async () => {
    for (const db of databases) await mysqlAdmin(`DROP DATABASE IF EXISTS \`${db}\``);
  });
  const receiver = async (name, rule) => {
    const url = await database(name);
    await prepareDatabase(dir, url);
    if (rule) wxplatSync(dir, url, ['forward', 'add', ...rule]);
    const r = await startReceiver(dir, name, url);
    cleanups.push(() => stop(r.child));
    return { ...r, url };
  };

  // 1. receive rate, with and without an async rule that takes every event
  if (parts.has(1)) {
  const plain = await receiver('plain');
  const forwarding = await receiver('async', ['--to', `${base}/fast`]);
  const deliveredCount = async () => Number(JSON.parse(await ask(service.port, '/counts')).counts.fast);
  for (let round = 1; round <= ROUNDS; round++) {
    const round1 = {};
    for (const [name, r] of [['no rule', plain], ['async rule', forwarding]]) {
      process.stderr.write(`round ${round}/${ROUNDS}: receiving, ${name}… `);
      const before = name === 'async rule' ? await deliveredCount() : 0;
      const warm = await run(r.port, receipts(100_000), WARMUP_SECONDS, acceptSuccess, false);
      const m = await run(r.port, receipts(250_000), SECONDS, acceptSuccess);
      if (name === 'async rule') {
        const expected = before + warm.ok + m.ok;
        m.drain = await until('the forward backlog', async () => (await deliveredCount()) >= expected, 300_000);
      }
      // Receipts are processed too (serve as deployed): wait for the inbox before the next turn.
      await until('the inbox', async () => (await health(r.port)).inbox.pending === 0, 300_000);
      process.stderr.write(`${m.perSecond.toFixed(0)}/s${m.drain !== undefined ? `, forwards drained ${m.drain.toFixed(1)} s after` : ''}\n`);
      round1[name] = m;
    }
    results.receive.push(round1);
  }
  }

  // 2. p99 of text messages, with and without a reply rule
  if (parts.has(2)) {
  const noReply = await receiver('text');
  const replying = await receiver('reply', ['--to', `${base}/reply`, '--mode', 'reply', '--msg-type', 'text']);
  for (let round = 1; round <= ROUNDS; round++) {
    const round2 = {};
    for (const [name, r, accept] of [['no rule', noReply, acceptSuccess], ['reply rule', replying, acceptAny200]]) {
      process.stderr.write(`round ${round}/${ROUNDS}: text messages, ${name}… `);
      await run(r.port, texts(100_000), WARMUP_SECONDS, accept, false);
      // CPU a message, by process: where a reply rule's cost goes on a machine the load saturates.
      const pids = { serve: r.child.pid, service: service.child.pid, database: databaseServerPid() };
      const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
      const m = await run(r.port, texts(250_000), SECONDS, accept);
      m.cpu = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, ((cpuSeconds(pid) - before[k]) / m.ok) * 1e6]));
      process.stderr.write(`${m.perSecond.toFixed(0)}/s, p99 ${m.p99.toFixed(1)} ms; CPU µs a message: ${Object.entries(m.cpu).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}\n`);
      round2[name] = m;
    }
    const rate = PACED_RATE || Math.round(round2['reply rule'].perSecond / 2);
    for (const [name, r, accept] of [['no rule', noReply, acceptSuccess], ['reply rule', replying, acceptAny200]]) {
      process.stderr.write(`round ${round}/${ROUNDS}: text messages at ${rate}/s, ${name}… `);
      const m = await run(r.port, texts(250_000), SECONDS, accept, true, rate);
      process.stderr.write(`${m.perSecond.toFixed(0)}/s, p50 ${m.p50.toFixed(1)} ms, p99 ${m.p99.toFixed(1)} ms\n`);
      round2[`${name} paced`] = { ...m, rate };
    }
    results.reply.push(round2);
  }
  }

  // 3. a 50 ms service: deliveries a second against what FORWARD_CONCURRENCY in flight allow
  if (parts.has(3)) {
  const slow = await receiver('slow', ['--to', `${base}/slow`]);
  await ask(service.port, '/reset');
  process.stderr.write(`${SLOW_EVENTS} events forwarded to a service taking 50 ms… `);
  const pushes = receipts(SLOW_EVENTS);
  await loadLean({ port: slow.port, requests: pushes, seconds: 600, record: false, wrap: false, connections: 16, accept: acceptSuccess, finite: true });
  // Forwarding yields to a burst being received (part 1 measures that): the rate is taken from the moment
  // every push is acknowledged, over the backlog then left; the whole span is printed beside it.
  const receivedAt = Date.now();
  const sentWhileReceiving = JSON.parse(await ask(service.port, '/counts')).counts.slow;
  await until('the slow deliveries', async () => JSON.parse(await ask(service.port, '/counts')).counts.slow >= SLOW_EVENTS, 600_000);
  const c = JSON.parse(await ask(service.port, '/counts'));
  const seconds = (c.lastSlow - receivedAt) / 1000;
  const whole = (c.lastSlow - c.firstSlow) / 1000;
  results.slow = {
    delivered: c.counts.slow - sentWhileReceiving,
    seconds,
    perSecond: (c.counts.slow - sentWhileReceiving) / seconds,
    sentWhileReceiving,
    whole: { seconds: whole, perSecond: c.counts.slow / whole },
    allowed: FORWARD_CONCURRENCY / 0.05,
  };
  process.stderr.write(`${results.slow.perSecond.toFixed(0)}/s\n`);
  }
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}

// --- report ---

console.log(`\n${only === 'sqlite' ? 'SQLite' : 'MariaDB'}; ${CONNECTIONS} keep-alive connections; ${ROUNDS} interleaved rounds of ${SECONDS} s; medians over the rounds\n`);
const lines = [];
const goals = [];
const signed = (x) => `${x >= 0 ? '+' : ''}${fmt(x, 1)}`;
if (results.receive.length > 0) {
  const recv = (name, key) => median(results.receive.map((r) => r[name][key]));
  const receiveRatios = results.receive.map((r) => r['async rule'].perSecond / r['no rule'].perSecond);
  const worstDrain = Math.max(...results.receive.map((r) => r['async rule'].drain));
  lines.push(`receiving receipts, no rule           ${fmt(recv('no rule', 'perSecond')).padStart(7)}/s  p99 ${fmt(recv('no rule', 'p99'), 1)} ms`);
  lines.push(`receiving receipts, async rule        ${fmt(recv('async rule', 'perSecond')).padStart(7)}/s  p99 ${fmt(recv('async rule', 'p99'), 1)} ms  × no rule per round: ${receiveRatios.map((x) => fmt(x, 2)).join(' ')}; forwards drained ${results.receive.map((r) => fmt(r['async rule'].drain, 1)).join(', ')} s after`);
  const receiveRatio = median(receiveRatios);
  goals.push(`goal: receive rate with an async rule ≥ 0.8 × no rule, backlog drained within 10 s: ${receiveRatio >= 0.8 && worstDrain <= 10 ? 'met' : 'NOT met'} — ${fmt(receiveRatio, 2)}, drained in at most ${fmt(worstDrain, 1)} s`);
}
if (results.reply.length > 0) {
  const p99 = (name) => median(results.reply.map((r) => r[name].p99));
  const added = results.reply.map((r) => r['reply rule'].p99 - r['no rule'].p99);
  lines.push(`text messages, no rule                ${fmt(median(results.reply.map((r) => r['no rule'].perSecond))).padStart(7)}/s  p99 ${fmt(p99('no rule'), 1)} ms`);
  lines.push(`text messages, reply rule (1 ms)      ${fmt(median(results.reply.map((r) => r['reply rule'].perSecond))).padStart(7)}/s  p99 ${fmt(p99('reply rule'), 1)} ms  (${added.map(signed).join(', ')} ms per round)`);
  const cpu = (name) => Object.keys(results.reply[0][name].cpu).map((k) => `${k} ${fmt(median(results.reply.map((r) => r[name].cpu[k])))}`).join(', ');
  lines.push(`  CPU µs a message, no rule: ${cpu('no rule')}; reply rule: ${cpu('reply rule')}`);
  const pacedAdded = results.reply.map((r) => r['reply rule paced'].p99 - r['no rule paced'].p99);
  const p50 = (name) => median(results.reply.map((r) => r[name].p50));
  lines.push(`text messages at a fixed rate (${results.reply.map((r) => r['no rule paced'].rate).join(', ')}/s): no rule p50 ${fmt(p50('no rule paced'), 1)} ms, p99 ${fmt(p99('no rule paced'), 1)} ms; reply rule p50 ${fmt(p50('reply rule paced'), 1)} ms, p99 ${fmt(p99('reply rule paced'), 1)} ms  (p99 ${pacedAdded.map(signed).join(', ')} ms per round)`);
  goals.push(`goal: a reply rule adds ≤ 5 ms to p99: ${median(added) <= 5 ? 'met' : 'NOT met'} — ${signed(median(added))} ms`);
  goals.push(`  the same at the fixed rate (not saturated): ${median(pacedAdded) <= 5 ? 'met' : 'NOT met'} — ${signed(median(pacedAdded))} ms`);
}
const s = results.slow;
if (s) {
  lines.push(
    `forwarding to a 50 ms service         ${fmt(s.perSecond).padStart(7)}/s  (${s.delivered} in ${fmt(s.seconds, 1)} s after the pushes were in; ${FORWARD_CONCURRENCY} in flight allow ${fmt(s.allowed)}/s)`,
  );
  lines.push(`  the whole span, with the ${s.sentWhileReceiving} sent while the pushes were received: ${fmt(s.whole.perSecond)}/s over ${fmt(s.whole.seconds, 1)} s`);
  goals.push(`goal: forwarding to a 50 ms service ≥ 0.8 × what its concurrency allows: ${s.perSecond / s.allowed >= 0.8 ? 'met' : 'NOT met'} — ${fmt(s.perSecond / s.allowed, 2)}`);
}
console.log([...lines, '', ...goals].join('\n'));
console.log(`load average at the end: ${loadAverage()}`);
