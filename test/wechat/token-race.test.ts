// Ten processes start at once, all needing the same expired authorizer token: exactly one
// api_authorizer_token call between them, and all ten get the winner's token.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { eachDatabase } from '../helpers/databases.js';
import { COMPONENT, startWorld } from '../helpers/world.js';

const WORKER = fileURLToPath(new URL('./token-race-worker.ts', import.meta.url));

function runWorker(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

t.test('ten processes, one refresh', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize();
    await world.wechat.tokens.componentToken();
    const before = (await world.tokens.readAuthorizerToken(appid))!;
    await world.tokens.expireToken('authorizer', appid, before.token!);
    const refreshes = world.sandbox.log.count('cgi-bin/component/api_authorizer_token');

    // Start together: every worker loads, connects, then waits for the same instant.
    const startAt = String(Date.now() + 4000);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        runWorker([tdb.url, world.sandbox.url, COMPONENT.appid, COMPONENT.appsecret, appid, startAt]),
      ),
    );
    for (const r of results) t.equal(r.code, 0, r.stderr);
    const tokens = results.map((r) => JSON.parse(r.stdout.trim()).token as string);
    t.equal(new Set(tokens).size, 1, 'all ten hold the same token');
    t.not(tokens[0], before.token, 'a new token, not the expired one');
    t.equal(world.sandbox.log.count('cgi-bin/component/api_authorizer_token') - refreshes, 1, 'exactly one api_authorizer_token call');
    const after = (await world.tokens.readAuthorizerToken(appid))!;
    t.equal(after.token, tokens[0], 'the stored token is the one they use');
    t.equal(after.leaseOwner, null, 'the lease was released');
  }),
);
