// template system list / add / remove on both databases: the catalogue in system_message_templates,
// keyword names in wxplat_template_keywords, prompts for what is missing, and bad input.
import t from 'tap';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase, openTestDatabase } from '../../helpers/databases.js';
import { KEY, runOnTerminal } from '../../helpers/pty.js';
import { scriptedPrompter } from '../../helpers/scripted-prompter.js';

const CONTENT = '订单编号:{{character_string1.DATA}}\n支付金额:{{amount2.DATA}}\n支付时间:{{time3.DATA}}';

t.test('template system', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const env = { WXPLAT_DATABASE_URL: tdb.url };
    t.equal((await runCli(['db', 'migrate'], { env })).code, 0);
    t.equal((await runCli(['db', 'seed'], { env })).code, 0);
    const db = await openTestDatabase(t, tdb, false);

    await t.test('an empty catalogue', async (t) => {
      const res = await runCli(['template', 'system', 'list', '--json'], { env });
      t.same(JSON.parse(res.stdout), []);
      t.match((await runCli(['template', 'system', 'list'], { env })).stderr, /the catalogue is empty/);
    });

    await t.test('add: a category template with its keyword names', async (t) => {
      const res = await runCli(
        ['template', 'system', 'add', '--code', '43568', '--title', '订单支付成功通知', '--industry', '1', '--content', CONTENT, '--keywords', '订单编号，支付金额,支付时间', '--json'],
        { env },
      );
      t.equal(res.code, 0, res.stderr);
      t.match(JSON.parse(res.stdout), {
        code: '43568',
        title: '订单支付成功通知',
        industry: { code: 1, main: 'IT科技', sub: '互联网/电子商务' },
        content: CONTENT,
        placeholders: ['character_string1', 'amount2', 'time3'],
        keywords: ['订单编号', '支付金额', '支付时间'],
        state: 'valid',
      });
      const row = await db.knex('system_message_templates').where('code', '43568').first();
      t.match(row, { title: '订单支付成功通知', content: CONTENT, status: 1 });
      const industry = await db.knex('industry_code_querys').where('code_num', 1).first();
      t.equal(row.industry_code_query_id, industry.industry_code_query_id, 'industry_code_query_id is the code row');
      const kw = await db.knex('wxplat_template_keywords').where('system_message_template_id', row.system_message_template_id).first();
      t.same(JSON.parse(kw.keyword_name_list), ['订单编号', '支付金额', '支付时间']);
    });

    await t.test('add without keywords; a keyword count that does not fit warns', async (t) => {
      const res = await runCli(['template', 'system', 'add', '--code', 'OPENTM207498902', '--title', '旧模板', '--industry', '2', '--content', '{{first.DATA}}{{keyword1.DATA}}'], { env });
      t.equal(res.code, 0, res.stderr);
      t.match(res.stdout, /added OPENTM207498902 "旧模板" to the catalogue \(industry 2; placeholders first, keyword1\)/);
      const warn = await runCli(['template', 'system', 'add', '--code', '44102', '--title', '账号登录提醒', '--industry', '2', '--content', '{{character_string1.DATA}}{{time2.DATA}}', '--keywords', '登录账号'], { env });
      t.equal(warn.code, 0);
      t.match(warn.stderr, /--keywords names 1 keyword\(s\) but the content has 2 placeholder\(s\)/);
    });

    await t.test('list: table and --json', async (t) => {
      const list = JSON.parse((await runCli(['template', 'system', 'list', '--json'], { env })).stdout);
      t.same(list.map((e: { code: string }) => e.code), ['43568', '44102', 'OPENTM207498902']);
      t.equal(list[2].keywords, null);
      const human = await runCli(['template', 'system', 'list'], { env });
      t.match(human.stdout, /43568\t订单支付成功通知\t1 IT科技 \/ 互联网\/电子商务\tcharacter_string1, amount2, time3\t订单编号, 支付金额, 支付时间/);
    });

    await t.test('bad inputs: exit 2, nothing added', async (t) => {
      const count = async () => (await db.knex('system_message_templates').count({ n: '*' }))[0].n;
      const before = await count();
      const base = ['--title', 'T', '--industry', '1', '--content', '{{a.DATA}}'];
      const cases: Array<[string[], RegExp]> = [
        [['--code', '43568', ...base], /the catalogue has template 43568 already/],
        [['--code', '1', '--title', 'T', '--industry', '42', '--content', '{{a.DATA}}'], /unknown industry code 42/],
        [['--code', '1', '--title', 'T', '--industry', 'IT', '--content', '{{a.DATA}}'], /--industry must be an industry code number/],
        [['--code', '1', '--title', 'T', '--industry', '1', '--content', 'no placeholder'], /--content has no placeholder/],
        [['--code', 'bad code!', ...base], /--code must be WeChat's template library number/],
        [['--code', '1', '--title', '', '--industry', '1', '--content', '{{a.DATA}}'], /--title must be 1 to 100 characters/],
        [['--code', '1', ...base, '--keywords', 'a,,b'], /--keywords must be keyword names separated by commas, none empty/],
        [['--code', '1', '--title', 'T', '--industry', '1', '--content', `{{a.DATA}}${'x'.repeat(1000)}`], /--content must be 1 to 1000 characters/],
        [['--title', 'T', '--industry', '1', '--content', '{{a.DATA}}'], /missing --code/],
        [['--code', '1', '--industry', '1', '--content', '{{a.DATA}}'], /missing --title/],
        [['--code', '1', '--title', 'T', '--content', '{{a.DATA}}'], /missing --industry/],
        [['--code', '1', '--title', 'T', '--industry', '1'], /missing --content/],
      ];
      for (const [args, message] of cases) {
        const res = await runCli(['template', 'system', 'add', ...args], { env });
        t.equal(res.code, 2, args.join(' '));
        t.match(res.stderr, message);
      }
      t.equal(await count(), before);
    });

    await t.test('add at a terminal (scripted): asked for each missing value, the industry picked', async (t) => {
      const prompter = scriptedPrompter([
        { input: '47862' },
        { input: '交易提醒' },
        { select: /^ 7 {2}金融业 \/ 银行/ },
        { input: '商户名称:{{thing1.DATA}}\n交易时间:{{time2.DATA}}' },
      ]);
      const res = await runCli(['template', 'system', 'add', '--keywords', '商户名称,交易时间', '--json'], { env, overrides: { prompter } });
      t.equal(res.code, 0, res.stderr);
      t.match(JSON.parse(res.stdout), { code: '47862', industry: { code: 7 }, keywords: ['商户名称', '交易时间'] });
      t.same(prompter.asked.map((a) => a.kind), ['input', 'input', 'select', 'input']);
    });

    await t.test('remove: status -2, kept in the table; unknown code exit 2', async (t) => {
      const res = await runCli(['template', 'system', 'remove', '44102', '--json'], { env });
      t.equal(res.code, 0, res.stderr);
      t.match(JSON.parse(res.stdout), { code: '44102', state: 'removed' });
      t.equal((await db.knex('system_message_templates').where('code', '44102').first()).status, -2);
      const list = JSON.parse((await runCli(['template', 'system', 'list', '--json'], { env })).stdout);
      t.notOk(list.some((e: { code: string }) => e.code === '44102'));
      const all = JSON.parse((await runCli(['template', 'system', 'list', '--all', '--json'], { env })).stdout);
      t.match(all.find((e: { code: string }) => e.code === '44102'), { state: 'removed' });
      const again = await runCli(['template', 'system', 'remove', '44102'], { env });
      t.equal(again.code, 2);
      t.match(again.stderr, /the catalogue has no template 44102/);
      const missing = await runCli(['template', 'system', 'remove'], { env });
      t.equal(missing.code, 2);
      t.match(missing.stderr, /missing <code>/);
      const readd = await runCli(['template', 'system', 'add', '--code', '44102', '--title', '账号登录提醒', '--industry', '2', '--content', '{{thing1.DATA}}'], { env });
      t.equal(readd.code, 0, 'a removed code can be added again');
    });

    await t.test('remove on a real terminal: pick the entry', async (t) => {
      const term = runOnTerminal(['template', 'system', 'remove'], env);
      await term.waitFor(/Remove which catalogue template\?/);
      await term.waitFor(/OPENTM207498902/);
      // Code order: 43568, 44102, 47862, OPENTM207498902.
      await term.keys(KEY.down, KEY.down, KEY.down, KEY.enter);
      await term.waitFor(/removed OPENTM207498902 "旧模板" from the catalogue/);
      t.equal(await term.exit, 0, term.screen);
    });
  }),
);
