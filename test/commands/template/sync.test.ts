// template sync / list against the sandbox on both databases: adding what an account lacks (with
// keyword_name_list), mapping, removal when WeChat no longer has a template, adopting one added by hand,
// --dry-run, --all with one failing account (exit 3), and the interactive and bad-input paths.
import t from 'tap';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { KEY, runOnTerminal } from '../../helpers/pty.js';
import { scriptedPrompter } from '../../helpers/scripted-prompter.js';
import { startWorld } from '../../helpers/world.js';

const ADD = 'cgi-bin/template/api_add_template';

const lines = (pairs: Array<[string, string]>) => pairs.map(([name, key]) => `${name}:{{${key}.DATA}}`).join('\n');

interface Item {
  code: string | null;
  title: string | null;
  templateId: string | null;
  adopted?: boolean;
}

t.test('template sync and list', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { env, sandbox } = world;
    const run = (argv: string[], opts: Parameters<typeof runCli>[1] = {}) => runCli(argv, { env, ...opts });
    t.equal((await run(['db', 'seed'])).code, 0);

    const a = await world.authorize();
    sandbox.createAccount({ appid: 'wxbbbbbbbbbbbbbbb1', nickname: '无模板权限', funcIds: [1, 2] });
    const b = await world.authorize({ appid: 'wxbbbbbbbbbbbbbbb1' });
    const c = await world.authorize();
    t.equal((await run(['industry', 'set', String(a.accountId), '1', '2'])).code, 0);

    const add = async (args: string[]) => {
      const res = await run(['template', 'system', 'add', ...args]);
      if (res.code !== 0) throw new Error(res.stderr);
    };
    await add(['--code', '43216', '--title', '订单发货通知', '--industry', '1', '--content', lines([['订单编号', 'character_string1'], ['商品名称', 'thing2']]), '--keywords', '订单编号,商品名称']);
    await add(['--code', '43568', '--title', '订单支付成功通知', '--industry', '1', '--content', lines([['订单编号', 'character_string1'], ['支付金额', 'amount2'], ['支付时间', 'time3']]), '--keywords', '订单编号,支付金额,支付时间']);
    await add(['--code', '44102', '--title', '账号登录提醒', '--industry', '2', '--content', lines([['登录账号', 'character_string1'], ['登录时间', 'time2'], ['登录地点', 'thing3']]), '--keywords', '登录账号,登录时间,登录地点']);
    await add(['--code', '47862', '--title', '交易提醒', '--industry', '7', '--content', lines([['商户名称', 'thing1']]), '--keywords', '商户名称']);

    const mapped = () =>
      world.db.knex('account_message_templates as a')
        .join('system_message_templates as s', 's.system_message_template_id', 'a.system_message_template_id')
        .where('a.official_account_id', a.accountId)
        .select('s.code', 'a.template_id', 'a.status')
        .orderBy('a.account_message_template_id');
    const atWechat = async () => (await world.wechat.account(a.appid).listTemplates()).template_list;

    await t.test('--dry-run: what would be added; nothing changes at WeChat or here', async (t) => {
      const res = await run(['template', 'sync', String(a.accountId), '--dry-run', '--json']);
      t.equal(res.code, 0, res.stderr);
      const doc = JSON.parse(res.stdout);
      t.match(doc, { dryRun: true, industries: [1, 2], industrySource: 'local', kept: [], removed: [], failed: [], outcome: 'ok' });
      t.same(doc.added.map((i: Item) => [i.code, i.templateId]), [['43216', null], ['43568', null], ['44102', null]], 'industry 7 is not the account\'s');
      t.equal(sandbox.log.count(ADD), 0);
      t.same(await mapped(), []);
      const human = await run(['template', 'sync', a.appid, '--dry-run']);
      t.match(human.stdout, /would add\t43216\t订单发货通知/);
      t.match(human.stdout, /3 would add, 0 kept, 0 removed, 0 failed — dry run: nothing was changed/);
    });

    await t.test('sync: each lacking template added with its keyword names, and mapped', async (t) => {
      const res = await run(['template', 'sync', String(a.accountId), '--json']);
      t.equal(res.code, 0, res.stderr);
      const doc = JSON.parse(res.stdout);
      t.equal(doc.added.length, 3);
      const wechat = await atWechat();
      t.same(new Set(doc.added.map((i: Item) => i.templateId)), new Set(wechat.map((w) => w.template_id)));
      t.same(
        wechat.map((w) => w.content).sort(),
        [lines([['订单编号', 'character_string1'], ['商品名称', 'thing2']]), lines([['订单编号', 'character_string1'], ['支付金额', 'amount2'], ['支付时间', 'time3']]), lines([['登录账号', 'character_string1'], ['登录时间', 'time2'], ['登录地点', 'thing3']])].sort(),
        'added with keyword_name_list: only the keywords named',
      );
      t.same(
        (await mapped()).map((m) => [m.code, m.status]),
        [['43216', 1], ['43568', 1], ['44102', 1]],
      );
      t.same(doc.warnings, []);
    });

    await t.test('again: everything kept, nothing added', async (t) => {
      const calls = sandbox.log.count(ADD);
      const doc = JSON.parse((await run(['template', 'sync', String(a.accountId), '--json'])).stdout);
      t.same(doc.added, []);
      t.equal(doc.kept.length, 3);
      t.equal(sandbox.log.count(ADD), calls);
    });

    await t.test('list: catalogue code and placeholders of each', async (t) => {
      const res = await run(['template', 'list', String(a.accountId), '--json']);
      t.equal(res.code, 0, res.stderr);
      const list = JSON.parse(res.stdout);
      t.same(list.map((x: { code: string }) => x.code), ['43216', '43568', '44102']);
      t.match(list[1], { title: '订单支付成功通知', placeholders: ['character_string1', 'amount2', 'time3'], state: 'valid', inCatalogue: true, templateId: /^[\w-]{43}$/ });
      const human = await run(['template', 'list', a.appid]);
      t.match(human.stdout, /43568\t订单支付成功通知\t[\w-]{43}\t\{\{character_string1\.DATA\}\} \{\{amount2\.DATA\}\} \{\{time3\.DATA\}\}/);
    });

    await t.test('a template WeChat no longer has: status -2, and added again', async (t) => {
      const gone = (await mapped()).find((m) => m.code === '44102')!.template_id;
      await world.wechat.account(a.appid).deleteTemplate(gone);
      const doc = JSON.parse((await run(['template', 'sync', String(a.accountId), '--json'])).stdout);
      t.same(doc.removed, [{ code: '44102', title: '账号登录提醒', templateId: gone }]);
      t.equal(doc.added.length, 1);
      t.equal(doc.added[0].code, '44102');
      t.not(doc.added[0].templateId, gone);
      const rows = await mapped();
      t.match(rows.find((m) => m.template_id === gone), { status: -2 });
      t.equal(rows.filter((m) => m.status === 1).length, 3);
      const list = JSON.parse((await run(['template', 'list', String(a.accountId), '--json'])).stdout);
      t.equal(list.length, 3, 'list shows the valid ones');
      const all = JSON.parse((await run(['template', 'list', String(a.accountId), '--all', '--json'])).stdout);
      t.match(all.find((x: { templateId: string }) => x.templateId === gone), { state: 'removed' });
    });

    await t.test('a template added by hand is adopted, not added twice; others are reported', async (t) => {
      const client = world.wechat.account(a.appid);
      const byHand = await client.addTemplate({ template_id_short: '44176', keyword_name_list: ['服务名称', '到期时间', '备注'] });
      const other = await client.addTemplate({ template_id_short: '47123', keyword_name_list: ['时间', '地点', '金额'] });
      await add(['--code', '44176', '--title', '服务到期提醒', '--industry', '2', '--content', lines([['服务名称', 'thing1'], ['到期时间', 'time2'], ['备注', 'thing3']]), '--keywords', '服务名称,到期时间,备注']);
      const calls = sandbox.log.count(ADD);
      const dry = await run(['template', 'sync', String(a.accountId), '--dry-run']);
      t.match(dry.stdout, /mapped\t44176\t服务到期提醒\t[\w-]{43}\talready at WeChat/);
      t.same((await mapped()).filter((m) => m.code === '44176'), [], 'the dry run mapped nothing');
      const res = await run(['template', 'sync', String(a.accountId), '--json']);
      const doc = JSON.parse(res.stdout);
      t.same(doc.added, []);
      t.same(doc.kept.find((i: Item) => i.code === '44176'), { code: '44176', title: '服务到期提醒', templateId: byHand.template_id, adopted: true });
      t.same(doc.unmapped, [{ templateId: other.template_id, title: '消费提醒' }]);
      t.equal(sandbox.log.count(ADD), calls, 'no add call');
      t.match((await mapped()).find((m) => m.code === '44176'), { template_id: byHand.template_id, status: 1 });
      const human = await run(['template', 'sync', String(a.accountId)]);
      t.match(human.stdout, /other\t—\t消费提醒\t[\w-]{43}\tnot in the catalogue; left alone/);
      t.match(human.stdout, /kept\t44176/, 'mapped for good');
    });

    await t.test('one template refused (40247), another added: exit 3', async (t) => {
      sandbox.addLibraryTemplate({ shortId: '49001', industryCode: 1, title: '退款通知', keywords: [{ name: '退款金额', key: 'amount1' }, { name: '退款时间', key: 'time2' }] });
      await add(['--code', '49001', '--title', '退款通知', '--industry', '1', '--content', lines([['退款金额', 'amount1'], ['退款时间', 'time2']]), '--keywords', '退款金额,退款时间']);
      await add(['--code', 'OPENTM200000001', '--title', '历史模板', '--industry', '1', '--content', '{{first.DATA}}']);
      const res = await run(['template', 'sync', String(a.accountId), '--json']);
      t.equal(res.code, 3, res.stderr);
      const doc = JSON.parse(res.stdout);
      t.equal(doc.outcome, 'partial');
      t.same(doc.added.map((i: Item) => i.code), ['49001']);
      t.match(doc.failed, [{ code: 'OPENTM200000001', errcode: 40247 }]);
      const human = await run(['template', 'sync', String(a.accountId)]);
      t.equal(human.code, 3);
      t.match(human.stdout, /failed\tOPENTM200000001\t历史模板\t\tWeChat cgi-bin\/template\/api_add_template: 40247/);
      t.match(human.stderr, /1 template\(s\) could not be added/);
      t.equal((await run(['template', 'system', 'remove', 'OPENTM200000001'])).code, 0);
    });

    await t.test('--all: one account refused (48001) does not stop the others; exit 3', async (t) => {
      const dry = await run(['template', 'sync', '--all', '--dry-run', '--json']);
      t.equal(dry.code, 3);
      const calls = sandbox.log.count(ADD);
      const res = await run(['template', 'sync', '--all', '--json']);
      t.equal(res.code, 3, res.stderr);
      const docs = JSON.parse(res.stdout);
      t.same(docs.map((d: { account: { id: number } }) => d.account.id), [a.accountId, b.accountId, c.accountId]);
      t.same(docs.map((d: { outcome: string }) => d.outcome), ['ok', 'failed', 'ok']);
      t.match(docs[1].error, { errcode: 48001, message: /48001/ });
      t.match(docs[2], { industrySource: 'none', industries: [], added: [], warnings: [/no industries/] });
      t.equal(sandbox.log.count(ADD), calls, 'account A had everything already');
      const human = await run(['template', 'sync', '--all']);
      t.equal(human.code, 3);
      t.match(human.stdout, /account \d+ wxbbbbbbbbbbbbbbb1 \(无模板权限\): failed: WeChat cgi-bin\/template\/\w+: 48001/);
      t.match(human.stderr, /1 of 3 account\(s\) were not fully synced/);
    });

    await t.test('one account WeChat refuses: exit 1', async (t) => {
      const res = await run(['template', 'sync', String(b.accountId)]);
      t.equal(res.code, 1);
      t.match(res.stderr, /48001/);
      t.match(res.stderr, /has not granted this permission set/);
    });

    await t.test('bad inputs: exit 2, WeChat not asked', async (t) => {
      const before = sandbox.log.count();
      const cases: Array<[string[], RegExp]> = [
        [['template', 'sync', '4242'], /no account matches "4242"/],
        [['template', 'sync', String(a.accountId), '--all'], /give an <account> or --all, not both/],
        [['template', 'sync'], /missing <account> \(or --all\)/],
        [['template', 'list', 'gh_ffffffffffff'], /no account matches "gh_ffffffffffff"/],
        [['template', 'list'], /missing <account>/],
      ];
      for (const [argv, message] of cases) {
        const res = await run(argv);
        t.equal(res.code, 2, argv.join(' '));
        t.match(res.stderr, message);
      }
      t.equal(sandbox.log.count(), before);
    });

    await t.test('at a terminal (scripted): pick the account', async (t) => {
      const prompter = scriptedPrompter([{ select: new RegExp(`^${a.accountId} `) }]);
      const res = await run(['template', 'sync', '--dry-run', '--json'], { overrides: { prompter } });
      t.equal(res.code, 0, res.stderr);
      t.equal(JSON.parse(res.stdout).account.id, a.accountId);
      t.equal(prompter.asked[0].choices!.length, 3);
    });

    await t.test('on a real terminal: pick the account, read the summary', async (t) => {
      const term = runOnTerminal(['template', 'list'], env);
      await term.waitFor(/Which account\?/);
      await term.keys(KEY.enter);
      await term.waitFor(/43216\s+│ 订单发货通知/);
      t.equal(await term.exit, 0, term.screen);
      t.match(term.screen, /\{\{character_string1\.DATA\}\} \{\{thing2\.DATA\}\}/);
    });
  }),
);
