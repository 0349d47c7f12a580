import t from 'tap';
import { INDUSTRY_CODES } from '../../../seeds/data/industry-codes.js';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase, openTestDatabase } from '../../helpers/databases.js';

t.test('db seed is idempotent', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const env = { WXPLAT_DATABASE_URL: tdb.url };
    t.equal((await runCli(['db', 'migrate'], { env })).code, 0);

    const first = await runCli(['db', 'seed', '--json'], { env });
    t.equal(first.code, 0, first.stderr);
    t.match(JSON.parse(first.stdout), [{ inserted: 41, updated: 0, unchanged: 0 }]);

    const second = await runCli(['db', 'seed'], { env });
    t.equal(second.code, 0);
    t.match(second.stdout, /0 inserted, 0 updated, 41 unchanged/);

    const db = await openTestDatabase(t, tdb, false);
    const rows = await db.knex('industry_code_querys').select('*').orderBy('code_num');
    t.equal(rows.length, 41, 'still 41 rows');
    t.same(
      rows.map((r: { code_num: number }) => r.code_num),
      INDUSTRY_CODES.map((c) => c.code),
    );
    const first41 = rows[40];
    t.match(first41, { code_num: 41, main_industry_code: '其它', sec_industry_code: '其它', status: 10, main_type: 15 });
    t.match(rows[6], { code_num: 7, main_industry_code: '金融业', main_type: 2 });
    t.match(rows[0].created_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    // A changed row is put back in place, not duplicated.
    await db.knex('industry_code_querys').where('code_num', 5).update({ sec_industry_code: 'changed', status: -20 });
    const third = await runCli(['db', 'seed', '--json'], { env });
    t.match(JSON.parse(third.stdout), [{ inserted: 0, updated: 1, unchanged: 40 }]);
    const five = await db.knex('industry_code_querys').where('code_num', 5);
    t.equal(five.length, 1);
    t.match(five[0], { sec_industry_code: '通信与运营商', status: 10 });
  }),
);
