// `platform ticket restart` through the real binary, on both stores: WeChat is asked to push
// (api_start_push_ticket); with --wait, a running `serve` stores the new ticket and the command sees it,
// and without a receiver it says so (exit 1). A wrong appsecret is WeChat's 40125, explained.
import t from 'tap';
import { spawnCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { startWorld, startWxplat } from '../../helpers/world.js';

t.test('platform ticket restart, with and without a receiver', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const r = await spawnCli(['platform', 'ticket', 'restart'], { env: world.env });
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /WeChat accepted: it pushes a component_verify_ticket to the authorization event URL shortly/);
    t.match(r.stdout, /the last ticket arrived \d+ s ago/);
    t.match(r.stdout, /`wxplat platform status` shows when it arrives/);
    t.equal(world.sandbox.log.count('cgi-bin/component/api_start_push_ticket'), 1);
    t.notOk((r.stdout + r.stderr).includes(world.env.WXPLAT_COMPONENT_APPSECRET), 'the appsecret is sent, never shown');

    // Nobody receives: the wait ends without a ticket.
    const lonely = await spawnCli(['platform', 'ticket', 'restart', '--wait', '1', '--json'], { env: world.env });
    t.equal(lonely.code, 1);
    t.match(JSON.parse(lonely.stdout), { arrived: null, previous: { ageSeconds: Number } });
    t.match(JSON.parse(lonely.stderr.trim().split('\n').pop()!), { error: { message: 'no new ticket was stored within 1 s', hint: /is `wxplat serve` running there/ } });

    // A receiver: `serve` stores the push, the command sees it arrive.
    const serve = startWxplat(world, ['serve', '--port', '0']);
    t.teardown(() => {
      serve.child.kill('SIGTERM');
      return serve.done;
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      serve.child.stdout!.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      serve.child.on('close', () => reject(new Error('serve ended')));
    });
    world.sandbox.callbackUrl = url;
    const before = (await world.db.knex('wxplat_component_credentials').first()).ticket_received_at;
    const waited = await spawnCli(['platform', 'ticket', 'restart', '--wait', '60', '--json'], { env: world.env });
    t.equal(waited.code, 0, waited.stderr);
    const result = JSON.parse(waited.stdout);
    t.match(result, { componentAppid: world.env.WXPLAT_COMPONENT_APPID, arrived: { receivedAt: String, afterSeconds: Number } });
    t.match(waited.stderr, /waiting up to 60 s for `wxplat serve` to store it/);
    const after = await world.db.knex('wxplat_component_credentials').first();
    t.not(after.ticket_received_at, null);
    t.ok(before === null || after.ticket_received_at >= before, 'a newer ticket is stored');
    t.equal(after.verify_ticket, world.sandbox.latestTicket(), "it is the ticket WeChat pushed last");

    const bad = await spawnCli(['platform', 'ticket', 'restart', '--wait', 'soon'], { env: world.env });
    t.equal(bad.code, 2);
    t.match(bad.stderr, /--wait must be a whole number from 1 to 3600/);
  }),
);

t.test('a wrong appsecret: 40125, explained with its rid', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const r = await spawnCli(['platform', 'ticket', 'restart'], { env: { ...world.env, WXPLAT_COMPONENT_APPSECRET: 'X'.repeat(32) } });
    t.equal(r.code, 1);
    t.match(r.stderr, /error: WeChat cgi-bin\/component\/api_start_push_ticket: 40125 invalid appsecret \(rid [0-9a-f-]+\)/);
    t.match(r.stderr, /the component appsecret is wrong: copy WXPLAT_COMPONENT_APPSECRET again/);
    t.match(r.stderr, /`wxplat rid [0-9a-f-]{26}`/);
    t.notOk(r.stderr.includes('X'.repeat(32)), 'the given secret is not echoed');
  }),
);
