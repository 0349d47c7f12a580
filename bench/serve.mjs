// Throughput and latency of `wxplat serve` for encrypted TEMPLATESENDJOBFINISH posts at 64 concurrent
// keep-alive connections, on SQLite and on MariaDB/MySQL, beside a bare node http server on the same
// machine that reads the body and answers `success` (the floor), all in one run. Prints events/s and
// p99 for each, and each receiver's ratio to the floor. Goal: ≥ 0.25 of the floor on MariaDB with p99
// under 50 ms.
//
// Every request is a distinct event (its own MsgID), signed and encrypted beforehand exactly as WeChat
// sends them, and written as prepared bytes by a lean keep-alive client, so that the load generator
// takes as little of the machine as it can (with node's own http client — BENCH_CLIENT=http — the
// client, not the floor server, is the limit, and every ratio looks better than it is). The receivers
// run as the real binary with their log on a file: `wxplat serve` as deployed (receiving and processing
// the inbox), and receiving only (--no-process), to show what processing costs. CPU per event is the
// receiver's (and the MariaDB server's, when it runs here) during the measured seconds.
//
// Knobs: BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_ONLY=sqlite|mariadb,
// BENCH_RECEIVE_ONLY=0, BENCH_CLIENT=http, WXPLAT_BENCH_MYSQL_URL.
//
//   npm run build && node bench/serve.mjs
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLean as leanLoad } from './lib/load.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = process.env.BENCH_BIN ?? path.join(root, 'bin/wxplat.js');
const { MessageCrypto } = await import(path.join(root, 'dist/src/wechat/crypto.js'));
const { buildXml } = await import(path.join(root, 'dist/src/wechat/xml.js'));
const { openDatabase } = await import(path.join(root, 'dist/src/db/database.js'));
const { parseDatabaseUrl } = await import(path.join(root, 'dist/src/config/load.js'));

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const MYSQL_URL = process.env.WXPLAT_BENCH_MYSQL_URL ?? process.env.WXPLAT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const ACCOUNT = 'wxf8b4f85f3a794e77';
const component = {
  appid: 'wx1234567890abcdef',
  appsecret: '0123456789abcdef0123456789abcdef',
  token: 'benchtoken',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
const crypto = new MessageCrypto({ token: component.token, encodingAesKey: component.encodingAesKey, receiveId: component.appid });
const dir = mkdtempSync(path.join(tmpdir(), 'wxplat-bench-serve-'));

// --- requests ---

let msgid = 4_000_000_000_000_000_000n;
/** Enough distinct, signed, encrypted events for a run at `perSecond` (made before the clock starts). */
function makeRequests(count) {
  const out = new Array(count);
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < count; i++) {
    const openid = `oBench${String(i % 100000).padStart(22, '0')}`;
    const xml = buildXml({
      ToUserName: 'gh_eb5e3a772040',
      FromUserName: openid,
      CreateTime: BigInt(now),
      MsgType: 'event',
      Event: 'TEMPLATESENDJOBFINISH',
      MsgID: msgid++,
      Status: 'success',
    });
    const timestamp = String(now);
    const nonce = String(100_000_000 + i);
    const { encrypt, msgSignature } = crypto.sealEnvelope(xml, timestamp, nonce);
    const q = new URLSearchParams({ signature: crypto.signature(timestamp, nonce), timestamp, nonce, openid, encrypt_type: 'aes', msg_signature: msgSignature });
    const body = Buffer.from(buildXml({ ToUserName: 'gh_eb5e3a772040', Encrypt: encrypt }));
    const path = `/wechat/accounts/${ACCOUNT}?${q}`;
    const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: ${body.length}\r\n\r\n`;
    out[i] = { path, body, wire: Buffer.concat([Buffer.from(head), body]) };
  }
  return out;
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

/** The MySQL/MariaDB server's pid when it runs on this machine (Linux /proc), for its CPU per event. */
function databaseServerPid() {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
        if (comm === 'mariadbd' || comm === 'mysqld') return Number(entry);
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return undefined;
}

/** CPU seconds a process has used (Linux /proc; NaN elsewhere). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return NaN;
  }
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

function started(name, child) {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening`)));
  });
}

function wxplat(args, env, options = {}) {
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return spawn(process.execPath, [...nodeArgs, bin, ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, ...options });
}

async function receiver(kind, databaseUrl, args = []) {
  const env = {
    WXPLAT_DATABASE_URL: databaseUrl,
    WXPLAT_COMPONENT_APPID: component.appid,
    WXPLAT_COMPONENT_APPSECRET: component.appsecret,
    WXPLAT_COMPONENT_TOKEN: component.token,
    WXPLAT_COMPONENT_AES_KEY: component.encodingAesKey,
    WXPLAT_API_BASE: 'http://127.0.0.1:1',
  };
  execFileSync(process.execPath, [bin, 'db', 'migrate'], { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: 'ignore' });
  await addAccount(databaseUrl);
  const logFile = path.join(dir, `serve-${kind}${args.length ? '-receive-only' : ''}.log`);
  const log = createWriteStream(logFile);
  await new Promise((r) => log.once('open', r));
  const extra = (process.env.BENCH_SERVE_ARGS ?? '').split(' ').filter(Boolean);
  const child = wxplat(['serve', '--port', '0', ...args, ...extra], env, { stdio: ['ignore', 'pipe', log] });
  const s = await started(`serve (${kind})`, child);
  return { ...s, logFile };
}

/** The authorized account the events are for: `serve` stores an account's pushes only for one of its accounts. */
async function addAccount(databaseUrl) {
  const db = await openDatabase(parseDatabaseUrl(databaseUrl, 'bench', dir));
  try {
    if (!(await db.knex('official_accounts').where('appid', ACCOUNT).first())) {
      const stamp = '2026-12-01 00:00:00';
      await db.knex('official_accounts').insert({ appid: ACCOUNT, original_id: 'gh_eb5e3a772040', status: 1, created_at: stamp, updated_at: stamp });
    }
  } finally {
    await db.close();
  }
}

async function health(port) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve(JSON.parse(text)));
      })
      .on('error', reject);
  });
}

async function stop(child) {
  const exited = new Promise((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
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

async function mysqlAdmin(sql) {
  const { default: mysql } = await import('mysql2/promise');
  const u = new URL(MYSQL_URL);
  const conn = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username) || 'root', password: decodeURIComponent(u.password) });
  try {
    await conn.query(sql);
  } finally {
    await conn.end();
  }
}

// --- run ---
// The machine is shared and noisy: the contestants run in interleaved rounds and the figures are the
// medians over the rounds; each round's ratio compares runs made seconds apart.

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PER_RUN = Number(process.env.BENCH_PREPARE ?? 0) || 120_000;
const median = (xs) => {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
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
  const targets = [];
  if (only !== 'mariadb') {
    targets.push(['sqlite', `sqlite:${path.join(dir, 'bench.sqlite3')}`, []]);
    if (receiveOnly) targets.push(['sqlite', `sqlite:${path.join(dir, 'bench-receive-only.sqlite3')}`, ['--no-process']]);
  }
  if (only !== 'sqlite') {
    const names = [`wxplat_bench_${process.pid}`, `wxplat_bench_${process.pid}_r`];
    try {
      for (const name of names) await mysqlAdmin(`DROP DATABASE IF EXISTS \`${name}\``);
      cleanups.push(async () => {
        for (const name of names) await mysqlAdmin(`DROP DATABASE IF EXISTS \`${name}\``);
      });
      const url = (name) => {
        const u = new URL(MYSQL_URL);
        u.pathname = `/${name}`;
        return u.toString();
      };
      targets.push(['mariadb', url(names[0]), []]);
      if (receiveOnly) targets.push(['mariadb', url(names[1]), ['--no-process']]);
    } catch (err) {
      process.stderr.write(`MySQL/MariaDB at ${MYSQL_URL} unreachable (${err.code ?? err.message}): skipping it\n`);
    }
  }
  for (const [kind, url, args] of targets) {
    const r = await receiver(kind, url, args);
    cleanups.push(() => stop(r.child));
    const name = `wxplat serve, ${kind}${args.length ? ', receive only' : ''}`;
    contestants.push({
      name,
      port: r.port,
      child: r.child,
      pid: r.child.pid,
      dbPid: kind === 'mariadb' ? databaseServerPid() : undefined,
      kind: args.length ? `${kind} (receive only)` : kind,
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

const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '—');
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
  const after = c.floor ? '' : per.map((m) => `${m.backlog} (drained in ${fmt(m.drain, 1)} s)`).join(', ');
  console.log(
    `${c.name.padEnd(40)} ${fmt(rate).padStart(9)} ${fmt(median(per.map((m) => m.p50)), 1).padStart(7)} ${fmt(summary[c.name].p99, 1).padStart(7)} ${fmt(ratio, 2).padStart(8)} ${fmt(median(per.map((m) => m.cpuPerEvent))).padStart(13)} ${fmt(median(per.map((m) => m.dbCpuPerEvent))).padStart(12)}   ${ratios.map((x) => fmt(x, 2)).join(' ').padEnd(17)}   ${after}`,
  );
}
const maria = summary['wxplat serve, mariadb'];
const mariaReceiving = summary['wxplat serve, mariadb, receive only'];
if (maria) {
  const pass = maria.ratio >= 0.25 && maria.p99 < 50;
  console.log(`\ngoal (MariaDB ≥ 0.25 × floor, p99 < 50 ms): ${pass ? 'met' : 'NOT met'} — ${fmt(maria.ratio, 2)} × floor, p99 ${fmt(maria.p99, 1)} ms`);
  if (mariaReceiving) console.log(`receiving only (processing elsewhere): ${fmt(mariaReceiving.ratio, 2)} × floor, p99 ${fmt(mariaReceiving.p99, 1)} ms`);
}
const exits = contestants.filter((c) => c.child).map((c) => `${c.kind} ${c.exit}`);
console.log(`receivers stopped with SIGTERM: exit ${exits.join(', ')}`);
const loadAverage = (() => {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
})();
console.log(`load average at the end: ${loadAverage} (${(await import('node:os')).availableParallelism()} CPUs; the load generator, the receivers and MariaDB share them)`);
