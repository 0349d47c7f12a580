// `template send` end to end: the real command, a real database, the sandbox over loopback.
import t from 'tap';
import { fixedClock } from '../../../src/clock.js';
import { nextQuotaReset } from '../../../src/core/sending/send.js';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { recipientsFile, syncTemplate } from '../../helpers/sending.js';
import { FAST_RETRY, startWorld } from '../../helpers/world.js';

async function jobRows(world: { db: { knex: any } }) {
  return {
    jobs: await world.db.knex('wxplat_send_jobs').select('*'),
    deliveries: await world.db.knex('wxplat_send_deliveries').select('*'),
    records: await world.db.knex('account_message_send_records').select('*'),
  };
}

t.test('a send, its summary, its rows, and a rerun of the finished job', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize({ followers: 40 });
    const tpl = await syncTemplate(t, world, appid);
    const openids = world.sandbox.followerOpenids(appid, 0, 40);
    const file = recipientsFile(t, [...openids, openids[0]!, openids[1]!], '\n# a comment\n\n');

    const argv = ['template', 'send', appid, '--template', tpl.code, '--to-file', file, ...tpl.dataArgs, '--idempotency-key', 'k1', '--url', 'https://example.com/o/1'];
    const first = await runCli([...argv, '--json'], { env: world.env, overrides: { retry: FAST_RETRY } });
    t.equal(first.code, 0, first.stderr);
    const s = JSON.parse(first.stdout);
    t.match(s, { dryRun: false, total: 40, sent: 40, failed: 0, unknown: 0, pending: 0, skipped: 2, state: 'done', exitCode: 0 });
    t.equal(s.run.sent, 40);
    for (const openid of openids) t.equal(world.sandbox.log.deliveries(appid, openid), 1, `${openid} once`);

    const { jobs, deliveries, records } = await jobRows(world);
    t.equal(jobs.length, 1);
    t.match(jobs[0], { idempotency_key: 'k1', state: 'done', total: 40, appid });
    t.equal(deliveries.length, 40);
    t.equal(records.length, 40, 'one production row per recipient');
    const byId = new Map(records.map((r: any) => [r.account_message_send_record_id, r]));
    for (const d of deliveries) {
      const r: any = byId.get(d.send_record_id);
      t.ok(r, 'the delivery row sits beside its production row');
      t.equal(r.receiver_user, d.openid);
      t.equal(r.status, 1);
      t.equal(r.template_id, jobs[0].template_id);
      t.equal(d.state, 'sent');
      t.match(d.msgid, /^\d{19}$/);
      t.match(d.client_msg_id, new RegExp(`^wxp-${jobs[0].job_id}-[0-9a-f]{6}-[0-9a-f]{10}$`));
    }
    t.match(records[0].content, /:/, 'the rendered message is stored');
    t.equal(new Set(deliveries.map((d: any) => d.client_msg_id)).size, 40, 'one client_msg_id per recipient');

    // The same key again: the finished job's summary, nothing sent.
    const sends = world.sandbox.log.count('cgi-bin/message/template/send');
    const again = await runCli(argv, { env: world.env });
    t.equal(again.code, 0, again.stderr);
    t.match(again.stdout, /job \d+ \(key k1\).*done/);
    t.match(again.stdout, /40 recipients: 40 sent, 0 failed, 0 unknown, 0 left/);
    t.equal(world.sandbox.log.count('cgi-bin/message/template/send'), sends, 'nothing was sent again');
    t.equal((await jobRows(world)).jobs.length, 1, 'no second job');
  }),
);

t.test('bad input: exit 2 and nothing stored', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize({ followers: 5 });
    const tpl = await syncTemplate(t, world, appid);
    const [o1] = world.sandbox.followerOpenids(appid, 0, 1);
    const base = ['template', 'send', appid, '--template', tpl.code, '--to', o1!];
    const key = tpl.library.keywords[0]!.key;
    const cases: Array<[string[], RegExp]> = [
      [['template', 'send', 'wx0000000000000000', '--template', tpl.code, '--to', o1!, ...tpl.dataArgs], /no account matches/],
      [['template', 'send', appid, '--template', 'NOPE', '--to', o1!, ...tpl.dataArgs], /no catalogue template has code "NOPE"/],
      [['template', 'send', appid, '--template', 'x'.repeat(43), '--to', o1!, ...tpl.dataArgs], /is not one of this account's templates/],
      [['template', 'send', appid, '--to', o1!, ...tpl.dataArgs], /--template is required/],
      [[...base, ...tpl.dataArgs.slice(2)], new RegExp(`missing ${key}`)],
      [[...base, ...tpl.dataArgs, '--data', 'bogus=1'], /unknown bogus/],
      [[...base, ...tpl.dataArgs, '--data', 'novalue'], /is not key=value/],
      [[...base, ...tpl.dataArgs, '--url', 'ftp://example.com'], /--url must be an http\(s\) URL/],
      [[...base, ...tpl.dataArgs, '--url', 'not a url'], /--url "not a url" is not a URL/],
      [[...base, ...tpl.dataArgs, '--miniprogram', 'nope:index'], /--miniprogram/],
      [['template', 'send', appid, '--template', tpl.code, '--to', 'bad id!', ...tpl.dataArgs], /--to "bad id!" does not look like an openid/],
      [['template', 'send', appid, '--template', tpl.code, ...tpl.dataArgs], /name the recipients once/],
      [[...base, '--all-followers', ...tpl.dataArgs], /name the recipients once/],
      [['template', 'send', appid, '--template', tpl.code, '--to-file', '/nonexistent/file', ...tpl.dataArgs], /no such file/],
      [['template', 'send', appid, '--template', tpl.code, '--to-file', recipientsFile(t, [o1!, 'not-an-openid']), ...tpl.dataArgs], /line 3: "not-an-openid" does not look like an openid/],
      [[...base, ...tpl.dataArgs, '--concurrency', '0'], /--concurrency must be a whole number/],
      [[...base, ...tpl.dataArgs, '--data-file', '/nonexistent.json'], /--data-file .* cannot read it/],
    ];
    for (const [argv, message] of cases) {
      const r = await runCli(argv, { env: world.env });
      t.equal(r.code, 2, `exit 2: ${argv.slice(3).join(' ')}`);
      t.match(r.stderr, message);
    }
    const rows = await jobRows(world);
    t.same([rows.jobs.length, rows.deliveries.length, rows.records.length], [0, 0, 0], 'nothing stored');
    t.equal(world.sandbox.log.count('cgi-bin/message/template/send'), 0, 'nothing sent');

    // A key already used for another message.
    t.equal((await runCli([...base, ...tpl.dataArgs, '--idempotency-key', 'used'], { env: world.env })).code, 0);
    // Another valid value of the keyword's type.
    const other = tpl.dataArgs.map((a, i) => (i === 1 ? `${key}=${key.startsWith('character_string') ? 'SN999' : '其他内容'}` : a));
    const reuse = await runCli([...base, ...other, '--idempotency-key', 'used'], { env: world.env });
    t.equal(reuse.code, 2);
    t.match(reuse.stderr, /idempotency key used belongs to job \d+, whose message differs/);

    // Not authorized any more.
    await world.db.knex('wxplat_authorizer_tokens').where('authorizer_appid', appid).update({ needs_reauth: 1, reauth_reason: 'test' });
    const reauth = await runCli([...base, ...tpl.dataArgs], { env: world.env });
    t.equal(reauth.code, 2);
    t.match(reauth.stderr, /needs re-authorization/);
  }),
);

t.test('--dry-run and the 2023 warnings', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize({ followers: 12 });
    const tpl = await syncTemplate(t, world, appid);
    const key = tpl.library.keywords.find((k) => k.key.startsWith('thing'))?.key ?? tpl.library.keywords[0]!.key;
    const longValue = '这是一个超过二十个字的很长很长的值呀呀呀呀呀呀';
    const data = tpl.dataArgs.map((a, i, all) => (i > 0 && all[i - 1] === '--data' && a.startsWith(`${key}=`) ? `${key}=${longValue}` : a));
    const r = await runCli(['template', 'send', appid, '--template', tpl.code, '--all-followers', ...data, '--dry-run'], {
      env: world.env,
    });
    // --all-followers reads the followers wxplat knows: none yet. A typed keyword (thing) has its own
    // rule, 20 characters at most: the dry run shows the check and ends as the send would, with 2.
    t.equal(r.code, 2, r.stderr);
    t.match(r.stdout, /dry run: nothing stored, nothing sent/);
    t.match(r.stdout, /recipients 0/);
    t.match(r.stdout, new RegExp(`${key} +│ thing +│ ${longValue} +│ is 23 characters: thing allows at most 20 characters`));
    const openids = world.sandbox.followerOpenids(appid, 0, 12);
    const json = await runCli(['template', 'send', appid, '--template', tpl.code, '--to', ...openids, ...tpl.dataArgs, '--dry-run', '--json'], { env: world.env });
    const preview = JSON.parse(json.stdout);
    t.match(preview, { dryRun: true, recipients: 12 });
    t.same(preview.firstRecipients, openids.slice(0, 5));
    t.match(preview.content, new RegExp(tpl.library.keywords[0]!.name));
    t.equal(world.sandbox.log.count('cgi-bin/message/template/send'), 0, 'dry run sends nothing');
    t.equal(Number((await world.db.knex('wxplat_send_jobs').count({ n: '*' }))[0].n), 0, 'and stores nothing');
  }),
);

t.test('recipient errors, quota, revoked token, -1 bursts', (t) =>
  eachDatabase(t, async (t, tdb) => {
    // Today, by the machine's clock (the template setup runs on it); the test then moves to tomorrow.
    const start = new Date();
    const clock = fixedClock(start);
    const world = await startWorld(t, tdb, { clock, sandbox: { clock, dailySendQuota: 150 } });
    const { appid } = await world.authorize({ followers: 200 });
    const tpl = await syncTemplate(t, world, appid);
    const openids = world.sandbox.followerOpenids(appid, 0, 200);
    world.sandbox.unsubscribe(appid, openids[3]!);
    world.sandbox.refuseRecipient(appid, openids[4]!, 43101);
    const file = recipientsFile(t, openids);
    const argv = ['template', 'send', appid, '--template', tpl.code, '--to-file', file, ...tpl.dataArgs, '--idempotency-key', 'q', '--json'];
    const opts = { env: world.env, overrides: { clock, retry: FAST_RETRY } };

    // Quota after 150: exit 3, the rest pending until the reset.
    const first = await runCli(argv, opts);
    t.equal(first.code, 3, first.stderr);
    const s1 = JSON.parse(first.stdout);
    t.match(s1, { state: 'stopped', total: 200, failed: 2 });
    t.equal(s1.sent, 150, 'the quota: 150 accepted');
    t.equal(s1.pending, 48, 'the rest waits');
    t.match(s1.stopReason, /quota/);
    const reset = nextQuotaReset(start);
    t.equal(s1.pausedUntil, reset.toISOString(), 'midnight in Beijing');
    t.equal((reset.getTime() + 8 * 3600_000) % 86_400_000, 0, 'which is 00:00 at UTC+8');
    t.same(
      s1.failures.map((f: any) => [f.openid, f.errcode]).sort(),
      [
        [openids[3], 43004],
        [openids[4], 43101],
      ].sort(),
    );

    // Before the reset: nothing is tried.
    const sends = world.sandbox.log.count('cgi-bin/message/template/send');
    const early = await runCli(argv, opts);
    t.equal(early.code, 3);
    t.equal(world.sandbox.log.count('cgi-bin/message/template/send'), sends, 'paused: no request before the reset');

    // The next day, with -1 bursts and the token revoked: the rest goes out, each once.
    clock.set(new Date(reset.getTime() + 3600_000));
    await world.storeTicket(); // the receiver keeps tickets fresh; 14 h later the old one is dead
    world.sandbox.faults.set({ errorRate: 0.3, revokeToken: appid });
    const refreshes = world.sandbox.log.count('cgi-bin/component/api_authorizer_token');
    const last = await runCli(argv, opts);
    world.sandbox.faults.clear();
    t.equal(last.code, 3, 'two recipients failed for good');
    const s2 = JSON.parse(last.stdout);
    t.match(s2, { state: 'done', sent: 198, failed: 2, pending: 0, unknown: 0 });
    t.ok(world.sandbox.log.count('cgi-bin/component/api_authorizer_token') > refreshes, 'the revoked token was refreshed');
    t.ok(world.sandbox.log.errors(-1, 'cgi-bin/message/template/send') > 0, 'there were -1 answers');
    for (const [i, openid] of openids.entries()) {
      t.equal(world.sandbox.log.deliveries(appid, openid), i === 3 || i === 4 ? 0 : 1, `recipient ${i}`);
    }
  }),
);
