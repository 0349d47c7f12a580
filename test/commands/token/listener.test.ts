// The token listener of `wxplat serve`, through the real binary, on both stores: two serve processes on
// one database, each with WXPLAT_TOKENS_LISTEN, against the sandbox.
//
//   - 50 concurrent clients spread over both, the account's token expiring mid-run: exactly one
//     api_authorizer_token call at the sandbox, every answer after the expiry the new (valid) token;
//   - fifty reports of one token at once: one refresh; a report of the old token: none;
//   - an account that withdraws (`unauthorized`, pushed by the sandbox to one serve): 410 from the next
//     request on, at both;
//   - 401 / 403 / 404 / 405 / 400 as the listener promises, each refusal logged with the key's name;
//   - a removed key is refused within a second;
//   - no token and no key in any log line of the whole test (the serves' logs, every command's stderr).
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { toSqlDateTime } from '../../../src/db/time.js';
import { spawnCli, type RunResult } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { until } from '../../core/callbacks/helpers.js';
import { startWorld } from '../../helpers/world.js';
import { addKey, ask, serveWithTokens, storedSecrets } from './helpers.js';

const REFRESH = 'cgi-bin/component/api_authorizer_token';
const GETTICKET = 'cgi-bin/ticket/getticket';

t.test('two serve processes, fifty clients, one token expiring, reports, a withdrawn account, refusals, clean logs', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { sandbox } = world;
    const a = await world.authorize();
    const b = await world.authorize();
    const runs: RunResult[] = [];
    const all = await addKey(world, 'checkout');
    const scoped = await addKey(world, 'menus-b', [b.appid]);
    runs.push(all.run, scoped.run);

    const one = await serveWithTokens(t, world);
    const two = await serveWithTokens(t, world, ['--no-process']);
    t.not(one.tokensUrl, one.callbackUrl, 'a listener of its own');
    const listeners = [one.tokensUrl, two.tokensUrl];
    const valid = async (token: string) => {
      const answer = (await (await fetch(`${sandbox.url}/${GETTICKET}?access_token=${token}&type=jsapi`)).json()) as { errcode: number };
      return answer.errcode === 0;
    };

    // --- fifty clients, the token expiring during the run ---
    const path = `/tokens/accounts/${a.appid}`;
    const first = await ask(one.tokensUrl, path, { key: all.key });
    t.equal(first.status, 200);
    t.same(Object.keys(first.body), ['token', 'expires_at', 'expiresAt']);
    t.equal(first.body.expires_at, first.body.expiresAt, 'expires_at (the HTTP contract) and expiresAt are the same time');
    t.equal(first.headers['cache-control'], 'no-store');
    const old = first.body.token as string;
    t.equal(old, (await world.tokens.readAuthorizerToken(a.appid))!.token, 'the stored token');
    const refreshesBefore = sandbox.log.count(REFRESH);

    let answered = 0;
    let expiredAt = Infinity;
    const answers: Array<{ startedAt: number; status: number; token: string }> = [];
    const expire = async () => {
      // The token runs out: its expiry is now a second ago (as after two idle hours).
      await world.db.knex('wxplat_authorizer_tokens').where('authorizer_appid', a.appid).update({ access_token_expires_at: toSqlDateTime(new Date(Date.now() - 1000)) });
      expiredAt = performance.now();
    };
    let expiring: Promise<void> | undefined;
    const client = async (i: number) => {
      for (let n = 0; n < 30; n++) {
        const startedAt = performance.now();
        const r = await ask(listeners[(i + n) % 2], path, { key: all.key });
        answers.push({ startedAt, status: r.status, token: r.body.token });
        if (++answered === 300) expiring = expire();
      }
    };
    await Promise.all(Array.from({ length: 50 }, (_, i) => client(i)));
    await expiring;
    t.equal(answers.length, 1500);
    t.same([...new Set(answers.map((x) => x.status))], [200], 'every client got a token');
    const after = answers.filter((x) => x.startedAt > expiredAt);
    t.ok(after.length >= 900, `${after.length} requests after the expiry`);
    const fresh = after[0].token;
    t.not(fresh, old, 'a new token after the expiry');
    t.same([...new Set(after.map((x) => x.token))], [fresh], 'every answer after the expiry is the new token');
    t.same([...new Set(answers.map((x) => x.token))].sort(), [old, fresh].sort(), 'nothing but the old and the new');
    t.equal(sandbox.log.count(REFRESH) - refreshesBefore, 1, 'exactly one api_authorizer_token call, for two processes and fifty clients');
    t.ok(await valid(fresh), 'the new token works at WeChat');

    // --- fifty reports of one token at once; then a report of the old one ---
    const reports = await Promise.all(
      Array.from({ length: 50 }, (_, i) => ask(listeners[i % 2], `${path}/invalid`, { key: all.key, method: 'POST', body: JSON.stringify({ token: fresh }) })),
    );
    t.same([...new Set(reports.map((r) => r.status))], [200]);
    const replaced = reports[0].body.token as string;
    t.not(replaced, fresh);
    t.same([...new Set(reports.map((r) => r.body.token))], [replaced], 'all fifty answered with the one new token');
    t.equal(sandbox.log.count(REFRESH) - refreshesBefore, 2, 'fifty reports: one refresh');
    t.ok(await valid(replaced));
    const late = await ask(two.tokensUrl, `${path}/invalid`, { key: all.key, method: 'POST', body: JSON.stringify({ token: fresh }) });
    t.equal(late.status, 200);
    t.equal(late.body.token, replaced, 'the current token');
    t.equal(sandbox.log.count(REFRESH) - refreshesBefore, 2, 'a report of an old token: no refresh');
    // Log lines are written once per turn of serve's event loop: wait for them, then look.
    await until(() => /outcome=already-replaced/.test(one.log() + two.log()), 'the late report logged');
    t.match(one.log() + two.log(), /info token reported invalid key=checkout appid=wx\w+ outcome=expired/);
    t.match(one.log() + two.log(), /outcome=already-replaced/);

    // --- the jsapi_ticket and the component token ---
    const jsapi = await Promise.all(listeners.map((l) => ask(l, `/tokens/accounts/${b.appid}/jsapi-ticket`, { key: scoped.key })));
    t.same(jsapi.map((r) => r.status), [200, 200]);
    t.equal(jsapi[0].body.token, jsapi[1].body.token);
    t.equal(sandbox.log.count(GETTICKET), 3, 'one getticket call (two were the validity checks above)');
    const component = await ask(two.tokensUrl, '/tokens/component', { key: all.key });
    t.equal(component.status, 200);
    t.equal(component.body.token, (await world.tokens.readComponentToken(world.sandbox.componentAppid))!.token);

    // --- refusals ---
    const refused: Array<[string, Promise<{ status: number; body: any; headers: any }>, number]> = [
      ['no key', ask(one.tokensUrl, path), 401],
      ['a wrong key', ask(one.tokensUrl, path, { key: `${all.key.slice(0, -2)}xx` }), 401],
      ['not Bearer', ask(one.tokensUrl, path, { headers: { authorization: `Basic ${all.key}` } }), 401],
      ['another account', ask(one.tokensUrl, path, { key: scoped.key }), 403],
      ['the component token, scoped key', ask(one.tokensUrl, '/tokens/component', { key: scoped.key }), 403],
      ['an unknown account', ask(one.tokensUrl, '/tokens/accounts/wx00000000000000ff', { key: all.key }), 404],
      ['no such route', ask(one.tokensUrl, '/tokens/accounts', { key: all.key }), 404],
      ['not an appid', ask(one.tokensUrl, '/tokens/accounts/gh_123', { key: all.key }), 404],
      ['a POST to a GET', ask(one.tokensUrl, path, { key: all.key, method: 'POST', body: '{}' }), 405],
      ['a report without a token', ask(one.tokensUrl, `${path}/invalid`, { key: all.key, method: 'POST', body: '{"tok":1}' }), 400],
      ['a report not JSON', ask(one.tokensUrl, `${path}/invalid`, { key: all.key, method: 'POST', body: 'token=1' }), 400],
      ['a report too large', ask(one.tokensUrl, `${path}/invalid`, { key: all.key, method: 'POST', body: JSON.stringify({ token: 'x'.repeat(5000) }) }), 413],
    ];
    for (const [what, answer, status] of refused) {
      const r = await answer;
      t.equal(r.status, status, what);
      t.notOk(JSON.stringify(r.body).includes(all.key) || JSON.stringify(r.body).includes(replaced), `${what}: no secret in the answer`);
    }
    const unauthorized = await refused[0][1];
    t.same(unauthorized.body, { error: 'unauthorized' }, '401 with no detail');
    t.equal(unauthorized.headers['www-authenticate'], 'Bearer');
    // A line is written after its answer is sent: wait for them all, then read the log.
    const refusals = () => (one.log().match(/ warn refused /g) ?? []).length;
    await until(() => refusals() >= refused.length, 'every refusal logged');
    const log = one.log();
    t.equal(refusals(), refused.length, 'every refusal logged, once');
    t.match(log, new RegExp(`warn refused GET ${path} status=401 appid=${a.appid} reason=no-key`));
    t.equal((log.match(new RegExp(`warn refused GET ${path} status=401 appid=${a.appid} reason=wrong-key`, 'g')) ?? []).length, 2);
    t.match(log, new RegExp(`warn refused GET ${path} status=403 appid=${a.appid} key=menus-b reason=out-of-scope`));
    t.match(log, /warn refused GET \/tokens\/component status=403 key=menus-b reason=out-of-scope/);
    t.match(log, /warn refused GET \/tokens\/accounts\/wx00000000000000ff status=404 appid=wx00000000000000ff key=checkout reason=unknown-account/);
    t.match(log, /warn refused GET "\/tokens\/accounts\/gh_123" status=404 reason=no-route/);
    t.match(log, new RegExp(`warn refused POST ${path} status=405 reason=method`));
    t.equal((log.match(/status=400 appid=\w+ key=checkout reason=bad-body/g) ?? []).length, 2);
    t.match(log, /status=413 appid=\w+ key=checkout reason=too-large/);

    // --- the account withdraws: 410 from the next request on, at both listeners ---
    sandbox.callbackUrl = one.callbackUrl;
    await sandbox.unauthorize(b.appid);
    await until(async () => (await world.db.knex('official_accounts').where('appid', b.appid).first()).status === -2, 'the unauthorized event processed');
    for (const l of listeners) {
      for (const suffix of ['', '/jsapi-ticket']) {
        const r = await ask(l, `/tokens/accounts/${b.appid}${suffix}`, { key: scoped.key });
        t.equal(r.status, 410, `withdrawn: ${suffix || 'token'}`);
        t.equal(r.body.error, 'not_authorized');
      }
    }
    const report = await ask(two.tokensUrl, `/tokens/accounts/${b.appid}/invalid`, { key: all.key, method: 'POST', body: JSON.stringify({ token: 'whatever' }) });
    t.equal(report.status, 410);

    // --- a removed key is refused within a second ---
    const removed = await spawnCli(['token', 'keys', 'remove', 'menus-b', '--yes'], { env: world.env });
    runs.push(removed);
    t.equal(removed.code, 0, removed.stderr);
    await until(async () => (await ask(two.tokensUrl, `/tokens/accounts/${b.appid}`, { key: scoped.key })).status === 401, 'the removed key refused', 5000);

    const list = await spawnCli(['token', 'keys', 'list', '--json'], { env: world.env });
    runs.push(list);
    const used = JSON.parse(list.stdout).find((k: { name: string }) => k.name === 'checkout');
    t.type(used.lastUsedAt, 'string', 'last use recorded');

    // --- stop; nothing secret in any log line ---
    const ends = await Promise.all([one.stop(), two.stop()]);
    t.same(ends.map((e) => e.code), [0, 0], 'SIGTERM: exit 0');
    const secrets = [all.key, scoped.key, old, fresh, replaced, component.body.token, jsapi[0].body.token, ...(await storedSecrets(world))];
    const logs = [...ends.map((e) => e.stderr), ...runs.map((r) => r.stderr)].join('\n');
    t.ok(logs.length > 1000, 'the logs were captured');
    const leaked = secrets.filter((s) => logs.includes(s));
    t.same(leaked.map((s) => `${s.slice(0, 4)}…`), [], 'no token or key in any log line');
    t.notOk(ends.some((e) => secrets.some((s) => e.stdout.includes(s))), 'nor on serve’s stdout');
  }),
);
