// The token listener of `wxplat serve` (WXPLAT_TOKENS_LISTEN) under load: 64 keep-alive connections
// asking for the warm tokens of 100 accounts (GET /tokens/accounts/:appid with a Bearer key, the
// accounts in turn), on SQLite and on MariaDB/MySQL, beside a bare node http server on the same machine
// that answers a fixed JSON body of the same size (the floor), all in one run. Prints requests/s, p50
// and p99 for each, each listener's ratio to the floor, and its CPU (and the MariaDB server's) per
// request. Goal: p99 < 5 ms and ≥ 0.25 × the floor.
//
// The listener runs as the real binary (`wxplat serve`, receiving and processing callbacks as deployed,
// its log on a file), set up the way an operator would: accounts authorized against the sandbox (in a
// process of its own), a key made with `wxplat token keys add`. Every answer is checked (200 and a token
// document), and no token may be refreshed during the measured rounds: the tokens are warm.
//
// The load generator is bench/lib/load.mjs (bench/serve.mjs's). The machine is shared and noisy: the
// contestants run in interleaved rounds and the figures are medians over the rounds.
//
// Knobs: BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_ACCOUNTS,
// BENCH_ONLY=sqlite|mariadb, BENCH_NODE_ARGS (for the listeners, e.g. --cpu-prof), WXPLAT_BENCH_MYSQL_URL.
//
//   npm run build && node bench/tokens.mjs
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseDatabaseUrl } from '../dist/src/config/load.js';
import { openDatabase } from '../dist/src/db/database.js';
import { loadLean } from './lib/load.mjs';
import { BIN, authorizeAccounts, envFor, freshDatabase, startSandboxProcess, wxplat } from './lib/world.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 100);
const only = process.env.BENCH_ONLY; // sqlite | mariadb: one store (and the floor)
const dir = mkdtempSync(path.join(tmpdir(), 'wxplat-bench-tokens-'));

const median = (xs) => {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

/** CPU seconds a process has used (Linux /proc; NaN elsewhere). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** The MySQL/MariaDB server's pid when it runs on this machine, for its CPU per request. */
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

/** Resolves with what the pattern captured once the child's stdout shows it. */
function waitFor(name, child, pattern) {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = pattern.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening`)));
  });
}

/** SIGTERM once; the exit code (the same promise when asked again). */
function stopper(child) {
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  let stopping;
  return () => {
    stopping ??= (child.kill('SIGTERM'), exited);
    return stopping;
  };
}

/** The floor: a bare node server in its own process, answering every request with the same JSON. */
async function floorServer(body) {
  const source = `
    const http = require('node:http');
    const body = ${JSON.stringify(body)};
    const s = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
        res.end(body);
      });
    });
    s.keepAliveTimeout = 30000;
    s.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port));
    process.on('SIGTERM', () => s.close(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = Number(await waitFor('floor', child, /listening on http:\/\/127\.0\.0\.1:(\d+)/));
  return { child, port, stop: stopper(child) };
}

/** A store with ACCOUNTS authorized accounts, a key, and `wxplat serve` with its token listener. */
async function listener(kind, sandbox) {
  const dbUrl = await freshDatabase(kind, `tokens_${process.pid}`);
  if (kind !== 'sqlite') cleanups.push(() => dropDatabase(dbUrl));
  process.stderr.write(`${kind}: authorizing ${ACCOUNTS} accounts… `);
  const appids = await authorizeAccounts(sandbox, dbUrl, ACCOUNTS);
  const env = { ...envFor(dbUrl, sandbox.url), WXPLAT_TOKENS_LISTEN: '127.0.0.1:0' };
  const { key } = JSON.parse(await wxplat(env, ['token', 'keys', 'add', '--name', 'bench', '--json']));
  const log = createWriteStream(path.join(dir, `serve-${kind}.log`));
  await new Promise((resolve) => log.once('open', resolve));
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'serve', '--port', '0'], { cwd: dir, env, stdio: ['ignore', 'pipe', log] });
  const stop = stopper(child);
  const port = Number(
    await waitFor(`serve (${kind})`, child, /tokens on http:\/\/127\.0\.0\.1:(\d+)/).catch(async (err) => {
      await stop();
      throw err;
    }),
  );
  process.stderr.write('listening\n');
  return { kind, dbUrl, appids, key, child, port, stop };
}

async function dropDatabase(url) {
  const target = parseDatabaseUrl(url, 'bench', process.cwd());
  const admin = await openDatabase(parseDatabaseUrl(url.replace(`/${target.database}`, '/mysql'), 'bench', process.cwd()));
  try {
    await admin.knex.raw(`DROP DATABASE IF EXISTS \`${target.database}\``);
  } finally {
    await admin.close();
  }
}

/** The requests: each account's token in turn, with the key, as prepared bytes. */
function requests(appids, key) {
  return appids.map((appid) => ({
    wire: Buffer.from(`GET /tokens/accounts/${appid} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\n\r\n`, 'latin1'),
  }));
}

const accept = (head, body) => head.startsWith('HTTP/1.1 200') && body.startsWith('{"token":"');

async function measure(c) {
  const run = (seconds, record) => loadLean({ port: c.port, requests: c.requests, seconds, record, wrap: true, connections: CONNECTIONS, accept });
  await run(WARMUP_SECONDS, false);
  const cpu = cpuSeconds(c.pid);
  const db = cpuSeconds(c.dbPid);
  const r = await run(SECONDS, true);
  if (r.bad > 0) throw new Error(`${c.name}: ${r.bad} answers were not 200 with a token`);
  return { ...r, cpuPerRequest: ((cpuSeconds(c.pid) - cpu) / r.ok) * 1e6, dbCpuPerRequest: ((cpuSeconds(c.dbPid) - db) / r.ok) * 1e6 };
}

const cleanups = [];
const rounds = [];
let contestants;
let sandbox;
let refreshesDuringRounds;
try {
  sandbox = await startSandboxProcess();
  cleanups.push(() => sandbox.stop());
  const stores = [];
  if (only !== 'mariadb') stores.push(await listener('sqlite', sandbox));
  if (only !== 'sqlite') {
    try {
      const s = await listener('mariadb', sandbox);
      s.dbPid = databaseServerPid();
      stores.push(s);
    } catch (err) {
      process.stderr.write(`MySQL/MariaDB unreachable (${err.code ?? err.message}): skipping it\n`);
    }
  }
  for (const s of stores) cleanups.push(s.stop);

  // The floor answers with a document of the size the listener sends.
  const sample = stores[0];
  const doc = await new Promise((resolve, reject) => {
    fetch(`http://127.0.0.1:${sample.port}/tokens/accounts/${sample.appids[0]}`, { headers: { authorization: `Bearer ${sample.key}` } })
      .then((res) => (res.ok ? res.text() : Promise.reject(new Error(`the listener answered ${res.status}`))))
      .then(resolve, reject);
  });
  const floorBody = JSON.stringify({ token: 'x'.repeat(JSON.parse(doc).token.length), expires_at: new Date().toISOString() });
  const floor = await floorServer(floorBody);
  cleanups.push(floor.stop);

  contestants = [
    { name: 'bare node http (floor)', port: floor.port, pid: floor.child.pid, requests: requests(sample.appids, sample.key), floor: true },
    ...stores.map((s) => ({ name: `wxplat token listener, ${s.kind}`, kind: s.kind, port: s.port, pid: s.child.pid, dbPid: s.dbPid, requests: requests(s.appids, s.key) })),
  ];
  const refreshes = async () => (await sandbox.control('GET', '/sandbox/log')).endpoints?.['cgi-bin/component/api_authorizer_token']?.calls ?? 0;
  const before = await refreshes();
  for (let round = 1; round <= ROUNDS; round++) {
    const results = {};
    for (const c of contestants) {
      process.stderr.write(`round ${round}/${ROUNDS}: ${c.name}… `);
      const m = await measure(c);
      process.stderr.write(`${m.perSecond.toFixed(0)}/s, p99 ${m.p99.toFixed(2)} ms, ${m.cpuPerRequest.toFixed(0)} µs CPU/request\n`);
      results[c.name] = m;
    }
    rounds.push(results);
  }
  refreshesDuringRounds = (await refreshes()) - before;
  for (const c of contestants.filter((x) => !x.floor)) c.exit = await stores.find((s) => s.port === c.port).stop();
} finally {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {});
  if (process.env.BENCH_KEEP) process.stderr.write(`kept ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}

const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '—');
const floorName = contestants[0].name;
console.log(`\n${CONNECTIONS} keep-alive connections (lean client); ${ROUNDS} interleaved rounds of ${SECONDS} s (after ${WARMUP_SECONDS} s warm-up) each;`);
console.log(`GET /tokens/accounts/:appid for ${ACCOUNTS} accounts in turn, warm tokens; medians over the rounds\n`);
console.log(`${'server'.padEnd(36)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'× floor'.padStart(8)} ${'CPU µs/req'.padStart(11)} ${'+ DB server'.padStart(12)}   per round × floor`);
const summary = {};
for (const c of contestants) {
  const per = rounds.map((r) => r[c.name]);
  const ratios = rounds.map((r) => r[c.name].perSecond / r[floorName].perSecond);
  summary[c.name] = { rate: median(per.map((m) => m.perSecond)), ratio: median(ratios), p99: median(per.map((m) => m.p99)) };
  console.log(
    `${c.name.padEnd(36)} ${fmt(summary[c.name].rate).padStart(8)} ${fmt(median(per.map((m) => m.p50)), 2).padStart(7)} ${fmt(summary[c.name].p99, 2).padStart(7)} ${fmt(summary[c.name].ratio, 2).padStart(8)} ${fmt(median(per.map((m) => m.cpuPerRequest))).padStart(11)} ${fmt(median(per.map((m) => m.dbCpuPerRequest))).padStart(12)}   ${ratios.map((x) => fmt(x, 2)).join(' ')}`,
  );
}
console.log('');
for (const c of contestants.filter((x) => !x.floor)) {
  const s = summary[c.name];
  const pass = s.p99 < 5 && s.ratio >= 0.25;
  console.log(`goal on ${c.kind} (p99 < 5 ms, ≥ 0.25 × floor): ${pass ? 'met' : 'NOT met'} — p99 ${fmt(s.p99, 2)} ms, ${fmt(s.ratio, 2)} × floor`);
}
console.log(`token refreshes during the rounds: ${refreshesDuringRounds} (the tokens were warm)`);
console.log(`listeners stopped with SIGTERM: exit ${contestants.filter((c) => !c.floor).map((c) => `${c.kind} ${c.exit}`).join(', ')}`);
const loadAverage = (() => {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
})();
console.log(`load average at the end: ${loadAverage} (${availableParallelism()} CPUs; the load generator, the servers and MariaDB share them)`);
