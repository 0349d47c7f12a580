// What the benchmarks share: a sandbox process, a database migrated and seeded, the platform's
// credentials, an authorized account with a synced template — set up the way an operator would, through
// the compiled wxplat (dist/) and its binary.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseDatabaseUrl } from '../../dist/src/config/load.js';
import { completeAuthorization } from '../../dist/src/core/accounts/authorize.js';
import { openDatabase } from '../../dist/src/db/database.js';
import { migrateLatest } from '../../dist/src/db/migrator.js';
import { TokenRepository } from '../../dist/src/db/repositories/tokens.js';
import { WeChatClient } from '../../dist/src/wechat/client.js';
import { seed } from '../../dist/seeds/01_industry_codes.js';

const run = promisify(execFile);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/wxplat.js');
export const COMPONENT = {
  appid: 'wx0bench0000000001',
  appsecret: 'Bench0Sandbox0Secret000000000000',
  token: 'wxplatBench',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

export const clock = { now: () => new Date() };

export async function startSandboxProcess(options = {}) {
  const child = spawn(process.execPath, [path.join(ROOT, 'bench/lib/sandbox-child.mjs'), JSON.stringify({ component: COMPONENT, dailySendQuota: 100_000_000, ...options })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const line = buf.split('\n')[0];
      if (buf.includes('\n')) resolve(JSON.parse(line).url);
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
  });
  const control = async (method, p, body) => {
    const res = await fetch(`${url}${p}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return { url, control, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) };
}

/** A fresh database: `mysql` (a new database on WXPLAT_BENCH_MYSQL_URL's server) or `sqlite` (a temp file). */
export async function freshDatabase(kind, name) {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), `wxplat-bench-${name}-`));
    return `sqlite:${path.join(dir, 'wxplat.sqlite3')}`;
  }
  const base = process.env.WXPLAT_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
  const admin = await openDatabase(parseDatabaseUrl(base, 'bench', process.cwd()));
  await admin.knex.raw(`DROP DATABASE IF EXISTS \`wxplat_bench_${name}\``);
  await admin.knex.raw(`CREATE DATABASE \`wxplat_bench_${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
  await admin.close();
  const url = new URL(base);
  url.pathname = `/wxplat_bench_${name}`;
  return url.toString();
}

export function envFor(dbUrl, apiBase) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    WXPLAT_DATABASE_URL: dbUrl,
    WXPLAT_API_BASE: apiBase,
    WXPLAT_COMPONENT_APPID: COMPONENT.appid,
    WXPLAT_COMPONENT_APPSECRET: COMPONENT.appsecret,
    WXPLAT_COMPONENT_TOKEN: COMPONENT.token,
    WXPLAT_COMPONENT_AES_KEY: COMPONENT.encodingAesKey,
  };
}

export async function wxplat(env, args) {
  const { stdout } = await run(process.execPath, [BIN, ...args], { env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/**
 * Migrates and seeds the database, stores a ticket, authorizes an account with `followers` followers
 * and gives it a synced template. Returns what the measurements need.
 */
export async function prepareAccount(sandbox, dbUrl, followers) {
  const db = await openDatabase(parseDatabaseUrl(dbUrl, 'bench', process.cwd()));
  try {
    await migrateLatest(db);
    await seed(db.knex, clock.now());
    const tokens = new TokenRepository(db.knex, clock);
    const { ticket } = await sandbox.control('POST', '/sandbox/tickets');
    await tokens.saveTicket(COMPONENT.appid, ticket, clock.now());
    const wechat = new WeChatClient({ apiBase: sandbox.url, component: { appid: COMPONENT.appid, appsecret: COMPONENT.appsecret }, store: tokens, clock });
    const pre = await wechat.createPreauthcode();
    const auth = await sandbox.control('POST', '/sandbox/authorize', { preAuthCode: pre.pre_auth_code });
    await sandbox.control('POST', '/sandbox/followers', { appid: auth.appid, count: followers });
    await completeAuthorization({ db, wechat, clock }, auth.authCode);
    const env = envFor(dbUrl, sandbox.url);
    const library = (await sandbox.control('GET', '/sandbox/library')).find((l) => l.industryCode === 1);
    const content = library.keywords.map((k) => `${k.name}:{{${k.key}.DATA}}`).join('\n');
    await wxplat(env, ['template', 'system', 'add', '--code', library.shortId, '--title', library.title, '--industry', '1', '--content', content, '--keywords', library.keywords.map((k) => k.name).join(',')]);
    await wxplat(env, ['industry', 'set', auth.appid, '1', '2', '--yes']);
    await wxplat(env, ['template', 'sync', auth.appid]);
    const templateId = (await wechat.account(auth.appid).listTemplates()).template_list[0].template_id;
    const accessToken = await wechat.tokens.authorizerToken(auth.appid);
    const data = Object.fromEntries(library.keywords.map((k) => [k.key, { value: k.key.startsWith('time') ? '2026年11月28日 12:00' : k.key.startsWith('character') ? 'SN1' : '内容' }]));
    const dataArgs = Object.entries(data).flatMap(([k, v]) => ['--data', `${k}=${v.value}`]);
    return { appid: auth.appid, env, code: library.shortId, templateId, accessToken, data, dataArgs };
  } finally {
    await db.close();
  }
}

/**
 * Migrates and seeds the database, stores a ticket and authorizes `count` accounts (no followers, no
 * templates): for benchmarks that need many accounts with warm tokens. Returns their appids.
 */
export async function authorizeAccounts(sandbox, dbUrl, count) {
  const db = await openDatabase(parseDatabaseUrl(dbUrl, 'bench', process.cwd()));
  try {
    await migrateLatest(db);
    await seed(db.knex, clock.now());
    const tokens = new TokenRepository(db.knex, clock);
    const { ticket } = await sandbox.control('POST', '/sandbox/tickets');
    await tokens.saveTicket(COMPONENT.appid, ticket, clock.now());
    const wechat = new WeChatClient({ apiBase: sandbox.url, component: { appid: COMPONENT.appid, appsecret: COMPONENT.appsecret }, store: tokens, clock });
    const appids = [];
    for (let i = 0; i < count; i++) {
      const pre = await wechat.createPreauthcode();
      const auth = await sandbox.control('POST', '/sandbox/authorize', { preAuthCode: pre.pre_auth_code });
      await completeAuthorization({ db, wechat, clock }, auth.authCode);
      appids.push(auth.appid);
    }
    return appids;
  } finally {
    await db.close();
  }
}

/** The first n followers' openids, in a recipients file. */
export async function recipientsFile(sandbox, appid, n, offset = 0) {
  const dir = mkdtempSync(path.join(tmpdir(), 'wxplat-bench-to-'));
  const file = path.join(dir, 'to.txt');
  const lines = [];
  for (let at = offset; at < offset + n; at += 100_000) {
    const page = await sandbox.control('GET', `/sandbox/followers?appid=${appid}&offset=${at}&limit=${Math.min(100_000, offset + n - at)}`);
    lines.push(page.openids.join('\n'));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** The real binary, to its exit: wall seconds, peak RSS (MB, from /usr/bin/time) and its --json summary. */
export function runWxplat(env, argv) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    // /usr/bin/time reports the child's peak RSS (kilobytes) on stderr's last line.
    const child = spawn('/usr/bin/time', ['-f', 'peak-rss-kb=%M', process.execPath, BIN, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const rss = Number(/peak-rss-kb=(\d+)/.exec(stderr)?.[1] ?? 0) / 1024;
      if (code !== 0) return reject(new Error(`wxplat exited ${code}: ${stderr.slice(-2000)}`));
      resolve({ seconds, rssMb: rss, summary: JSON.parse(stdout) });
    });
  });
}
