// `wxplat doctor`: a healthy world passes (exit 0); each check fails or warns when its part is broken
// (exit 1 only for failures); a broken setup — no configuration, an unreachable, missing or unmigrated
// database — is reported, not a crash; names and sources only, never a value.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { fixedClock } from '../../../src/clock.js';
import { toSqlDateTime } from '../../../src/db/time.js';
import { ANSI, runCli } from '../../helpers/cli.js';
import { eachDatabase, openTestDatabase } from '../../helpers/databases.js';
import { startWorld, type World } from '../../helpers/world.js';

const emptyDir = () => mkdtempSync(path.join(tmpdir(), 'wxplat-doctor-'));

async function doctor(env: Record<string, string | undefined>, options: { cwd?: string; at?: Date; args?: string[] } = {}) {
  const r = await runCli(['doctor', '--json', ...(options.args ?? [])], {
    env,
    cwd: options.cwd ?? emptyDir(),
    overrides: options.at ? { clock: fixedClock(options.at) } : {},
  });
  const report = JSON.parse(r.stdout);
  const status = Object.fromEntries(report.checks.map((c: { name: string; state: string }) => [c.name, c.state]));
  const byName = Object.fromEntries(report.checks.map((c: { name: string }) => [c.name, c]));
  return { ...r, report, status, byName };
}

function noSecrets(t: Test, world: World, ...outputs: string[]) {
  for (const secret of [world.env.WXPLAT_COMPONENT_APPSECRET, world.env.WXPLAT_COMPONENT_AES_KEY, world.env.WXPLAT_COMPONENT_TOKEN]) {
    t.notOk(outputs.some((o) => o.includes(secret)), 'no configuration value is printed');
  }
}

t.test('doctor in a healthy world, then with each check broken', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid, accountId } = await world.authorize();
    const knex = world.db.knex;
    const env = world.env;
    const now = new Date();
    const hours = (h: number) => new Date(now.getTime() + h * 3600_000);

    let d = await doctor(env, { at: now });
    t.equal(d.code, 0, d.stderr);
    t.same(d.status, {
      configuration: 'ok',
      database: 'ok',
      'file permissions': 'ok',
      migrations: 'ok',
      ticket: 'ok',
      'component token': 'ok',
      accounts: 'ok',
      quota: 'ok',
      sends: 'ok',
      inbox: 'ok',
      forwarding: 'ok',
      'token service': 'ok',
    });
    t.match(d.report, { ok: true, exitCode: 0, counts: { ok: 12, warn: 0, fail: 0, skip: 0 } });
    t.ok(d.report.checks.every((c: { advice: string | null }) => c.advice === null), 'no advice when all is well');
    t.same(
      d.report.configuration.variables.filter((v: { source: string }) => v.source === 'environment').map((v: { name: string }) => v.name).sort(),
      Object.keys(env).sort(),
      'each variable set, by name and source',
    );
    t.match(d.byName.database.detail, db(tdb.kind));
    t.match(d.byName.accounts.detail, '1 authorized, each with a refresh token');

    // The human table: colour on a terminal only.
    const human = await runCli(['doctor'], { env, cwd: emptyDir() });
    t.equal(human.code, 0);
    t.notMatch(human.stdout, /[│┌]/, "piped: no box drawing");
    t.match(human.stdout, /all checks passed/);
    t.notMatch(human.stdout, ANSI);
    t.match((await runCli(['doctor'], { env, cwd: emptyDir(), stdoutTTY: true })).stdout, /\u001b\[32mok/);
    noSecrets(t, world, d.stdout, human.stdout);

    // The ticket: two hours old warns (exit 0); past twelve hours fails, and the expired component
    // token cannot be renewed.
    d = await doctor(env, { at: hours(2) });
    t.equal(d.code, 0, 'warnings alone exit 0');
    t.equal(d.status.ticket, 'warn');
    t.match(d.byName.ticket.detail, /received 2 h( \d+ min)? ago/);
    t.match(d.byName.ticket.advice, /wxplat serve/);
    t.equal(d.status['component token'], 'ok');
    t.match(d.byName['component token'].detail, /expired .* ago; renewed from the ticket on next use/);
    d = await doctor(env, { at: hours(13) });
    t.equal(d.code, 1);
    t.equal(d.status.ticket, 'fail');
    t.equal(d.status['component token'], 'fail');
    t.match(d.byName['component token'].advice, /fix the ticket first/);
    const human13 = await runCli(['doctor'], { env, cwd: emptyDir(), overrides: { clock: fixedClock(hours(13)) } });
    t.equal(human13.code, 1);
    t.match(human13.stdout, /ticket: tickets are not arriving/);
    t.match(human13.stdout, /2 failed, \d+ warnings?/);
    await knex('wxplat_component_credentials').update({ verify_ticket: null, ticket_received_at: null });
    d = await doctor(env, { at: now });
    t.equal(d.status.ticket, 'fail');
    t.match(d.byName.ticket.detail, 'no component_verify_ticket has arrived');
    await world.storeTicket();

    // An account that needs re-authorization, and one wxplat holds no tokens for.
    await knex('wxplat_authorizer_tokens').where('authorizer_appid', appid).update({ needs_reauth: 1, reauth_reason: 'refresh token invalid (61023)' });
    await knex('official_accounts').insert({ appid: 'wx0000000000000009', nickname: 'no tokens', status: 1 });
    d = await doctor(env, { at: now });
    t.equal(d.code, 1);
    t.equal(d.status.accounts, 'fail');
    t.match(d.byName.accounts.detail, `2 of 2 need re-authorization: ${appid} (refresh token invalid (61023)), wx0000000000000009 (wxplat holds no tokens for it)`);
    t.match(d.byName.accounts.advice, /wxplat account authorize/);
    await knex('wxplat_authorizer_tokens').where('authorizer_appid', appid).update({ needs_reauth: 0, reauth_reason: null });
    await knex('official_accounts').where('appid', 'wx0000000000000009').update({ status: -2 });
    t.equal((await doctor(env, { at: now })).code, 0);

    // A job stopped by the quota today: a warning, with when it carries on.
    const stamp = toSqlDateTime(now);
    const [jobId] = await knex('wxplat_send_jobs').insert({
      official_account_id: accountId,
      appid,
      template_id: 'T'.repeat(43),
      message_json: '{}',
      client_msg_prefix: 'abc',
      state: 'stopped',
      total: 2,
      paused_until: toSqlDateTime(hours(5)),
      stop_reason: "WeChat's daily quota for this account is used up (45009); the rest waits for the reset",
      created_at: stamp,
      updated_at: stamp,
    });
    const delivery = (id: number, state: string, updatedAt: string, job = Number(jobId)) => ({
      send_record_id: id,
      job_id: job,
      official_account_id: accountId,
      openid: `o${String(id).padStart(27, '0')}`,
      client_msg_id: `c${id}`,
      state,
      updated_at: updatedAt,
    });
    await knex('wxplat_send_deliveries').insert([delivery(1, 'sent', stamp), delivery(2, 'pending', toSqlDateTime(hours(-3)))]);
    d = await doctor(env, { at: now });
    t.equal(d.code, 0);
    t.equal(d.status.quota, 'warn');
    t.match(d.byName.quota.detail, `the daily quota ran out today for ${appid}: job ${jobId}, 1 messages waiting`);
    t.match(d.byName.quota.advice, /same --idempotency-key after the reset/);
    t.equal(d.status.sends, 'ok', "the paused job's pending rows are the quota's, not stuck");
    t.equal((await doctor(env, { at: hours(6) })).status.quota, 'ok', 'after the reset it is no longer today');

    // Send rows left unknown or pending.
    const [otherJob] = await knex('wxplat_send_jobs').insert({
      official_account_id: accountId,
      appid,
      template_id: 'T'.repeat(43),
      message_json: '{}',
      client_msg_prefix: 'abd',
      state: 'ready',
      total: 3,
      created_at: stamp,
      updated_at: stamp,
    });
    await knex('wxplat_send_deliveries').insert([
      delivery(3, 'unknown', stamp, Number(otherJob)),
      delivery(4, 'pending', toSqlDateTime(hours(-2)), Number(otherJob)),
      delivery(5, 'unknown', toSqlDateTime(hours(-24 * 8)), Number(otherJob)),
    ]);
    // The job changed a moment ago: its pending row is not left yet.
    t.match((await doctor(env, { at: now })).byName.sends.detail, /^1 unknown in the last 7 d$/);
    await knex('wxplat_send_jobs').where('job_id', otherJob).update({ updated_at: toSqlDateTime(hours(-2)) });
    d = await doctor(env, { at: now });
    t.equal(d.code, 0);
    t.equal(d.status.sends, 'warn');
    t.match(d.byName.sends.detail, `1 unknown in the last 7 d; 1 left pending in job ${otherJob}, which no process is sending`);
    t.match(d.byName.sends.advice, /records tail sends --status unknown/);
    t.match(d.byName.sends.advice, /--idempotency-key/);
    // A job being sent right now is not stuck.
    await knex('wxplat_send_deliveries').insert(delivery(6, 'sending', stamp, Number(otherJob)));
    await knex('wxplat_send_deliveries').where('send_record_id', 6).update({ lease_owner: 'host:1', lease_until: toSqlDateTime(hours(1)) });
    t.match((await doctor(env, { at: now })).byName.sends.detail, /^1 unknown in the last 7 d$/);
    await knex('wxplat_send_deliveries').whereIn('send_record_id', [3, 4, 6]).del();

    // Inbox rows: a recent failure fails; an old one, a retry or a backlog warns.
    const inbox = (id: number, state: string, at: Date, extra: Record<string, unknown> = {}) => ({
      id,
      dedupe_key: `k${id}`,
      route: 'account',
      appid,
      event_type: 'subscribe',
      raw_body: '<xml/>',
      decrypted_xml: '<xml/>',
      state,
      attempts: 1,
      next_attempt_at: toSqlDateTime(at),
      received_at: toSqlDateTime(at),
      updated_at: toSqlDateTime(at),
      ...extra,
    });
    await knex('wxplat_callback_inbox').insert(inbox(1, 'failed', now, { last_error: 'no account with appid' }));
    d = await doctor(env, { at: now });
    t.equal(d.code, 1);
    t.equal(d.status.inbox, 'fail');
    t.match(d.byName.inbox.detail, '1 failed in the last 24 h');
    t.match(d.byName.inbox.advice, /records tail events --status failed,retrying.*events replay/);
    await knex('wxplat_callback_inbox').where('id', 1).update({ updated_at: toSqlDateTime(hours(-48)) });
    await knex('wxplat_callback_inbox').insert([
      inbox(2, 'pending', hours(-1), { last_error: 'timeout' }),
      inbox(3, 'pending', new Date(now.getTime() - 10 * 60_000)),
      inbox(4, 'pending', now),
    ]);
    d = await doctor(env, { at: now });
    t.equal(d.code, 0);
    t.equal(d.status.inbox, 'warn');
    t.match(d.byName.inbox.detail, '1 failed before that, 1 being retried, 1 waiting for 10 min');
    t.match(d.byName.inbox.advice, /is `wxplat serve` running/);

    // Migrations: one missing, then one this wxplat does not know.
    await knex('wxplat_migrations').where('name', '20261128004000_records_indexes').del();
    d = await doctor(env, { at: now });
    t.equal(d.code, 1);
    t.equal(d.status.migrations, 'fail');
    t.match(d.byName.migrations.detail, /1 of \d+ migrations pending \(next: 20261128004000_records_indexes\)/);
    t.equal(d.byName.migrations.advice, 'run `wxplat db migrate`');
    t.same([d.status.ticket, d.status.inbox], ['skip', 'skip'], 'the data checks wait for the migration');
    await knex('wxplat_migrations').insert({ name: '20261128004000_records_indexes', batch: 1, migration_time: stamp });
    await knex('wxplat_migrations').insert({ name: '20991231000000_from_the_future', batch: 2, migration_time: stamp });
    d = await doctor(env, { at: now });
    t.equal(d.status.migrations, 'warn');
    t.match(d.byName.migrations.advice, /upgrade wxplat/);
    await knex('wxplat_migrations').where('name', '20991231000000_from_the_future').del();

    // Configuration: a variable missing, one malformed (the other checks still run), one from .env.
    const { WXPLAT_COMPONENT_TOKEN: token, ...withoutToken } = env;
    d = await doctor(withoutToken, { at: now });
    t.equal(d.code, 1);
    t.equal(d.status.configuration, 'fail');
    t.equal(d.byName.configuration.detail, 'missing WXPLAT_COMPONENT_TOKEN');
    t.same(d.report.configuration.missing, ['WXPLAT_COMPONENT_TOKEN']);
    t.equal(d.status.database, 'ok');
    const dir = emptyDir();
    writeFileSync(path.join(dir, '.env'), `WXPLAT_COMPONENT_TOKEN=${token}\n`);
    d = await doctor(withoutToken, { at: now, cwd: dir });
    t.equal(d.status.configuration, 'ok');
    t.same(d.report.configuration.variables.find((v: { name: string }) => v.name === 'WXPLAT_COMPONENT_TOKEN'), { name: 'WXPLAT_COMPONENT_TOKEN', source: '.env' });
    t.match(d.byName.configuration.detail, /\.env: WXPLAT_COMPONENT_TOKEN/);
    d = await doctor({ ...env, WXPLAT_COMPONENT_APPSECRET: 'not-a-secret' }, { at: now });
    t.equal(d.code, 1);
    t.equal(d.status.configuration, 'fail');
    t.match(d.byName.configuration.detail, /WXPLAT_COMPONENT_APPSECRET is malformed/);
    t.same([d.status.database, d.status.ticket, d.status.accounts], ['ok', 'ok', 'ok'], 'the rest is still checked');
    noSecrets(t, world, d.stdout, d.stderr);
  }),
);

function db(kind: string): RegExp {
  return kind === 'mysql' ? /^mysql:\/\/.* \((MariaDB|MySQL) [\d.]+/ : /^sqlite:.* \(SQLite [\d.]+\)$/;
}

t.test('doctor on an empty database: not migrated (exit 1)', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const empty = await openTestDatabase(t, tdb, false);
    await empty.knex.raw('select 1'); // makes the SQLite file
    const d = await doctor({ WXPLAT_DATABASE_URL: tdb.url, WXPLAT_COMPONENT_APPID: 'wx1234567890abcdef' });
    t.equal(d.code, 1);
    t.equal(d.status.database, 'ok');
    t.equal(d.status.migrations, 'fail');
    t.equal(d.byName.migrations.detail, 'the database is not migrated');
    t.same(
      ['ticket', 'component token', 'accounts', 'quota', 'sends', 'inbox', 'forwarding', 'token service'].map((n) => d.byName[n].detail),
      Array(8).fill('not checked: the database is not fully migrated'),
    );
  }),
);

t.test('doctor with no configuration at all, in a folder with no database: says so, creates nothing', async (t) => {
  const cwd = emptyDir();
  let r = await runCli(['doctor'], { env: {}, cwd });
  t.equal(r.code, 1);
  t.match(r.stdout, /configuration\tfail\tmissing WXPLAT_COMPONENT_APPID, WXPLAT_COMPONENT_APPSECRET, WXPLAT_COMPONENT_TOKEN, WXPLAT_COMPONENT_AES_KEY/);
  t.match(r.stdout, /database\tfail\tno database file at sqlite:/);
  t.match(r.stdout, /migrations\tskip\tnot checked: no database/);
  t.match(r.stdout, /database: run `wxplat db migrate` to create it/);
  t.match(r.stdout, /2 failed, 0 warnings/);
  t.equal(r.stderr, '');
  t.notOk(existsSync(path.join(cwd, 'wxplat.sqlite3')), 'no database file was made');
  r = await runCli(['doctor', '--json'], { env: {}, cwd });
  const report = JSON.parse(r.stdout);
  t.match(report, { ok: false, exitCode: 1, counts: { ok: 1, warn: 0, fail: 2, skip: 9 } });
  t.same(report.configuration.variables.map((v: { source: string }) => v.source), ['default', 'default', 'default']);
});

t.test('doctor with an unreachable database server and a malformed database URL', async (t) => {
  let d = await doctor({ WXPLAT_COMPONENT_APPID: 'wx1234567890abcdef' }, { args: ['--db', 'mysql://root:hunter2secret@127.0.0.1:1/wxplat'] });
  t.equal(d.code, 1);
  t.equal(d.status.database, 'fail');
  t.match(d.byName.database.detail, 'cannot reach the database at mysql://root:');
  t.match(d.byName.database.detail, 'connection refused');
  t.notOk(d.stdout.includes('hunter2secret'), 'the password is not printed');
  t.equal(d.status.ticket, 'skip');
  d = await doctor({ WXPLAT_DATABASE_URL: 'postgres://x/y' });
  t.equal(d.code, 1);
  t.equal(d.status.configuration, 'fail');
  t.equal(d.status.database, 'fail');
  t.match(d.byName.database.detail, /must start with mysql:\/\/ or sqlite:/);
});
