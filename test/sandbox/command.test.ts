import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parseEnv } from 'node:util';
import t from 'tap';
import { main } from '../../src/cli.js';
import { MessageCrypto } from '../../src/wechat/crypto.js';
import { parseFlatXml } from '../../src/wechat/xml.js';
import { BIN, Capture } from '../helpers/cli.js';
import { until } from '../helpers/wait.js';

const SECRET_VARS = ['WXPLAT_COMPONENT_APPSECRET', 'WXPLAT_COMPONENT_TOKEN', 'WXPLAT_COMPONENT_AES_KEY'];

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'wxplat-sandbox-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `wxplat sandbox …` in this process, running until stop() (which is Ctrl-C). */
function startCommand(argv: string[], cwd: string, env: Record<string, string> = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const stdin = new PassThrough();
  stdin.end('');
  const controller = new AbortController();
  const done = main(['sandbox', ...argv], { io: { stdout, stderr, stdin, env: { ...env }, cwd }, signal: controller.signal });
  return {
    stdout,
    stderr,
    done,
    async stop(): Promise<number> {
      controller.abort();
      return done;
    },
  };
}

function readEnv(dir: string): Record<string, string> {
  return parseEnv(readFileSync(path.join(dir, '.env'), 'utf8')) as Record<string, string>;
}

t.test('--json: one object; made-up credentials go to .env; no secret is printed; Ctrl-C ends it with 0', async (t) => {
  const dir = tempDir(t);
  const run = startCommand(['--port', '0', '--json'], dir);
  await until(() => run.stdout.text.includes('\n'), 'the JSON line');
  const info = JSON.parse(run.stdout.text);
  t.same(Object.keys(info), ['url', 'appid', 'envFile', 'wrote', 'credentials', 'callbackUrl', 'ticketIntervalSeconds', 'controlUrl', 'stateFile', 'stateRestored']);
  t.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.equal(info.envFile, path.join(dir, '.env'));
  t.same(info.wrote, ['WXPLAT_COMPONENT_APPID', 'WXPLAT_COMPONENT_APPSECRET', 'WXPLAT_COMPONENT_TOKEN', 'WXPLAT_COMPONENT_AES_KEY', 'WXPLAT_API_BASE']);

  const env = readEnv(dir);
  t.equal(env.WXPLAT_API_BASE, info.url);
  t.equal(env.WXPLAT_COMPONENT_APPID, info.appid);
  t.match(env.WXPLAT_COMPONENT_APPID, /^wx[0-9a-f]{16}$/, 'values wxplat’s configuration accepts');
  t.match(env.WXPLAT_COMPONENT_APPSECRET, /^[0-9a-zA-Z]{32}$/);
  t.match(env.WXPLAT_COMPONENT_TOKEN, /^[0-9a-zA-Z]{3,32}$/);
  t.match(env.WXPLAT_COMPONENT_AES_KEY, /^[0-9a-zA-Z]{43}$/);

  // The sandbox runs with exactly those credentials.
  const state = (await (await fetch(`${info.url}/sandbox/state`)).json()) as { componentAppid: string };
  t.equal(state.componentAppid, info.appid);
  const ticket = ((await (await fetch(`${info.url}/sandbox/tickets`, { method: 'POST' })).json()) as { ticket: string }).ticket;
  const token = await fetch(`${info.url}/cgi-bin/component/api_component_token`, {
    method: 'POST',
    body: JSON.stringify({ component_appid: env.WXPLAT_COMPONENT_APPID, component_appsecret: env.WXPLAT_COMPONENT_APPSECRET, component_verify_ticket: ticket }),
  });
  t.ok(((await token.json()) as { component_access_token?: string }).component_access_token);

  t.equal(await run.stop(), 0, 'Ctrl-C is the normal end');
  for (const name of SECRET_VARS) {
    t.notOk(run.stdout.text.includes(env[name]), `${name} not on stdout`);
    t.notOk(run.stderr.text.includes(env[name]), `${name} not on stderr`);
  }
  t.equal((await fetch(`${info.url}/sandbox/state`).catch(() => null)) ?? null, null, 'closed');
});

t.test('an existing .env keeps its lines; only the missing ones are added', async (t) => {
  const dir = tempDir(t);
  const before = '# mine\nWXPLAT_COMPONENT_APPID=wx1111222233334444\nWXPLAT_API_BASE=http://127.0.0.1:1\nOTHER=1';
  writeFileSync(path.join(dir, '.env'), before, { mode: 0o600 });
  const run = startCommand(['--port', '0'], dir);
  await until(() => run.stdout.text.includes('Stop it'), 'the summary');
  const text = readFileSync(path.join(dir, '.env'), 'utf8');
  t.ok(text.startsWith(`${before}\n`), 'the old lines, unchanged, first');
  const env = readEnv(dir);
  t.equal(env.WXPLAT_COMPONENT_APPID, 'wx1111222233334444');
  t.equal(env.WXPLAT_API_BASE, 'http://127.0.0.1:1', 'not overwritten');
  t.equal(text.match(/^WXPLAT_COMPONENT_APPID=/gm)?.length, 1);
  t.match(run.stdout.text, /component appid\s+wx1111222233334444 \(partly made up/);
  t.match(run.stdout.text, /wrote to .*\.env: WXPLAT_COMPONENT_APPSECRET, WXPLAT_COMPONENT_TOKEN, WXPLAT_COMPONENT_AES_KEY\n/);
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stdout.text)![1];
  t.match(run.stdout.text, new RegExp(`^  export WXPLAT_API_BASE=${url}$`, 'm'), 'the exact export line');
  t.match(run.stderr.text, /\.env keeps WXPLAT_API_BASE=http:\/\/127\.0\.0\.1:1 \(not changed\)/);
  t.equal(await run.stop(), 0);
  for (const name of SECRET_VARS) t.notOk(run.stdout.text.includes(env[name]) || run.stderr.text.includes(env[name]), `${name} not printed`);
});

t.test('secrets are never added to a .env that others can read: refused before the sandbox starts', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, '.env');
  const before = '# mine\nOTHER=1\n';
  writeFileSync(file, before, { mode: 0o644 });
  const run = startCommand(['--port', '0'], dir);
  const code = await run.done;
  t.equal(code, 2, 'bad input: exit 2');
  t.match(run.stderr.text, /\.env is readable by others \(mode 0644\): the sandbox would write the appsecret and AES key into it/);
  t.match(run.stderr.text, /chmod 600 /);
  t.equal(readFileSync(file, 'utf8'), before, 'the file is unchanged');
  t.notMatch(run.stdout.text, /listening on/, 'the sandbox did not start');
  // A new .env is made 0600.
  rmSync(file);
  const again = startCommand(['--port', '0'], dir);
  await until(() => again.stdout.text.includes('Stop it'), 'the summary');
  t.equal(statSync(file).mode & 0o777, 0o600);
  t.equal(await again.stop(), 0);
});

t.test('configured credentials are used and .env is left alone; pushes go to --callback', async (t) => {
  const dir = tempDir(t);
  const component = {
    WXPLAT_COMPONENT_APPID: 'wx0123456789abcdef',
    WXPLAT_COMPONENT_APPSECRET: 'S3cr3tS3cr3tS3cr3tS3cr3tS3cr3t00',
    WXPLAT_COMPONENT_TOKEN: 'sandboxToken42',
    WXPLAT_COMPONENT_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  };
  const crypto = new MessageCrypto({ token: component.WXPLAT_COMPONENT_TOKEN, encodingAesKey: component.WXPLAT_COMPONENT_AES_KEY, receiveId: component.WXPLAT_COMPONENT_APPID });
  const tickets: string[] = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const event = parseFlatXml(crypto.decrypt(parseFlatXml(body).Encrypt).message);
      if (event.InfoType === 'component_verify_ticket') tickets.push(event.ComponentVerifyTicket);
      res.end('success');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => receiver.close(() => r())));
  const callback = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const run = startCommand(['--port', '0', '--callback', callback], dir, component);
  await until(() => run.stdout.text.includes('Stop it') && tickets.length > 0, 'the summary and a ticket');
  t.notOk(existsSync(path.join(dir, '.env')), 'no .env written');
  t.match(run.stdout.text, /component appid\s+wx0123456789abcdef \(from the configuration\)/);
  t.match(run.stdout.text, new RegExp(`pushes\\s+to ${callback}/wechat/… \\(a component_verify_ticket now, then every 600 s\\)`));
  t.match(tickets[0], /^ticket@@@/);
  t.equal(await run.stop(), 0);
  for (const value of [component.WXPLAT_COMPONENT_APPSECRET, component.WXPLAT_COMPONENT_TOKEN, component.WXPLAT_COMPONENT_AES_KEY]) {
    t.notOk(run.stdout.text.includes(value) || run.stderr.text.includes(value), 'no secret printed');
  }
});

t.test('bad flags are exit 2; a port in use is exit 1 with what to do', async (t) => {
  const dir = tempDir(t);
  for (const argv of [['--port', 'abc'], ['--port', '70000'], ['--latency', '-5'], ['--port', '0', '--callback', 'not a url']]) {
    const run = startCommand(argv, dir);
    t.equal(await run.done, 2, argv.join(' '));
    t.match(run.stderr.text, /^error: /m);
  }
  const busy = http.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => busy.close(() => r())));
  const run = startCommand(['--port', String((busy.address() as AddressInfo).port)], dir);
  t.equal(await run.done, 1);
  t.match(run.stderr.text, /port \d+ is in use\n\s+pass --port 0/);
});

// `npm test` builds first (pretest), so the binary is there; a missing build is a failure, not a skip.
t.test('the real binary: prints where it listens, writes .env, ends with 0 on SIGTERM', async (t) => {
  const dir = tempDir(t);
  const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0'], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  await until(() => stdout.includes('Stop it') || child.exitCode !== null, 'the summary', 60_000);
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
  t.ok(url, `printed its URL (stderr: ${stderr.trim()})`);
  // .env in this folder points at it: nothing to export for commands run here.
  t.match(stdout, new RegExp(`^wxplat commands run in this folder use it \\(\\.env has WXPLAT_API_BASE=${url}\\)\\.$`, 'm'));
  t.notMatch(stdout, /export WXPLAT_API_BASE/);
  t.match(stdout, /state +in memory: a restart forgets accounts and tokens \(--state FILE keeps them\)/);
  const res = await fetch(`${url}/sandbox/state`);
  t.equal(res.status, 200);
  const env = readEnv(dir);
  t.equal(env.WXPLAT_API_BASE, url);
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'SIGTERM: a clean stop');
  for (const name of SECRET_VARS) t.notOk(stdout.includes(env[name]) || stderr.includes(env[name]), `${name} not printed`);
});

t.test('--state FILE: an authorized account and its tokens survive a restart; the start says where state is', async (t) => {
  const dir = tempDir(t);
  const stateFile = path.join(dir, 'sandbox-state.json');
  const first = startCommand(['--port', '0', '--state', 'sandbox-state.json', '--json'], dir);
  await until(() => first.stdout.text.includes('"url"'), 'the start');
  const info = JSON.parse(first.stdout.text);
  t.equal(info.stateFile, stateFile);
  t.equal(info.stateRestored, false, 'a new file');
  const env = readEnv(dir);
  // The platform's ticket and token, and an account authorized and exchanged, at the sandbox.
  const post = async (url: string, body: unknown) => (await fetch(url, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<Record<string, any>>;
  const ticket = (await post(`${info.url}/sandbox/tickets`, {})).ticket;
  const componentToken = (await post(`${info.url}/cgi-bin/component/api_component_token`, { component_appid: env.WXPLAT_COMPONENT_APPID, component_appsecret: env.WXPLAT_COMPONENT_APPSECRET, component_verify_ticket: ticket })).component_access_token;
  const pre = (await post(`${info.url}/cgi-bin/component/api_create_preauthcode?component_access_token=${componentToken}`, { component_appid: env.WXPLAT_COMPONENT_APPID })).pre_auth_code;
  const authorized = await post(`${info.url}/sandbox/authorize`, { preAuthCode: pre });
  const auth = (await post(`${info.url}/cgi-bin/component/api_query_auth?component_access_token=${componentToken}`, { component_appid: env.WXPLAT_COMPONENT_APPID, authorization_code: authorized.authCode })).authorization_info;
  t.ok(auth.authorizer_refresh_token, 'exchanged');
  t.equal(await first.stop(), 0);
  t.ok(existsSync(stateFile), 'written at the latest at close');
  t.equal(statSync(stateFile).mode & 0o777, 0o600, 'owner-only: it holds tokens');

  const second = startCommand(['--port', '0', '--state', 'sandbox-state.json'], dir);
  await until(() => second.stdout.text.includes('Stop it'), 'the summary');
  t.match(second.stdout.text, new RegExp(`state +read from and kept in ${stateFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(second.stdout.text)![1];
  // The refresh token still works, and the component token too: no 61003 after the restart.
  const refreshed = await post(`${url}/cgi-bin/component/api_authorizer_token?component_access_token=${componentToken}`, {
    component_appid: env.WXPLAT_COMPONENT_APPID,
    authorizer_appid: auth.authorizer_appid,
    authorizer_refresh_token: auth.authorizer_refresh_token,
  });
  t.ok(refreshed.authorizer_access_token, `the account is still authorized: ${JSON.stringify(refreshed)}`);
  const state = (await (await fetch(`${url}/sandbox/state`)).json()) as { accounts: Array<{ appid: string; authorization: string }> };
  t.match(state.accounts, [{ appid: auth.authorizer_appid, authorization: 'authorized' }]);
  t.equal(await second.stop(), 0);
});

t.test('a push to a receiver that is not listening is a warning line, each time', async (t) => {
  const dir = tempDir(t);
  // A port that was free a moment ago: nothing listens there.
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const run = startCommand(['--port', '0', '--callback', `http://127.0.0.1:${port}`], dir);
  // The ticket pushed at start fails its three attempts (1 s, then 2 s apart).
  await until(() => run.stderr.text.includes('failed after'), 'the warning', 30_000);
  t.match(run.stderr.text, new RegExp(`warning: push component_verify_ticket to http://127\\.0\\.0\\.1:${port}/wechat/component failed after 3 attempts: .*ECONNREFUSED`));
  t.equal(await run.stop(), 0);
});
