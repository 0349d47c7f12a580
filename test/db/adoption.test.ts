// `db migrate` on a database created from seed-schema.sql and holding rows keeps every row and id,
// adds only what is new, and a second run changes nothing.
import t from 'tap';
import { SEED_TABLE_NAMES } from '../../src/db/schema/seed-tables.js';
import { runCli } from '../helpers/cli.js';
import { mysqlOnly, openTestDatabase } from '../helpers/databases.js';
import { runSeedSchema } from '../helpers/seed-schema.js';

mysqlOnly(t, 'adopting a production database', async (t, tdb) => {
  const db = await openTestDatabase(t, tdb, false);
  await runSeedSchema(db);
  const k = db.knex;
  await k('official_accounts').insert([
    { official_account_id: 3, nickname: '老账号', appid: 'wx0000000000000003', status: 1, created_at: '2019-05-01 10:00:00' },
    { official_account_id: 4, nickname: '新账号', appid: 'wx0000000000000004', status: -2, created_at: '2020-01-02 03:04:05' },
  ]);
  await k('account_message_send_records').insert({
    account_message_send_record_id: 29,
    official_account_id: 3,
    template_id: 'tpl',
    content: '您好',
    receiver_user: 'oAbc',
    status: 1,
  });
  await k('wechat_message_receipt_records').insert({
    wechat_message_receipt_record_id: 23,
    appid: 'wx0000000000000003',
    content: 'success',
    msg_id: '3717005636572528642',
    status: 1,
  });
  // Production's industry rows: ids 1–41, in the old spelling for one of them.
  const codes = (await import('../../seeds/data/industry-codes.js')).INDUSTRY_CODES;
  await k('industry_code_querys').insert(
    codes.map((c) => ({
      industry_code_query_id: c.code,
      code_num: c.code,
      main_industry_code: c.main,
      sec_industry_code: c.code === 1 ? '互联网|电子商务' : c.sub,
      main_type: 1,
      status: 10,
      created_at: '2018-01-01 00:00:00',
    })),
  );

  const snapshot = async () => {
    const out: Record<string, unknown[]> = {};
    for (const table of SEED_TABLE_NAMES) out[table] = await k(table).select('*').orderBy(1);
    return out;
  };
  const before = await snapshot();

  const env = { WXPLAT_DATABASE_URL: tdb.url };
  const first = await runCli(['db', 'migrate', '--json'], { env });
  t.equal(first.code, 0, first.stderr);
  const doc = JSON.parse(first.stdout);
  t.equal(doc.adopted.length, 10, 'reports the ten tables it kept');
  t.same(
    doc.adopted.find((a: { table: string }) => a.table === 'industry_code_querys'),
    { table: 'industry_code_querys', rows: 41 },
  );
  t.same(await snapshot(), before, 'every row and id is kept');

  const second = await runCli(['db', 'migrate', '--json'], { env });
  t.equal(second.code, 0);
  t.same(JSON.parse(second.stdout).migrations, [], 'a second migrate applies nothing');
  t.same(await snapshot(), before, 'and changes nothing');

  const seeded = await runCli(['db', 'seed', '--json'], { env });
  t.equal(seeded.code, 0, seeded.stderr);
  // IT科技 rows 2–6 already match (main_type 1); the other 36 are brought up to date.
  t.match(JSON.parse(seeded.stdout)[0], { inserted: 0, updated: 36, unchanged: 5 });
  const rows = await k('industry_code_querys').select('*').orderBy('industry_code_query_id');
  t.equal(rows.length, 41, 'still 41 rows');
  t.same(
    rows.map((r: { industry_code_query_id: number }) => r.industry_code_query_id),
    codes.map((c) => c.code),
    'updated in place: ids 1–41',
  );
  t.equal(rows[0].sec_industry_code, '互联网/电子商务');
  t.equal(rows[0].created_at, '2018-01-01 00:00:00', 'created_at kept');
  t.equal(rows[40].main_type, 15, '其它 is the 15th main industry');
});
