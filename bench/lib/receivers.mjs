// What the receiver benchmarks (bench/serve.mjs, bench/forward.mjs) share: the platform's credentials,
// pushes sealed beforehand exactly as WeChat sends them, `wxplat serve` started as the real binary on a
// database of its own with the account the pushes are for, its health, and MariaDB's administration.
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { MessageCrypto } = await import(path.join(ROOT, 'dist/src/wechat/crypto.js'));
const { buildXml } = await import(path.join(ROOT, 'dist/src/wechat/xml.js'));
const { openDatabase } = await import(path.join(ROOT, 'dist/src/db/database.js'));
const { parseDatabaseUrl } = await import(path.join(ROOT, 'dist/src/config/load.js'));

export { buildXml };
export const BIN = process.env.BENCH_BIN ?? path.join(ROOT, 'bin/wxplat.js');
export const MYSQL_URL = process.env.WXPLAT_BENCH_MYSQL_URL ?? process.env.WXPLAT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
export const ACCOUNT = 'wxf8b4f85f3a794e77';
export const ORIGINAL_ID = 'gh_eb5e3a772040';
export const COMPONENT = {
  appid: 'wx1234567890abcdef',
  appsecret: '0123456789abcdef0123456789abcdef',
  token: 'benchtoken',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
const crypto = new MessageCrypto({ token: COMPONENT.token, encodingAesKey: COMPONENT.encodingAesKey, receiveId: COMPONENT.appid });

/**
 * `count` distinct pushes to the account's URL, signed and encrypted beforehand (before the clock
 * starts): `event(i, openid, createTime)` gives the fields of the i-th. Each has its prepared bytes
 * (`wire`) for the lean load generator.
 */
export function makePushes(count, event) {
  const out = new Array(count);
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < count; i++) {
    const openid = `oBench${String(i % 100000).padStart(22, '0')}`;
    const xml = buildXml({ ToUserName: ORIGINAL_ID, FromUserName: openid, CreateTime: BigInt(now), ...event(i) });
    const timestamp = String(now);
    const nonce = String(100_000_000 + i);
    const { encrypt, msgSignature } = crypto.sealEnvelope(xml, timestamp, nonce);
    const q = new URLSearchParams({ signature: crypto.signature(timestamp, nonce), timestamp, nonce, openid, encrypt_type: 'aes', msg_signature: msgSignature });
    const body = Buffer.from(buildXml({ ToUserName: ORIGINAL_ID, Encrypt: encrypt }));
    const urlPath = `/wechat/accounts/${ACCOUNT}?${q}`;
    const head = `POST ${urlPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: ${body.length}\r\n\r\n`;
    out[i] = { path: urlPath, body, wire: Buffer.concat([Buffer.from(head), body]) };
  }
  return out;
}

/** Resolves with the child and its port once it prints `listening on http://127.0.0.1:PORT`. */
export function started(name, child) {
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

export function receiverEnv(databaseUrl) {
  return {
    WXPLAT_DATABASE_URL: databaseUrl,
    WXPLAT_COMPONENT_APPID: COMPONENT.appid,
    WXPLAT_COMPONENT_APPSECRET: COMPONENT.appsecret,
    WXPLAT_COMPONENT_TOKEN: COMPONENT.token,
    WXPLAT_COMPONENT_AES_KEY: COMPONENT.encodingAesKey,
    WXPLAT_API_BASE: 'http://127.0.0.1:1',
  };
}

/** The real binary, synchronously (set-up steps: migrate, forward add). */
export function wxplatSync(dir, databaseUrl, args) {
  return execFileSync(process.execPath, [BIN, ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...receiverEnv(databaseUrl) }, encoding: 'utf8' });
}

/** A migrated database with the account the pushes are for (serve stores an account's pushes only for one of its accounts). */
export async function prepareDatabase(dir, databaseUrl) {
  wxplatSync(dir, databaseUrl, ['db', 'migrate']);
  const db = await openDatabase(parseDatabaseUrl(databaseUrl, 'bench', dir));
  try {
    if (!(await db.knex('official_accounts').where('appid', ACCOUNT).first())) {
      const stamp = '2026-12-01 00:00:00';
      await db.knex('official_accounts').insert({ appid: ACCOUNT, original_id: ORIGINAL_ID, status: 1, created_at: stamp, updated_at: stamp });
    }
  } finally {
    await db.close();
  }
}

/**
 * `wxplat serve` on a prepared database, its log in `dir`; or, given `script`, another receiver started
 * the same way (`node SCRIPT --port 0`, the same environment).
 */
export async function startReceiver(dir, name, databaseUrl, args = [], script = null) {
  const logFile = path.join(dir, `serve-${name.replace(/\W+/g, '-')}.log`);
  const log = createWriteStream(logFile);
  await new Promise((r) => log.once('open', r));
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const extra = (process.env.BENCH_SERVE_ARGS ?? '').split(' ').filter(Boolean);
  const command = script ? [script, '--port', '0'] : [BIN, 'serve', '--port', '0', ...args, ...extra];
  const child = spawn(process.execPath, [...nodeArgs, ...command], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...receiverEnv(databaseUrl) },
    stdio: ['ignore', 'pipe', log],
  });
  return { ...(await started(`serve (${name})`, child)), logFile };
}

export function health(port) {
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

export function stop(child) {
  const exited = new Promise((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}

export async function mysqlAdmin(sql) {
  const { default: mysql } = await import('mysql2/promise');
  const u = new URL(MYSQL_URL);
  const conn = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username) || 'root', password: decodeURIComponent(u.password) });
  try {
    const [rows] = await conn.query(sql);
    return rows;
  } finally {
    await conn.end();
  }
}

/** The URL of a database of this name on the benchmark's MariaDB/MySQL. */
export function mysqlDatabase(name) {
  const u = new URL(MYSQL_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The MySQL/MariaDB server's pid when it runs on this machine (Linux /proc), for its CPU per event. */
export function databaseServerPid() {
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
export function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return NaN;
  }
}

export const median = (xs) => {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

export const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '—');

export function loadAverage() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}
