// syncAccountTemplates / syncAccounts called directly, on both databases against the sandbox: the
// industries from WeChat when none are recorded, a mapping lost after an add (adopted, not added
// twice), WeChat's content differing from the catalogue's, --dry-run with a removal, and outcomes.
import t from 'tap';
import { setAccountIndustries } from '../../../src/core/industries/set.js';
import { addCatalogueEntry } from '../../../src/core/templates/catalogue.js';
import { overallOutcome, syncAccounts, syncAccountTemplates, type SyncResult } from '../../../src/core/templates/sync.js';
import { AccountRepository } from '../../../src/db/repositories/accounts.js';
import { eachDatabase } from '../../helpers/databases.js';
import { startWorld } from '../../helpers/world.js';

const ADD = 'cgi-bin/template/api_add_template';

t.test('template sync (core)', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { db, wechat, clock, sandbox } = world;
    const deps = { db, wechat, clock };
    const accounts = new AccountRepository(db.knex);
    const { appid, accountId } = await world.authorize();
    const row = async () => (await accounts.findById(accountId))!;

    await addCatalogueEntry(deps, {
      code: '43568',
      title: '订单支付成功通知',
      industry: 1,
      content: '订单编号:{{character_string1.DATA}}\n支付金额:{{amount2.DATA}}',
      keywords: ['订单编号', '支付金额'],
    });
    await addCatalogueEntry(deps, {
      code: '44102',
      title: '账号登录提醒',
      industry: 2,
      // Not what WeChat will hold: the catalogue names a keyword the account's template lacks.
      content: '登录账号:{{character_string1.DATA}}\n登录时间:{{time2.DATA}}\n备注:{{remark.DATA}}',
      keywords: ['登录账号', '登录时间'],
    });
    const mapped = () => db.knex('account_message_templates').where('official_account_id', accountId).orderBy('account_message_template_id');

    await t.test('no industries anywhere: nothing to add, a warning', async (t) => {
      const r = await syncAccountTemplates(deps, await row(), { dryRun: false });
      t.match(r, { industrySource: 'none', industries: [], added: [], outcome: 'ok', warnings: [/no industries/] });
    });

    await t.test('industries set at WeChat only (the MP console): read from WeChat', async (t) => {
      await wechat.account(appid).setIndustry(2, 1);
      const r = await syncAccountTemplates(deps, await row(), { dryRun: false });
      t.equal(r.industrySource, 'wechat');
      t.same(r.industries, [2, 1]);
      t.same(r.added.map((i) => i.code).sort(), ['43568', '44102']);
      t.equal((await mapped()).length, 2);
    });

    await t.test("WeChat's content asks for other placeholders than the catalogue's: a warning", async (t) => {
      const r = await syncAccountTemplates(deps, await row(), { dryRun: true });
      t.same(r.added, []);
      t.match(r.warnings, [/template 44102: WeChat's content asks for character_string1, time2, the catalogue's for character_string1, time2, remark/]);
    });

    await t.test('a mapping lost after the add (a crash): adopted next time, not added again', async (t) => {
      await db.knex('account_message_templates').where('official_account_id', accountId).delete();
      const calls = sandbox.log.count(ADD);
      const r = await syncAccountTemplates(deps, await row(), { dryRun: false });
      t.same(r.added, []);
      t.same(r.kept.map((k) => [k.code, k.adopted]).sort(), [['43568', true], ['44102', true]]);
      t.match(r.warnings, [/template 44102: WeChat's content asks for character_string1, time2/], 'adopted by title, with the difference said');
      t.equal(sandbox.log.count(ADD), calls);
      t.equal((await mapped()).length, 2);
    });

    await t.test('the recorded industries win over WeChat once there is a record', async (t) => {
      await db.knex('official_account_industry_codes').insert({ official_account_id: accountId, industry_id1: 1, industry_id2: 7, status: 1, created_at: '2020-01-01 00:00:00', updated_at: '2020-01-01 00:00:00' });
      const r = await syncAccountTemplates(deps, await row(), { dryRun: true });
      t.equal(r.industrySource, 'local');
      t.same(r.industries, [1, 7]);
    });

    await t.test('--dry-run with a template gone at WeChat: reported, status unchanged', async (t) => {
      const gone = (await mapped())[0]!;
      await wechat.account(appid).deleteTemplate(gone.template_id);
      const r = await syncAccountTemplates(deps, await row(), { dryRun: true });
      t.same(r.removed.map((i) => i.templateId), [gone.template_id]);
      t.equal((await mapped())[0]!.status, 1, 'still 1 after a dry run');
      const real = await syncAccountTemplates(deps, await row(), { dryRun: false });
      t.same(real.removed.map((i) => i.templateId), [gone.template_id]);
      t.equal((await db.knex('account_message_templates').where('account_message_template_id', gone.account_message_template_id).first()).status, -2);
    });

    await t.test('setAccountIndustries records what WeChat accepted', async (t) => {
      // A fresh account: no record, so no monthly rule on our side.
      const other = await world.authorize();
      const r = await setAccountIndustries(deps, (await accounts.findById(other.accountId))!, { primary: 13, secondary: 1, force: false });
      t.match(r, { changed: true, primary: { code: 13, main: '运输与仓储', sub: '快递' }, previous: null });
      t.same(sandbox.account(other.appid).industry, { primary: 13, secondary: 1 });
    });

    await t.test('several accounts: a failure is recorded and the next one runs', async (t) => {
      const good = await row();
      const unknown = { ...good, official_account_id: 999, appid: 'wxffffffffffffffff', nickname: 'ghost' };
      const results = await syncAccounts(deps, [unknown, good], { dryRun: true });
      t.equal(results.length, 2);
      t.match(results[0], { account: { id: 999 }, outcome: 'failed', error: { message: /wxffffffffffffffff|holds no tokens/ } });
      t.equal(results[1].outcome, 'ok');
      t.equal(overallOutcome(results), 'partial');
      t.equal(overallOutcome([results[0]]), 'failed');
      t.equal(overallOutcome([results[1]]), 'ok');
      t.equal(overallOutcome([] as SyncResult[]), 'ok');
    });
  }),
);
