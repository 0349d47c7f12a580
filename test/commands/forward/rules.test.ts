// `wxplat forward add|list|remove|rotate-secret|test`: rules stored for every serve host, their secrets
// handed over once, and every bad rule refused with exit 2 before anything is stored.
import t from 'tap';
import { openDatabase } from '../../../src/db/database.js';
import { verifyForward } from '../../../src/core/forwarding/request.js';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { startSink } from '../../helpers/sink.js';

const SECRET = /signing secret: (fwsec_[A-Za-z0-9_-]{43})/;

t.test('forward add, list, test, rotate-secret, remove', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const env = { WXPLAT_DATABASE_URL: tdb.url, WXPLAT_COMPONENT_APPID: 'wx1234567890abcdef' };
    t.equal((await runCli(['db', 'migrate'], { env })).code, 0);
    const sink = await startSink(t);
    let r = await runCli(['forward', 'add', '--to', `${sink.url}/wx/$APPID$`, '--msg-type', 'TEXT,image', '--event', 'click,subscribe', '--name', 'cs'], { env });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, 'rule 1 (cs): async xml');
    t.match(r.stdout, 'takes text,image,CLICK,subscribe of every account (account route)', "names stored in WeChat's spelling");
    const secret = SECRET.exec(r.stdout)![1];
    t.match(r.stderr, /not shown again/);

    r = await runCli(['forward', 'add', '--to', `${sink.url}/audit`, '--route', 'component', '--info-type', 'authorized,unauthorized', '--format', 'json', '--json'], { env });
    t.equal(r.code, 0, r.stderr);
    const added = JSON.parse(r.stdout);
    t.match(added, { rule: { id: 2, route: 'component', infoTypes: ['authorized', 'unauthorized'], format: 'json', mode: 'async', retryForSeconds: 86400 } });
    t.match(added.secret, /^fwsec_/, '--json hands the secret over too, once');

    r = await runCli(['forward', 'add', '--to', `${sink.url}/reply`, '--mode', 'reply', '--msg-type', 'text', '--appid', 'wx0123456789abcdef', '--name', 'bot'], { env });
    t.equal(r.code, 0, r.stderr);

    // list: the rules, never a secret
    r = await runCli(['forward', 'list', '--json'], { env });
    t.equal(r.code, 0);
    const listed = JSON.parse(r.stdout);
    t.same(listed.map((x: { id: number }) => x.id), [1, 2, 3]);
    t.notOk(r.stdout.includes('fwsec_'), 'no secret in the list');
    t.same(listed[0].backlog, { pending: 0, oldestPendingAt: null, dead: 0, delivered: 0 });
    r = await runCli(['forward', 'list'], { env });
    t.match(r.stdout, /\tcs\tasync xml\t/);
    t.notOk(r.stdout.includes('fwsec_'));

    // test: a signed sample to the target
    r = await runCli(['forward', 'test', 'cs', '--sample', 'click', '--json'], { env });
    t.equal(r.code, 0, r.stderr);
    const tested = JSON.parse(r.stdout);
    t.match(tested, { rule: 1, sample: 'click', status: 200, delivered: true, answer: 'ok' });
    const got = sink.requests.at(-1)!;
    t.equal(got.path, '/wx/wx0000000000000000', '$APPID$ filled in');
    t.equal(got.headers['x-wxplat-event-id'], tested.eventId);
    t.match(got.body, /<Event><!\[CDATA\[CLICK\]\]><\/Event>/);
    t.ok(verifyForward(secret, String(got.headers['x-wxplat-timestamp']), got.body, String(got.headers['x-wxplat-signature'])), 'signed with the secret add printed');
    sink.answer = { status: 503, body: 'busy' };
    r = await runCli(['forward', 'test', '1'], { env });
    t.equal(r.code, 1, 'a target that refuses: exit 1');
    t.match(r.stdout, /503 in \d+ ms: busy/);
    sink.answer = { body: '<xml><ToUserName><![CDATA[o1]]></ToUserName><FromUserName><![CDATA[gh_1]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content></xml>' };
    r = await runCli(['forward', 'test', 'bot'], { env });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /reply to WeChat: <xml>.*hi/);
    t.equal(sink.requests.at(-1)!.path, '/reply');

    // rotate-secret: a new one, and requests are signed with it
    r = await runCli(['forward', 'rotate-secret', 'cs'], { env });
    t.equal(r.code, 0, r.stderr);
    const rotated = /new signing secret (fwsec_\S+)/.exec(r.stdout)![1];
    t.not(rotated, secret);
    sink.answer = {};
    await runCli(['forward', 'test', 'cs'], { env });
    const last = sink.requests.at(-1)!;
    t.ok(verifyForward(rotated, String(last.headers['x-wxplat-timestamp']), last.body, String(last.headers['x-wxplat-signature'])));
    t.notOk(verifyForward(secret, String(last.headers['x-wxplat-timestamp']), last.body, String(last.headers['x-wxplat-signature'])), 'the old secret no longer signs');

    // remove
    r = await runCli(['forward', 'remove', 'cs'], { env });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, 'removed rule 1 (cs)');
    r = await runCli(['forward', 'remove', 'cs'], { env });
    t.equal(r.code, 2, 'removed already: not found');
    t.match(r.stderr, /no forwarding rule "cs"/);
    t.same(JSON.parse((await runCli(['forward', 'list', '--json'], { env })).stdout).map((x: { id: number }) => x.id), [2, 3]);
    const db = await openDatabase(tdb.target);
    t.teardown(() => db.close());
    t.equal((await db.knex('wxplat_forward_rules').where('id', 1).first()).status, -2, 'the row stays, marked removed');
  }),
);

t.test('bad rules: exit 2, nothing stored', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const env = { WXPLAT_DATABASE_URL: tdb.url };
    t.equal((await runCli(['db', 'migrate'], { env })).code, 0);
    t.equal((await runCli(['forward', 'add', '--to', 'http://127.0.0.1:9/a', '--mode', 'reply'], { env })).code, 0, 'a catch-all reply rule');
    const cases: Array<[string[], RegExp]> = [
      [['--to', 'ftp://example.com/x'], /--to must be an http\(s\) URL/],
      [['--to', 'not a url'], /--to is not a URL/],
      [['--to', 'https://svc:secret@cs.internal/wx'], /--to may not carry credentials/],
      [['--to', 'http://x/y', '--msg-type', 'txt'], /WeChat has no MsgType "txt"/],
      [['--to', 'http://x/y', '--event', 'SUBSCRIBED'], /WeChat has no Event "SUBSCRIBED"/],
      [['--to', 'http://x/y', '--route', 'component', '--info-type', 'authorised'], /WeChat has no InfoType "authorised"/],
      [['--to', 'http://x/y', '--route', 'component', '--mode', 'reply'], /--mode reply is for the account route/],
      [['--to', 'http://x/y', '--route', 'component', '--event', 'CLICK'], /--msg-type and --event are for the account route/],
      [['--to', 'http://x/y', '--info-type', 'authorized'], /--info-type is for the component route/],
      [['--to', 'http://x/y', '--route', 'component', '--info-type', 'component_verify_ticket'], /never forwarded/],
      [['--to', 'http://x/y', '--mode', 'reply'], /reply rule 1 already answers everything of every account: a message can have one reply/],
      [['--to', 'http://x/y', '--mode', 'reply', '--msg-type', 'text', '--appid', 'wx0123456789abcdef'], /reply rule 1 already answers/],
      [['--to', 'http://x/y', '--appid', 'wxshort'], /--appid takes "\*" or appids/],
      [['--to', 'http://x/y', '--mode', 'sync'], /--mode must be async or reply/],
      [['--to', 'http://x/y', '--format', 'yaml'], /--format must be xml or json/],
      [['--to', 'http://x/y', '--retry-for', '90d'], /--retry-for must be a duration/],
      [['--to', 'http://x/y', '--name', '42'], /--name: a letter, then/],
      [['--msg-type', 'text'], /--to/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['forward', 'add', ...args], { env });
      t.equal(r.code, 2, args.join(' '));
      t.match(r.stderr, message, args.join(' '));
    }
    const json = await runCli(['forward', 'add', '--to', 'ftp://x', '--json'], { env });
    t.equal(json.code, 2);
    t.match(JSON.parse(json.stderr), { error: { exitCode: 2 } }, 'one JSON line on stderr under --json');
    t.equal(JSON.parse((await runCli(['forward', 'list', '--json'], { env })).stdout).length, 1, 'only the first rule was stored');
    const unknown = await runCli(['forward', 'test', 'nope'], { env });
    t.equal(unknown.code, 2);
    const retry = await runCli(['forward', 'retry', '--rule', '99'], { env });
    t.equal(retry.code, 2);
  }),
);
