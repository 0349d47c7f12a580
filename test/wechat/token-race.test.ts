// Ten processes, all needing the same expired authorizer token: exactly one api_authorizer_token call
// between them, and all ten get the winner's token. The race is made sure of, not hoped for: the
// processes start together on a `go` once all are connected, and WeChat's answer to the refresh is
// held (by a proxy in front of the sandbox) until all ten have asked for the token — so all ten were
// waiting on the one refresh when it was made.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { eachDatabase } from '../helpers/databases.js';
import { COMPONENT, startWorld } from '../helpers/world.js';
import { until } from '../helpers/wait.js';

const WORKER = fileURLToPath(new URL('./token-race-worker.ts', import.meta.url));
const REFRESH = 'cgi-bin/component/api_authorizer_token';

interface Worker {
  child: ChildProcess;
  lines: string[];
  done: Promise<{ code: number | null; stderr: string }>;
}

function startWorker(args: string[]): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let out = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    out += d;
    const parts = out.split('\n');
    out = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { child, lines, done };
}

/** Forwards to the sandbox; holds the refresh calls until release(). */
async function holdingProxy(t: Parameters<Parameters<typeof eachDatabase>[1]>[0], target: string) {
  const held: Array<() => void> = [];
  let refreshes = 0;
  let releasing = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const forward = async () => {
        const answer = await fetch(`${target}${req.url}`, {
          method: req.method,
          headers: { 'content-type': String(req.headers['content-type'] ?? 'application/json') },
          body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
        });
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await answer.arrayBuffer()));
      };
      if (req.url?.includes(REFRESH)) {
        refreshes++;
        if (!releasing) {
          held.push(() => void forward());
          return;
        }
      }
      void forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refreshes: () => refreshes,
    held: () => held.length,
    release() {
      releasing = true;
      for (const go of held.splice(0)) go();
    },
  };
}

t.test('ten processes, one refresh', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize();
    await world.wechat.tokens.componentToken();
    const before = (await world.tokens.readAuthorizerToken(appid))!;
    await world.tokens.expireToken('authorizer', appid, before.token!);
    const sandboxRefreshes = world.sandbox.log.count(REFRESH);
    const proxy = await holdingProxy(t, world.sandbox.url);

    const workers = Array.from({ length: 10 }, () => startWorker([tdb.url, proxy.url, COMPONENT.appid, COMPONENT.appsecret, appid]));
    t.teardown(() => workers.forEach((w) => w.child.kill()));
    await until(() => workers.every((w) => w.lines.includes('ready')), 'all ten to connect');
    for (const w of workers) w.child.stdin!.write('go\n');

    // The one refresh is on its way to WeChat, held there, while every process asks for the token.
    await until(() => proxy.held() === 1 && workers.every((w) => w.lines.includes('asking')), 'the refresh and all ten asking');
    t.equal(proxy.refreshes(), 1, 'one refresh call made');
    t.equal(workers.filter((w) => w.lines.length > 2).length, 0, 'no process has a token yet: all ten are waiting on it');
    const leased = (await world.tokens.readAuthorizerToken(appid))!;
    t.ok(leased.leaseOwner, `the refresh lease is held (${leased.leaseOwner})`);
    proxy.release();

    const results = await Promise.all(workers.map((w) => w.done));
    for (const r of results) t.equal(r.code, 0, r.stderr);
    const tokens = workers.map((w) => JSON.parse(w.lines[2]).token as string);
    t.equal(new Set(tokens).size, 1, 'all ten hold the same token');
    t.not(tokens[0], before.token, 'a new token, not the expired one');
    t.equal(proxy.refreshes(), 1, 'exactly one api_authorizer_token call between them');
    t.equal(world.sandbox.log.count(REFRESH) - sandboxRefreshes, 1, 'and WeChat saw one');
    const after = (await world.tokens.readAuthorizerToken(appid))!;
    t.equal(after.token, tokens[0], 'the stored token is the one they use');
    t.equal(after.leaseOwner, null, 'the lease was released');
  }),
);
