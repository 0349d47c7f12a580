import t from 'tap';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';

t.test('db migrate, status, dry-run and rollback', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const env = { WXPLAT_DATABASE_URL: tdb.url };

    const dry = await runCli(['db', 'migrate', '--dry-run', '--json'], { env });
    t.equal(dry.code, 0, dry.stderr);
    const dryDoc = JSON.parse(dry.stdout);
    t.equal(dryDoc.dryRun, true);
    t.ok(dryDoc.migrations.includes('20261128000100_seed_tables'), 'lists the seed migration');

    const before = JSON.parse((await runCli(['db', 'status', '--json'], { env })).stdout);
    t.same(before.applied, [], 'the dry run applied nothing');
    t.ok(before.pending.length >= 1);

    const first = await runCli(['db', 'migrate'], { env });
    t.equal(first.code, 0, first.stderr);
    t.match(first.stdout, /applied 20261128000100_seed_tables/);

    const status = JSON.parse((await runCli(['db', 'status', '--json'], { env })).stdout);
    t.same(status.pending, [], 'nothing pending after migrate');
    t.ok(status.applied.every((m: { name: string }) => !/\.(ts|js)$/.test(m.name)), 'names recorded without extension');

    const again = await runCli(['db', 'migrate', '--json'], { env });
    t.equal(again.code, 0);
    t.same(JSON.parse(again.stdout).migrations, [], 'a second migrate applies nothing');

    t.equal((await runCli(['db', 'seed'], { env })).code, 0);
    const refused = await runCli(['db', 'rollback'], { env });
    t.equal(refused.code, 2, 'rollback over rows is refused with exit 2');
    t.match(refused.stderr, /refusing to roll back.*industry_code_querys \(41 rows\)/);
    t.match(refused.stderr, /--force/);
    const still = JSON.parse((await runCli(['industry', 'list', '--json'], { env })).stdout);
    t.equal(still.length, 41, 'the refused rollback dropped nothing');

    const forced = await runCli(['db', 'rollback', '--force', '--json'], { env });
    t.equal(forced.code, 0, forced.stderr);
    t.ok(JSON.parse(forced.stdout).migrations.length >= 1);
    const after = JSON.parse((await runCli(['db', 'status', '--json'], { env })).stdout);
    t.ok(after.pending.length >= 1, 'migrations pending again after rollback');

    const unmigrated = await runCli(['industry', 'list'], { env });
    t.equal(unmigrated.code, 2, 'a command on an unmigrated database exits 2');
    t.match(unmigrated.stderr, /wxplat db migrate/);
  }),
);

t.test('db migrate and db seed check only the database setting: malformed component settings do not stop them', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const env = {
      WXPLAT_DATABASE_URL: tdb.url,
      WXPLAT_COMPONENT_APPID: 'not-an-appid',
      WXPLAT_COMPONENT_APPSECRET: 'S3cret-with-a-dash',
      WXPLAT_COMPONENT_AES_KEY: 'short',
      WXPLAT_API_BASE: 'ftp://example.com',
      WXPLAT_CALLBACK_MAX_SKEW: 'soon',
    };
    const migrated = await runCli(['db', 'migrate'], { env });
    t.equal(migrated.code, 0, migrated.stderr);
    t.match(migrated.stdout, /migration\(s\) applied/);
    const seeded = await runCli(['db', 'seed'], { env });
    t.equal(seeded.code, 0, seeded.stderr);
    t.equal((await runCli(['db', 'status'], { env })).code, 0);
    // A command that uses them still refuses, naming the variable.
    const status = await runCli(['platform', 'status'], { env });
    t.equal(status.code, 2, status.stderr);
    t.match(status.stderr, /WXPLAT_COMPONENT_APPID is malformed/);
    t.notMatch(status.stderr, /S3cret-with-a-dash/, 'the secret is not echoed');
  }),
);
