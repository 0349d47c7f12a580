// Exactly once across crashes and hosts: the real binary, killed with SIGKILL at random moments, run
// twice at once, and left behind past WeChat's dedupe window.
import t from 'tap';
import { eachDatabase } from '../../helpers/databases.js';
import { recipientsFile, syncTemplate } from '../../helpers/sending.js';
import { startWorld, startWxplat as start } from '../../helpers/world.js';
import { until } from '../../helpers/wait.js';

/** A seeded generator: the moments are random, and the same on every run of the test. */
function moments(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}


async function setup(t: Parameters<Parameters<typeof eachDatabase>[1]>[0], tdb: Parameters<Parameters<typeof eachDatabase>[1]>[1], followers: number, latencyMs: number) {
  const world = await startWorld(t, tdb, { sandbox: { latencyMs } });
  const { appid } = await world.authorize({ followers });
  const tpl = await syncTemplate(t, world, appid);
  const openids = world.sandbox.followerOpenids(appid, 0, followers);
  const file = recipientsFile(t, openids);
  return { world, appid, tpl, openids, file };
}

t.test('kill -9 at five random points of progress, then carry on: every recipient exactly once', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const { world, appid, tpl, openids, file } = await setup(t, tdb, 3000, 3);
    const argv = ['template', 'send', appid, '--template', tpl.code, '--to-file', file, ...tpl.dataArgs, '--idempotency-key', 'crash', '--json'];
    const random = moments(tdb.kind === 'sqlite' ? 11 : 29);
    const delivered = () => world.sandbox.log.totalDeliveries(appid);
    let killed = 0;
    for (let i = 0; i < 5; i++) {
      // Each run is killed once it has delivered a random number more (50 to 450): on progress, not
      // on time, so that the kill lands mid-job however fast sending is (five runs stay under 3000).
      const from = delivered();
      const target = from + 50 + Math.floor(random() * 400);
      const run = start(world, argv);
      let ended = false;
      void run.done.then(() => (ended = true));
      await until(() => ended || delivered() >= target, `${target} delivered or the run ended`);
      if (!ended) {
        run.child.kill('SIGKILL');
        killed++;
      }
      const r = await run.done;
      t.comment(`run ${i + 1}: ${r.signal ?? `exit ${r.code}`} after ${delivered() - from} more delivered, ${delivered()} so far`);
    }
    t.equal(killed, 5, 'every run was killed mid-job');
    t.ok(delivered() < 3000, `the job was not done when the last run was killed (${delivered()} of 3000 delivered)`);
    const last = await start(world, argv).done;
    t.equal(last.code, 0, last.stderr);
    const summary = JSON.parse(last.stdout);
    t.match(summary, { total: 3000, sent: 3000, failed: 0, unknown: 0, pending: 0, state: 'done' });
    let once = 0;
    for (const openid of openids) if (world.sandbox.log.deliveries(appid, openid) === 1) once++;
    t.equal(once, 3000, 'every recipient delivered exactly once (after the sandbox dedupe)');
    t.equal(world.sandbox.log.totalDeliveries(appid), 3000, 'and nothing more');
    const states = await world.db.knex('wxplat_send_deliveries').select('state').count({ n: '*' }).groupBy('state');
    t.same(states.map((s: any) => [s.state, Number(s.n)]), [['sent', 3000]], 'every row sent');
    t.equal(Number((await world.db.knex('account_message_send_records').count({ n: '*' }))[0].n), 3000, 'one production row each');
  }),
);

t.test('two processes on one job at once (two hosts): each sends a part, none twice', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const { world, appid, tpl, openids, file } = await setup(t, tdb, 3000, 4);
    const argv = ['template', 'send', appid, '--template', tpl.code, '--to-file', file, ...tpl.dataArgs, '--idempotency-key', 'twin', '--concurrency', '8', '--json'];
    const [a, b] = await Promise.all([start(world, argv).done, start(world, argv).done]);
    t.equal(a.code, 0, a.stderr);
    t.equal(b.code, 0, b.stderr);
    const sa = JSON.parse(a.stdout);
    const sb = JSON.parse(b.stdout);
    t.equal(sa.jobId, sb.jobId, 'one job');
    t.ok(sa.run.sent > 0 && sb.run.sent > 0, `both did part of the work (${sa.run.sent} + ${sb.run.sent})`);
    t.equal(sa.run.sent + sb.run.sent, 3000, 'and together all of it');
    t.match(sa, { sent: 3000, state: 'done' });
    t.match(sb, { sent: 3000, state: 'done' });
    const twice = openids.filter((o) => world.sandbox.log.deliveries(appid, o) !== 1);
    t.same(twice, [], 'no recipient sent twice or missed');
    t.equal(world.sandbox.log.count('cgi-bin/message/template/send'), 3000, 'not even a request twice');
  }),
);

t.test('rows abandoned past the dedupe window become unknown, never resent', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const { world, appid, tpl, file } = await setup(t, tdb, 600, 40);
    const argv = ['template', 'send', appid, '--template', tpl.code, '--to-file', file, ...tpl.dataArgs, '--idempotency-key', 'late', '--json'];
    const run = start(world, argv);
    await until(async () => Number((await world.db.knex('wxplat_send_deliveries').where('state', 'sent').count({ n: '*' }))[0].n) > 0, 'a delivery sent');
    run.child.kill('SIGKILL');
    await run.done;
    const inFlight = await world.db.knex('wxplat_send_deliveries').where('state', 'sending').select('openid');
    t.ok(inFlight.length > 0, `${inFlight.length} rows were in flight when the process died`);
    // Pretend that was 20 minutes ago: WeChat no longer dedupes their client_msg_id.
    const past = new Date(Date.now() - 20 * 60_000).toISOString().slice(0, 19).replace('T', ' ');
    await world.db.knex('wxplat_send_deliveries').where('state', 'sending').update({ first_attempt_at: past });
    const before = new Map(inFlight.map((r: any) => [r.openid, world.sandbox.log.deliveries(appid, r.openid)]));
    const sendsBefore = world.sandbox.log.count('cgi-bin/message/template/send');
    const pendingBefore = Number((await world.db.knex('wxplat_send_deliveries').where('state', 'pending').count({ n: '*' }))[0].n);

    const after = await start(world, argv).done;
    t.equal(after.code, 3, 'some recipients are unknown: exit 3');
    const s = JSON.parse(after.stdout);
    t.equal(s.unknown, inFlight.length, 'each abandoned row is reported unknown');
    t.equal(s.sent + s.unknown, 600);
    for (const r of inFlight) t.equal(world.sandbox.log.deliveries(appid, r.openid), before.get(r.openid), `${r.openid} not resent`);
    t.equal(world.sandbox.log.count('cgi-bin/message/template/send') - sendsBefore, pendingBefore, 'requests only for the rows never tried');
  }),
);
