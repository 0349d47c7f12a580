// Forwarding end to end with WeChat played by the sandbox: a follower's messages and events, pushed
// by the sandbox to the real `wxplat serve`, reach the platform's service by the rules, and a reply
// rule's answer comes back to the follower as WeChat's passive reply. `events trigger` plays the same.
import t from 'tap';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { startSink } from '../../helpers/sink.js';
import { startWorld } from '../../helpers/world.js';
import { serveBinary } from '../serve/helpers.js';

t.test('the sandbox pushes a follower\'s text, image, CLICK, SCAN, LOCATION, subscribe and unsubscribe; the rules deliver them; a reply reaches the follower', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize({ followers: 3 });
    const [follower] = world.sandbox.followerOpenids(appid, 0, 1);
    const sink = await startSink(t, (req) =>
      req.path === '/bot'
        ? { body: `<xml><ToUserName><![CDATA[${follower}]]></ToUserName><FromUserName><![CDATA[x]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[收到]]></Content></xml>` }
        : {},
    );
    const env = world.env;
    for (const args of [
      ['--to', `${sink.url}/bot`, '--mode', 'reply', '--msg-type', 'text'],
      ['--to', `${sink.url}/events/$APPID$`, '--msg-type', 'image', '--event', 'CLICK,SCAN,LOCATION,subscribe,unsubscribe', '--format', 'json'],
    ]) {
      const r = await runCli(['forward', 'add', ...args], { env });
      t.equal(r.code, 0, r.stderr);
    }
    const serve = serveBinary(env);
    t.teardown(() => serve.child.kill('SIGTERM'));
    world.sandbox.callbackUrl = await serve.url;

    const text = await world.sandbox.userSends({ appid, kind: 'text', value: '在吗' });
    t.match(text, { outcome: 'delivered', status: 200, openid: follower });
    t.match(text.reply, /<Content><!\[CDATA\[收到\]\]><\/Content>/, 'the follower sees the reply');
    for (const kind of ['image', 'click', 'scan', 'location', 'subscribe', 'unsubscribe'] as const) {
      const r = await world.sandbox.userSends({ appid, kind });
      t.match(r, { outcome: 'delivered', reply: null }, kind);
    }
    await sink.until((rs) => rs.filter((r) => r.path.startsWith('/events/')).length === 6, 'six async deliveries');
    const events = sink.requests.filter((r) => r.path === `/events/${appid}`).map((r) => JSON.parse(r.body));
    t.same(events.map((e) => e.Event ?? e.MsgType).sort(), ['CLICK', 'LOCATION', 'SCAN', 'image', 'subscribe', 'unsubscribe']);
    t.ok(events.every((e) => e.FromUserName === follower));

    // Over the control API, as another process would.
    const res = await fetch(`${world.sandbox.url}/sandbox/messages`, { method: 'POST', body: JSON.stringify({ appid, kind: 'text', value: 'again' }) });
    const answer = (await res.json()) as { reply: string | null };
    t.match(answer.reply, /收到/);
    const bad = await fetch(`${world.sandbox.url}/sandbox/messages`, { method: 'POST', body: JSON.stringify({ appid, kind: 'dance' }) });
    t.equal(bad.status, 400);

    // events trigger: the same kinds, and the passive reply decrypted and printed.
    const r = await runCli(['events', 'trigger', 'text', '--appid', appid, '--content', 'hello', '--forward-to', await serve.url], { env });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /200 a passive reply:\n {2}<xml>.*收到/);
    for (const type of ['image', 'voice', 'click', 'view', 'scan', 'location']) {
      const x = await runCli(['events', 'trigger', type, '--appid', appid, '--forward-to', await serve.url], { env });
      t.equal(x.code, 0, `${type}: ${x.stderr}`);
      t.match(x.stdout, /200 success/);
    }
  }),
);
