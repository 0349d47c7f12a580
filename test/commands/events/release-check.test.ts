// WeChat's release check (全网发布接入检测): `serve` answers WeChat's test accounts itself, and `events
// trigger release-check` rehearses the check against a receiver, with the sandbox as WeChat.
import t from 'tap';
import { RELEASE_CHECK_ACCOUNTS } from '../../../src/core/callbacks/release-check.js';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { startSink } from '../../helpers/sink.js';
import { startWorld } from '../../helpers/world.js';
import { until } from '../../core/callbacks/helpers.js';
import { serveBinary } from '../serve/helpers.js';

t.test('serve passes the rehearsed release check; the test account never becomes an account; nothing of it is forwarded', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const sink = await startSink(t);
    t.equal((await runCli(['forward', 'add', '--to', `${sink.url}/all`], { env: world.env })).code, 0);
    t.equal((await runCli(['forward', 'add', '--to', `${sink.url}/auth`, '--route', 'component'], { env: world.env })).code, 0);
    const serve = serveBinary(world.env);
    t.teardown(() => serve.child.kill('SIGTERM'));
    const url = await serve.url;
    world.sandbox.callbackUrl = url;

    const r = await runCli(['events', 'trigger', 'release-check', '--forward-to', url, '--json'], { env: world.env });
    t.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const result = JSON.parse(r.stdout);
    t.match(result, { passed: true, account: { appid: 'wx570bc396a51b8ff8', userName: 'gh_3c884a361561' } });
    t.same(result.cases.map((c: { name: string; pass: boolean }) => [c.name, c.pass]), [['ticket', true], ['event', true], ['text', true], ['api', true]]);
    const custom = world.sandbox.customMessages('wx570bc396a51b8ff8');
    t.equal(custom.length, 1, 'one customer-service message');
    t.match(custom[0].content, /^queryauthcode@@@.+_from_api$/);

    t.notOk(await world.db.knex('official_accounts').where('appid', 'wx570bc396a51b8ff8').first(), 'never an account of the platform');
    await until(async () => (await world.db.knex('wxplat_callback_inbox').where('state', 'pending')).length === 0, 'inbox processed');
    const rows = await world.db.knex('wxplat_callback_inbox').where('appid', 'wx570bc396a51b8ff8').orderBy('id');
    t.ok(rows.some((x: { outcome: string }) => /not an account of the platform/.test(x.outcome)), 'its authorized event changed nothing');
    t.ok(rows.some((x: { outcome: string; state: string }) => x.state === 'done' && /code exchanged/.test(x.outcome)));
    t.equal(sink.requests.filter((x) => x.body.includes('wx570bc396a51b8ff8') || x.body.includes('gh_3c884a361561')).length, 0, 'no rule took a test-account push');

    const human = await runCli(['events', 'trigger', 'release-check', '--forward-to', url], { env: world.env });
    t.equal(human.code, 0);
    t.match(human.stdout, /pass {2}ticket/);
    t.match(human.stdout, /pass {2}api +QUERY_AUTH_CODE:<code> → an empty answer, then the customer-service text/);
    t.match(human.stdout, /every case passes/);
  }),
);

t.test('a receiver that does not answer as WeChat expects fails the rehearsal, each case saying why', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    // Answers success to everything: the ticket passes, no case that needs a reply does.
    const plain = await startSink(t, { body: 'success' });
    let r = await runCli(['events', 'trigger', 'release-check', '--forward-to', plain.url, '--json'], { env: world.env });
    t.equal(r.code, 1);
    let result = JSON.parse(r.stdout);
    t.same(result.cases.map((c: { pass: boolean }) => c.pass), [true, false, false, false]);
    t.match(result.cases[1].detail, 'no passive reply');
    t.match(result.cases[3].detail, 'not an empty string');
    t.match(r.stderr, /WeChat's release check would fail: event, text, api/);
    // Does not answer at all (within WeChat's 5 s).
    const silent = await startSink(t, { delayMs: 8_000 });
    r = await runCli(['events', 'trigger', 'release-check', '--forward-to', silent.url, '--json'], { env: world.env });
    t.equal(r.code, 1);
    result = JSON.parse(r.stdout);
    t.ok(result.cases.every((c: { pass: boolean; detail: string }) => !c.pass && /no answer within 5 s/.test(c.detail)));
    // Not the sandbox behind WXPLAT_API_BASE: the rehearsal says what it needs.
    r = await runCli(['events', 'trigger', 'release-check', '--forward-to', plain.url], { env: { ...world.env, WXPLAT_API_BASE: plain.url } });
    t.equal(r.code, 1);
    t.match(r.stderr, /is not the sandbox/);
  }),
);

t.test('the five test accounts are the ones WeChat lists', async (t) => {
  t.same([...RELEASE_CHECK_ACCOUNTS.keys()], ['wx570bc396a51b8ff8', 'wx9252c5e0bb1836fc', 'wx8e1097c5bc82cde9', 'wx14550af28c71a144', 'wxa35b9c23cfe664eb']);
});
