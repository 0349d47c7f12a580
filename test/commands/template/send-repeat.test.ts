// A send repeated by accident: without --idempotency-key, the same account, template, data and
// recipients as a job of the last 24 hours is refused (exit 2) before anything is stored or sent —
// by the real binary under cron (no terminal) as at a terminal; --allow-repeat sends it again.
import t from 'tap';
import { toSqlDateTime } from '../../../src/db/time.js';
import { runCli, spawnCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { recipientsFile, syncTemplate } from '../../helpers/sending.js';
import { startWorld } from '../../helpers/world.js';

t.test('the same send twice without a key is refused; --allow-repeat, a key, other data or recipients are not', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize({ followers: 6 });
    const tpl = await syncTemplate(t, world, appid);
    const openids = world.sandbox.followerOpenids(appid, 0, 6);
    const file = recipientsFile(t, openids.slice(0, 4));
    const argv = ['template', 'send', appid, '--template', tpl.code, '--to-file', file, ...tpl.dataArgs];
    const sends = () => world.sandbox.log.count('cgi-bin/message/template/send');
    const jobs = async () => (await world.db.knex('wxplat_send_jobs').select('job_id', 'request_digest').orderBy('job_id')) as Array<{ job_id: number; request_digest: string }>;

    const first = await runCli([...argv, '--json'], { env: world.env });
    t.equal(first.code, 0, first.stderr);
    const firstJob = JSON.parse(first.stdout).jobId;
    t.equal(sends(), 4);
    t.match((await jobs())[0].request_digest, /^[0-9a-f]{64}$/, 'the job keeps the digest of what it sent');

    // Run again by accident, by cron: the real binary, no terminal.
    const again = await spawnCli(argv, { env: world.env });
    t.equal(again.code, 2, again.stderr);
    t.match(again.stderr, new RegExp(`job ${firstJob} sent this template with the same data to the same recipients from ${appid} (less than a minute|\\d+ minutes?) ago \\(done\\): not sending it twice`));
    t.match(again.stderr, /--allow-repeat/);
    t.equal(sends(), 4, 'nothing was sent');
    t.equal((await jobs()).length, 1, 'nothing was stored');

    // Under --json the refusal is the JSON error; a dry run refuses as the real run would.
    const json = await runCli([...argv, '--json'], { env: world.env });
    t.equal(json.code, 2);
    t.match(JSON.parse(json.stderr.trim().split('\n').pop()!), { error: { message: /not sending it twice/ } });
    t.equal((await runCli([...argv, '--dry-run'], { env: world.env })).code, 2, 'a dry run refuses it too');

    // The same recipients given another way (--to, the same order) are the same send.
    const viaTo = await runCli(['template', 'send', appid, '--template', tpl.code, '--to', ...openids.slice(0, 4), ...tpl.dataArgs], { env: world.env });
    t.equal(viaTo.code, 2, 'the same recipients through --to');

    // Not a repeat: other recipients, other data.
    const other = await runCli(['template', 'send', appid, '--template', tpl.code, '--to', ...openids.slice(0, 3), ...tpl.dataArgs], { env: world.env });
    t.equal(other.code, 0, other.stderr);
    const changed = tpl.dataArgs.map((a, i) => (i === 1 ? `${a}X` : a));
    const otherData = await runCli(['template', 'send', appid, '--template', tpl.code, '--to-file', file, ...changed], { env: world.env });
    t.equal(otherData.code, 0, otherData.stderr);
    t.equal(sends(), 4 + 3 + 4);

    // On purpose: --allow-repeat; or a key (a new key is a new send by the operator's word).
    const repeat = await runCli([...argv, '--allow-repeat'], { env: world.env });
    t.equal(repeat.code, 0, repeat.stderr);
    const keyed = await runCli([...argv, '--idempotency-key', 'nightly-1'], { env: world.env });
    t.equal(keyed.code, 0, keyed.stderr);
    t.equal(sends(), 4 + 3 + 4 + 4 + 4);

    // Older than 24 hours: no longer compared.
    await world.db.knex('wxplat_send_jobs').update({ created_at: toSqlDateTime(new Date(Date.now() - 25 * 3600_000)) });
    const nextDay = await runCli(argv, { env: world.env });
    t.equal(nextDay.code, 0, nextDay.stderr);
    t.equal(sends(), 4 + 3 + 4 + 4 + 4 + 4);
  }),
);
