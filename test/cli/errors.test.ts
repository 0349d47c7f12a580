// Errors that say what to do, through the real binary: WeChat not reached, a port in use, missing
// configuration, no database yet, "no" to a question, and a second Ctrl-C.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { spawnCli } from '../helpers/cli.js';
import { runOnTerminal, KEY } from '../helpers/pty.js';
import { COMPONENT } from '../helpers/world.js';
import { serveBinary } from '../commands/serve/helpers.js';
import { until } from '../helpers/wait.js';

const folder = () => mkdtempSync(path.join(tmpdir(), 'wxplat-errors-'));
const credentials = { WXPLAT_COMPONENT_APPID: COMPONENT.appid, WXPLAT_COMPONENT_APPSECRET: COMPONENT.appsecret };

/** A loopback port nobody listens on (taken, then given back). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

t.test('WeChat not reached: WXPLAT_API_BASE, its value and origin; the sandbox when it is loopback', async (t) => {
  const cwd = folder();
  t.equal((await spawnCli(['db', 'migrate'], { cwd })).code, 0);
  const base = `http://127.0.0.1:${await closedPort()}`;
  writeFileSync(path.join(cwd, '.env'), `WXPLAT_API_BASE=${base}\n`);
  const r = await spawnCli(['quota', 'clear', 'component', '--yes'], { cwd, env: credentials });
  t.equal(r.code, 1);
  t.match(r.stderr, /^error: WeChat cgi-bin\/component\/clear_quota\/v2: ECONNREFUSED \(WeChat was not reached\)\n/);
  t.match(r.stderr, `WXPLAT_API_BASE is ${base} (from .env in this folder): is the sandbox running?`);
  t.notMatch(r.stderr, /internal error/);
  t.notOk(r.stderr.includes(COMPONENT.appsecret));

  const json = await spawnCli(['quota', 'clear', 'component', '--yes', '--json'], { cwd, env: { ...credentials, WXPLAT_API_BASE: base } });
  t.equal(json.code, 1);
  const body = JSON.parse(json.stderr) as { error: { hint: string } };
  t.match(body.error.hint, `WXPLAT_API_BASE is ${base} (from the environment): is the sandbox running?`);

  const remote = await spawnCli(['quota', 'clear', 'component', '--yes'], { cwd, env: { ...credentials, WXPLAT_API_BASE: 'http://wxplat-no-such-host.invalid' } });
  t.equal(remote.code, 1);
  t.match(remote.stderr, /WXPLAT_API_BASE is http:\/\/wxplat-no-such-host\.invalid \(from the environment\): check that this host can reach it/);
  t.notMatch(remote.stderr, /sandbox/);
});

t.test('serve on a port in use says so, as sandbox does', async (t) => {
  const cwd = folder();
  t.equal((await spawnCli(['db', 'migrate'], { cwd })).code, 0);
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.teardown(() => taken.close());
  const { port } = taken.address() as AddressInfo;
  const env = { ...credentials, WXPLAT_COMPONENT_TOKEN: COMPONENT.token, WXPLAT_COMPONENT_AES_KEY: COMPONENT.encodingAesKey };
  const r = await spawnCli(['serve', '--port', String(port)], { cwd, env });
  t.equal(r.code, 1);
  t.equal(r.stderr, `error: port ${port} is in use (127.0.0.1)\n  pass --port 0 for any free port, or stop what listens there\n`);
});

t.test('missing configuration names every unset variable at once', async (t) => {
  const cwd = folder();
  t.equal((await spawnCli(['db', 'migrate'], { cwd })).code, 0);
  const r = await spawnCli(['platform', 'status'], { cwd });
  t.equal(r.code, 2);
  t.match(r.stderr, /^error: missing configuration: set WXPLAT_COMPONENT_APPID, WXPLAT_COMPONENT_APPSECRET, WXPLAT_COMPONENT_TOKEN, WXPLAT_COMPONENT_AES_KEY \(in the environment or in \.env\)/);
  const some = await spawnCli(['platform', 'status'], { cwd, env: { WXPLAT_COMPONENT_TOKEN: COMPONENT.token } });
  t.match(some.stderr, /set WXPLAT_COMPONENT_APPID, WXPLAT_COMPONENT_APPSECRET, WXPLAT_COMPONENT_AES_KEY \(/, 'the set ones are not named');
});

t.test('a command that reads does not create the database', async (t) => {
  const cwd = folder();
  for (const argv of [['account', 'list'], ['template', 'system', 'list'], ['records', 'tail']]) {
    const r = await spawnCli(argv, { cwd });
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.stderr, /^error: there is no database at sqlite:.*wxplat\.sqlite3 yet\n {2}run `wxplat db migrate` in this folder to create it/);
    t.same(readdirSync(cwd), [], 'no file left behind');
  }
  // Those that report on the database read an absent one as empty, and leave no file either.
  const status = await spawnCli(['db', 'status'], { cwd });
  t.equal(status.code, 0, status.stderr);
  t.match(status.stdout, /wxplat\.sqlite3: \d+ pending — run `wxplat db migrate`/);
  const dry = await spawnCli(['db', 'migrate', '--dry-run'], { cwd });
  t.equal(dry.code, 0, dry.stderr);
  t.same(readdirSync(cwd), [], 'db status and db migrate --dry-run leave no file');
  const json = await spawnCli(['account', 'list', '--json'], { cwd });
  t.match(JSON.parse(json.stderr), { error: { message: /there is no database/, exitCode: 2 } });
  t.equal((await spawnCli(['db', 'migrate'], { cwd })).code, 0, 'db migrate creates it');
  t.equal((await spawnCli(['account', 'list'], { cwd })).code, 0);
});

t.test('answering no is not an error: plain words, exit 1, nothing done', async (t) => {
  const cwd = folder();
  const env = { WXPLAT_DATABASE_URL: `sqlite:${path.join(cwd, 'w.sqlite3')}` };
  t.equal((await spawnCli(['db', 'migrate'], { cwd, env })).code, 0);
  t.equal((await spawnCli(['token', 'keys', 'add', '--name', 'orders'], { cwd, env })).code, 0);
  const term = runOnTerminal(['token', 'keys', 'remove', 'orders'], env);
  await term.waitFor(/Remove key "orders"\?/);
  await term.keys('n', KEY.enter);
  t.equal(await term.exit, 1, term.screen);
  t.match(term.screen, /key "orders" not removed: you answered no/);
  t.notMatch(term.screen, /error/);
  const list = await spawnCli(['token', 'keys', 'list', '--json'], { cwd, env });
  t.match(JSON.parse(list.stdout), [{ name: 'orders' }], 'the key is still there');
});

t.test('a second Ctrl-C ends the line and says how it ended', async (t) => {
  const cwd = folder();
  const env = {
    WXPLAT_DATABASE_URL: `sqlite:${path.join(cwd, 'w.sqlite3')}`,
    ...credentials,
    WXPLAT_COMPONENT_TOKEN: COMPONENT.token,
    WXPLAT_COMPONENT_AES_KEY: COMPONENT.encodingAesKey,
  };
  t.equal((await spawnCli(['db', 'migrate'], { cwd, env })).code, 0);
  const serve = serveBinary(env);
  const url = new URL(await serve.url);
  // A request that never finishes sending: the first Ctrl-C waits for it (the grace period).
  const socket = connect(Number(url.port), url.hostname);
  t.teardown(() => socket.destroy());
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write('POST /wechat/component HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n<xml>');
  serve.child.kill('SIGINT');
  await until(() => /stopping: finishing the requests in flight/.test(serve.stderr()), 'serve to begin stopping');
  serve.child.kill('SIGINT');
  const exit = await serve.exit;
  t.equal(exit.code, 130);
  t.match(serve.stderr(), /\nstopped: interrupted again, without waiting for the requests in flight; what was done is kept: run the same command again to carry on\n$/);
});
