// Leases that are really held. Two `template send` processes run one job (two hosts); the first one
// loses the database under it mid-job: its lease renewals refused (both stores), or its connections
// killed and its account locked (MariaDB). It must stop sending the rows whose lease has run out,
// leave them to the other process, and end with a clear message; the other one finishes the job;
// every recipient gets the message once.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { openDatabase } from '../../../src/db/database.js';
import { eachDatabase, mysqlOnly, type TestDatabase } from '../../helpers/databases.js';
import { recipientsFile, syncTemplate } from '../../helpers/sending.js';
import { startWorld, startWxplat, type World, type WxplatRun } from '../../helpers/world.js';
import { until } from '../../helpers/wait.js';

const N = 300;

async function setup(t: Parameters<Parameters<typeof eachDatabase>[1]>[0], tdb: TestDatabase) {
  const world = await startWorld(t, tdb);
  const { appid } = await world.authorize({ followers: N });
  const tpl = await syncTemplate(t, world, appid);
  const openids = world.sandbox.followerOpenids(appid, 0, N);
  const argv = ['template', 'send', appid, '--template', tpl.code, '--to-file', recipientsFile(t, openids), ...tpl.dataArgs, '--idempotency-key', 'lease', '--json'];
  return { world, appid, openids, argv };
}

function stderrHas(run: WxplatRun, pattern: RegExp): () => boolean {
  let text = '';
  run.child.stderr!.on('data', (d) => (text += d));
  return () => pattern.test(text);
}

async function rowStates(world: World): Promise<Record<string, number>> {
  const rows: Array<{ state: string; n: number | string }> = await world.db.knex('wxplat_send_deliveries').select('state').count({ n: '*' }).groupBy('state');
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

/** A trigger that refuses the lease renewals of the process with this pid, and nothing else it does. */
async function refuseRenewals(world: World, pid: number): Promise<void> {
  const mine = `'%:${pid}:%'`;
  if (world.db.dialect === 'mysql') {
    await world.db.knex.raw(`
      CREATE TRIGGER wxplat_test_refuse_renewal BEFORE UPDATE ON wxplat_send_deliveries FOR EACH ROW
      BEGIN
        IF OLD.state = 'sending' AND NEW.state = 'sending' AND NEW.lease_owner <=> OLD.lease_owner AND OLD.lease_owner LIKE ${mine} THEN
          SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'lease renewal refused by the test';
        END IF;
      END`);
  } else {
    await world.db.knex.raw(`
      CREATE TRIGGER wxplat_test_refuse_renewal BEFORE UPDATE ON wxplat_send_deliveries
      WHEN OLD.state = 'sending' AND NEW.state = 'sending' AND NEW.lease_owner IS OLD.lease_owner AND OLD.lease_owner LIKE ${mine}
      BEGIN SELECT RAISE(ABORT, 'lease renewal refused by the test'); END`);
  }
}

t.test('renewals refused: the process stops sending the rows it no longer holds, the other one sends them', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const { world, appid, openids, argv } = await setup(t, tdb);
    const sends = () => world.sandbox.log.count('cgi-bin/message/template/send');
    // A: slow (10 a second), short leases renewed every 0.75 s.
    const a = startWxplat(world, [...argv, '--rate', '10', '--concurrency', '2', '--lease-seconds', '3']);
    const warned = stderrHas(a, /could not renew the leases on the rows this process holds/);
    await until(() => sends() >= 5, 'five sends at WeChat');
    await refuseRenewals(world, a.child.pid!);
    // Its next renewal fails and it says so; then the second process joins the job.
    await until(() => warned() || a.child.exitCode !== null, 'the lease warning or the run to end');
    t.ok(warned(), 'the failed renewal is logged');
    const b = startWxplat(world, [...argv, '--concurrency', '4']);
    const [ra, rb] = await Promise.all([a.done, b.done]);

    t.equal(ra.code, 1, 'A ends with exit 1');
    const error = JSON.parse(ra.stderr.trim().split('\n').pop()!).error;
    t.match(error.message, /^stopped sending job \d+: its leases could not be renewed \(.*lease renewal refused by the test.*\) and ran out on \d+ rows, which are left to other processes$/);
    t.match(error.hint, /run the same command/);
    t.equal(rb.code, 0, rb.stderr);
    t.match(JSON.parse(rb.stdout), { total: N, sent: N, pending: 0, sending: 0, unknown: 0, state: 'done' });
    t.same(await rowStates(world), { sent: N }, 'every row sent');
    t.same(openids.filter((o) => world.sandbox.log.deliveries(appid, o) !== 1), [], 'every recipient got it once');
    t.equal(sends(), N, 'and not one request twice: A sent nothing it no longer held');
  }),
);

mysqlOnly(t, "the process's connections killed mid-job (its account locked): it ends with a clear message, the other one finishes", async (t, tdb) => {
  const { world, appid, openids, argv } = await setup(t, tdb);
  // A connects as a user of its own, so that its connections can be told apart and shut out.
  const user = `wxplat_a_${randomBytes(4).toString('hex')}`;
  const admin = world.db.knex;
  await admin.raw(`CREATE USER '${user}'@'%' IDENTIFIED BY 'secret-${user}'`);
  await admin.raw(`GRANT ALL ON \`${tdb.name}\`.* TO '${user}'@'%'`);
  t.teardown(async () => {
    const a = await openDatabase(tdb.target);
    await a.knex.raw(`DROP USER IF EXISTS '${user}'@'%'`);
    await a.close();
  });
  const aUrl = new URL(tdb.url);
  aUrl.username = user;
  aUrl.password = `secret-${user}`;
  const sends = () => world.sandbox.log.count('cgi-bin/message/template/send');
  const a = startWxplat({ ...world, env: { ...world.env, WXPLAT_DATABASE_URL: aUrl.toString() } }, [...argv, '--rate', '10', '--concurrency', '2', '--lease-seconds', '3']);
  await until(() => sends() >= 5, 'five sends at WeChat');
  const b = startWxplat(world, [...argv, '--concurrency', '4']);
  // Mid-job: A is shut out of the database and every connection it has is killed.
  await admin.raw(`ALTER USER '${user}'@'%' ACCOUNT LOCK`);
  const [connections] = await admin.raw('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ?', [user]);
  t.ok(connections.length >= 1, `A had ${connections.length} connection(s)`);
  for (const c of connections) await admin.raw(`KILL ${Number(c.id)}`).catch(() => {});

  const ra = await a.done;
  t.equal(ra.code, 1, 'A ends with exit 1, not a hang');
  const error = JSON.parse(ra.stderr.trim().split('\n').pop()!).error;
  t.match(error.message, /^(the database failed while sending job \d+ \(.*\): this process stopped; the rows it held are left to other processes|stopped sending job \d+: its leases could not be renewed .*)$/);
  t.comment(`A said: ${error.message}`);
  t.notMatch(ra.stderr, /internal error/);
  const rb = await b.done;
  t.equal(rb.code, 0, rb.stderr);
  t.match(JSON.parse(rb.stdout), { total: N, sent: N, pending: 0, sending: 0, unknown: 0, state: 'done' });
  t.same(await rowStates(world), { sent: N }, 'every row sent');
  t.same(openids.filter((o) => world.sandbox.log.deliveries(appid, o) !== 1), [], 'every recipient got it once');
});
