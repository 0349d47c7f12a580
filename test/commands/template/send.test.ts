// `template send` end to end: the real command, a real database, the sandbox over loopback.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { fixedClock } from '../../../src/clock.js';
import { nextQuotaReset } from '../../../src/core/sending/send.js';
import { BIN, runCli } from '../../helpers/cli.js';
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
    const file = recipientsFile(t, [...openids, openids[0], openids[1]], '\n# a comment\n\n');

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
    const base = ['template', 'send', appid, '--template', tpl.code, '--to', o1];
    const key = tpl.library.keywords[0].key;
    const cases: Array<[string[], RegExp]> = [
      [['template', 'send', 'wx0000000000000000', '--template', tpl.code, '--to', o1, ...tpl.dataArgs], /no account matches/],
      [['template', 'send', appid, '--template', 'NOPE', '--to', o1, ...tpl.dataArgs], /no catalogue template has code "NOPE"/],
      [['template', 'send', appid, '--template', 'x'.repeat(43), '--to', o1, ...tpl.dataArgs], /is not one of this account's templates/],
      [['template', 'send', appid, '--to', o1, ...tpl.dataArgs], /--template is required/],
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
      [['template', 'send', appid, '--template', tpl.code, '--to-file', recipientsFile(t, [o1, 'not-an-openid']), ...tpl.dataArgs], /line 3: "not-an-openid" does not look like an openid/],
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
    const key = tpl.library.keywords.find((k) => k.key.startsWith('thing'))?.key ?? tpl.library.keywords[0].key;
    const longValue = '这是一个超过二十个字的很长很长的值呀呀呀呀呀呀';
    const data = tpl.dataArgs.map((a, i, all) => (i > 0 && all[i - 1] === '--data' && a.startsWith(`${key}=`) ? `${key}=${longValue}` : a));
    const openids = world.sandbox.followerOpenids(appid, 0, 12);
    const r = await runCli(['template', 'send', appid, '--template', tpl.code, '--to', ...openids.slice(0, 2), ...data, '--dry-run'], {
      env: world.env,
    });
    // A typed keyword (thing) has its own rule, 20 characters at most: the dry run shows the check and
    // ends as the send would, with 2.
    t.equal(r.code, 2, r.stderr);
    t.match(r.stdout, /dry run: nothing stored, nothing sent/);
    t.match(r.stdout, /recipients 2/);
    t.match(r.stdout, new RegExp(`${key}\tthing\t${longValue}\tis 23 characters: thing allows at most 20 characters`));
    const json = await runCli(['template', 'send', appid, '--template', tpl.code, '--to', ...openids, ...tpl.dataArgs, '--dry-run', '--json'], { env: world.env });
    const preview = JSON.parse(json.stdout);
    t.match(preview, { dryRun: true, recipients: 12 });
    t.same(preview.firstRecipients, openids.slice(0, 5));
    t.match(preview.content, new RegExp(tpl.library.keywords[0].name));
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
    world.sandbox.unsubscribe(appid, openids[3]);
    world.sandbox.refuseRecipient(appid, openids[4], 43101);
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

t.test('--dry-run makes every check the real run makes: what it refuses, the real run refuses', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize({ followers: 5 });
    const tpl = await syncTemplate(t, world, appid);
    const [o1] = world.sandbox.followerOpenids(appid, 0, 1);
    const base = ['template', 'send', appid, '--template', tpl.code, ...tpl.dataArgs];
    const cases: Array<[string[], RegExp]> = [
      [['--to', o1, '--idempotency-key', ''], /--idempotency-key must be 1 to 191 printable ASCII characters/],
      [['--to', o1, '--idempotency-key', 'has space'], /--idempotency-key must be/],
      // --all-followers reads the followers wxplat knows: none yet.
      [['--all-followers'], /there are no recipients to send to/],
      [['--to-file', recipientsFile(t, [], '# nobody today\n\n')], /there are no recipients to send to/],
      [['--to', o1, '--concurrency', '0'], /--concurrency must be a whole number/],
    ];
    for (const [extra, message] of cases) {
      for (const mode of [['--dry-run'], []]) {
        const r = await runCli([...base, ...extra, ...mode], { env: world.env });
        t.equal(r.code, 2, `exit 2: ${[...extra, ...mode].join(' ')}`);
        t.match(r.stderr, message);
      }
    }
    t.equal(Number((await world.db.knex('wxplat_send_jobs').count({ n: '*' }))[0].n), 0, 'nothing stored');
    t.equal(world.sandbox.log.count('cgi-bin/message/template/send'), 0, 'nothing sent');
  }),
);

t.test('input that must not crash: a line longer than any openid, an endless one', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize({ followers: 5 });
    const tpl = await syncTemplate(t, world, appid);
    const openids = world.sandbox.followerOpenids(appid, 0, 3);
    const dir = mkdtempSync(path.join(tmpdir(), 'wxplat-input-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const base = ['template', 'send', appid, '--template', tpl.code, ...tpl.dataArgs];

    // One line of 8 MB after two good ones; and /dev/zero, one endless line. Run under a 64 MB heap:
    // the line is refused at its first kilobyte, not gathered until memory runs out.
    const oneLine = path.join(dir, 'one-line.txt');
    writeFileSync(oneLine, `${openids[0]}\n${openids[1]}\n${'o'.repeat(8 * 1024 * 1024)}`);
    for (const [file, line] of [[oneLine, 3], ['/dev/zero', 1]] as const) {
      for (const json of [false, true]) {
        const r = await runBounded([...base, '--to-file', file, '--idempotency-key', `k-${line}`, ...(json ? ['--json'] : [])], world.env);
        t.equal(r.code, 2, `${file}${json ? ' --json' : ''}: exit 2 (${r.signal ?? ''} ${r.stderr.slice(0, 200)})`);
        if (json) {
          const error = JSON.parse(r.stderr.trim().split('\n').pop()!).error;
          t.match(error, { exitCode: 2, message: `${file} line ${line} is longer than 1024 bytes: not an openid` }, 'one JSON error line');
        } else {
          t.match(r.stderr, `error: ${file} line ${line} is longer than 1024 bytes: not an openid`);
          t.notMatch(r.stderr, /RangeError|at .*:\d+:\d+|internal error/, 'no stack, no internal error');
        }
      }
    }
    t.equal(Number((await world.db.knex('wxplat_send_jobs').count({ n: '*' }))[0].n), 0, 'nothing stored');
  }),
);

t.test('a byte order mark at the start of --data-file (as Windows editors write it) and of --to-file', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize({ followers: 5 });
    const tpl = await syncTemplate(t, world, appid);
    const openids = world.sandbox.followerOpenids(appid, 0, 3);
    const dir = mkdtempSync(path.join(tmpdir(), 'wxplat-input-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const dataFile = path.join(dir, 'data.json');
    const data = Object.fromEntries(tpl.library.keywords.map((k, i) => [k.key, tpl.dataArgs[2 * i + 1].slice(k.key.length + 1)]));
    writeFileSync(dataFile, `\uFEFF${JSON.stringify(data)}`);
    const toFile = path.join(dir, 'to.txt');
    writeFileSync(toFile, `\uFEFF${openids.join('\r\n')}\r\n`);
    const argv = ['template', 'send', appid, '--template', tpl.code, '--data-file', dataFile, '--to-file', toFile, '--json'];
    const dry = await runCli([...argv, '--dry-run'], { env: world.env });
    t.equal(dry.code, 0, dry.stderr);
    t.match(JSON.parse(dry.stdout), { recipients: 3, message: { data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, { value: v }])) } });
    const sent = await runCli(argv, { env: world.env });
    t.equal(sent.code, 0, sent.stderr);
    t.match(JSON.parse(sent.stdout), { total: 3, sent: 3 });
    for (const openid of openids) t.equal(world.sandbox.log.deliveries(appid, openid), 1);
  }),
);

t.test('a database error while checking the key\'s template is the command\'s error, not a skipped check', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize({ followers: 3 });
    const tpl = await syncTemplate(t, world, appid);
    const openids = world.sandbox.followerOpenids(appid, 0, 3);
    const argv = ['template', 'send', appid, '--template', tpl.code, '--to', ...openids, ...tpl.dataArgs, '--idempotency-key', 'dberr'];
    t.equal((await runCli(argv, { env: world.env })).code, 0);
    // The catalogue cannot be read any more: the check of the key's template cannot be made.
    await world.db.knex.schema.renameTable('system_message_templates', 'system_message_templates_away');
    const r = await runCli(argv, { env: world.env });
    await world.db.knex.schema.renameTable('system_message_templates_away', 'system_message_templates');
    t.equal(r.code, 1, 'exit 1: the database refused');
    t.match(r.stderr, /database error \((ER_NO_SUCH_TABLE|SQLITE_ERROR)\).*system_message_templates/);
    t.notMatch(r.stdout, /job \d+/, 'no summary as if the check had passed');

    // The template removed from the account since: the key's check cannot be made either.
    await world.db.knex('account_message_templates').update({ status: -2 });
    const removed = await runCli(argv, { env: world.env });
    t.equal(removed.code, 2, removed.stderr);
    t.match(removed.stderr, new RegExp(`catalogue template ${tpl.code} is not on this account`));
  }),
);

/** The real binary under a 64 MB heap (a runaway string would end it with out-of-memory, not exit 2). */
function runBounded(argv: string[], env: Record<string, string>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=64', BIN, ...argv], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
