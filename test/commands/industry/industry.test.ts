// industry get / set against the sandbox on both databases: WeChat's names back to codes, the local
// record, the monthly rule (ours and WeChat's 43100), prompts (scripted and on a real terminal), bad input.
import t from 'tap';
import { fixedClock } from '../../../src/clock.js';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { KEY, runOnTerminal } from '../../helpers/pty.js';
import { scriptedPrompter } from '../../helpers/scripted-prompter.js';
import { startWorld } from '../../helpers/world.js';

const SET = 'cgi-bin/template/api_set_industry';

t.test('industry get and set', (t) =>
  eachDatabase(t, async (t, tdb) => {
    // 2026-11-20 12:00 Beijing; the sandbox and wxplat share the clock, so months turn together.
    const clock = fixedClock(new Date('2026-11-20T04:00:00Z'));
    const world = await startWorld(t, tdb, { clock, sandbox: { clock } });
    const env = world.env;
    const run = (argv: string[], opts: Parameters<typeof runCli>[1] = {}) => runCli(argv, { env, overrides: { clock }, ...opts });
    t.equal((await run(['db', 'seed'])).code, 0);
    const { appid, accountId } = await world.authorize();
    const id = String(accountId);
    const record = () => world.db.knex('official_account_industry_codes').where('official_account_id', accountId).orderBy('official_account_industry_code_id');

    await t.test('get before any industry is set: WeChat has none (40102), nothing recorded', async (t) => {
      const res = await run(['industry', 'get', id, '--json']);
      t.equal(res.code, 0, res.stderr);
      t.match(JSON.parse(res.stdout), { account: { id: accountId, appid }, wechat: null, local: null, inSync: null, note: /not enabled/ });
    });

    await t.test('set: WeChat takes the codes, the pair is recorded', async (t) => {
      const res = await run(['industry', 'set', id, '1', '2', '--json']);
      t.equal(res.code, 0, res.stderr);
      t.match(JSON.parse(res.stdout), {
        changed: true,
        primary: { code: 1, main: 'IT科技', sub: '互联网/电子商务' },
        secondary: { code: 2, sub: 'IT软件与服务' },
        previous: null,
      });
      t.same(world.sandbox.account(appid).industry, { primary: 1, secondary: 2 });
      t.match(await record(), [{ industry_id1: 1, industry_id2: 2, status: 1 }]);
    });

    await t.test("get: WeChat's names (互联网|电子商务) mapped to codes and named as the table does, beside the record", async (t) => {
      const res = await run(['industry', 'get', appid, '--json']);
      const doc = JSON.parse(res.stdout);
      t.same(doc.wechat, {
        primary: { code: 1, main: 'IT科技', sub: '互联网/电子商务' },
        secondary: { code: 2, main: 'IT科技', sub: 'IT软件与服务' },
      });
      t.match(doc.local, { primary: { code: 1, sub: '互联网/电子商务' }, secondary: { code: 2 }, updatedAt: '2026-11-20T04:00:00.000Z' });
      t.equal(doc.inSync, true);
      const human = await run(['industry', 'get', id]);
      t.match(human.stdout, /primary\t1 {2}IT科技 \/ 互联网\/电子商务\t1 {2}IT科技 \/ 互联网\/电子商务/, 'one spelling');
    });

    await t.test('the same pair again: nothing to change, WeChat not asked', async (t) => {
      const calls = world.sandbox.log.count(SET);
      const res = await run(['industry', 'set', id, '1', '2']);
      t.equal(res.code, 0);
      t.match(res.stdout, /already: nothing to change/);
      t.equal(world.sandbox.log.count(SET), calls);
    });

    await t.test('a second change this month: refused before WeChat, then 43100 with --force', async (t) => {
      const calls = world.sandbox.log.count(SET);
      const res = await run(['industry', 'set', id, '22', '29']);
      t.equal(res.code, 2);
      t.match(res.stderr, /changed on 2026-11-20, this month: WeChat allows one industry change a month, and a change deletes the account's templates/);
      t.match(res.stderr, /--force/);
      t.equal(world.sandbox.log.count(SET), calls, 'WeChat not asked');

      const forced = await run(['industry', 'set', id, '22', '29', '--force', '--json']);
      t.equal(forced.code, 1);
      const error = JSON.parse(forced.stderr).error;
      t.match(error, { errcode: 43100, exitCode: 1, message: /\(43100\): WeChat allows one industry change a month, and a change deletes the account's templates/ });
      t.equal(world.sandbox.log.count(SET), calls + 1);
      t.match(await record(), [{ industry_id1: 1, industry_id2: 2 }], 'the record unchanged');
    });

    await t.test('next month: 医疗护理 / 房地产|建筑 map back to 23 and 29', async (t) => {
      clock.advance(15 * 86_400_000);
      await world.storeTicket();
      const res = await run(['industry', 'set', id, '23', '29']);
      t.equal(res.code, 0, res.stderr);
      t.match(res.stdout, /set the industries of account .* to 23 医药护理 \/ 护理美容 and 29 房地产 \/ 建筑/);
      t.match(res.stderr, /wxplat template sync/);
      const doc = JSON.parse((await run(['industry', 'get', id, '--json'])).stdout);
      t.match(doc.wechat, {
        // WeChat says 医疗护理 and 房地产|建筑: named as the code table names 23 and 29.
        primary: { code: 23, main: '医药护理', sub: '护理美容' },
        secondary: { code: 29, main: '房地产', sub: '建筑' },
      });
      t.equal(doc.inSync, true);
      t.match(await record(), [{ industry_id1: 23, industry_id2: 29, status: 1 }], 'one row, updated');
    });

    await t.test('and the month after: 其他 and 证券|基金|理财|信托', async (t) => {
      clock.advance(31 * 86_400_000);
      await world.storeTicket();
      t.equal((await run(['industry', 'set', id, '41', '8'])).code, 0);
      const doc = JSON.parse((await run(['industry', 'get', id, '--json'])).stdout);
      t.match(doc.wechat, { primary: { code: 41, main: '其它' }, secondary: { code: 8, sub: '基金|理财|信托' } });
      t.equal(doc.inSync, true);
    });

    await t.test('WeChat changed elsewhere (the MP console): get shows both sides differ', async (t) => {
      await world.db.knex('official_account_industry_codes').where('official_account_id', accountId).update({ industry_id1: 10 });
      const res = await run(['industry', 'get', id]);
      t.match(res.stderr, /WeChat and the local record differ/);
      t.equal(JSON.parse((await run(['industry', 'get', id, '--json'])).stdout).inSync, false);
      await world.db.knex('official_account_industry_codes').where('official_account_id', accountId).update({ industry_id1: 41 });
    });

    await t.test('bad inputs: exit 2, nothing changed, WeChat not asked', async (t) => {
      clock.advance(31 * 86_400_000);
      await world.storeTicket();
      const calls = world.sandbox.log.count(SET);
      const cases: Array<[string[], RegExp]> = [
        [[id, '42', '1'], /unknown primary industry code 42/],
        [[id, '1', '99'], /unknown secondary industry code 99/],
        [[id, '7', '7'], /must differ/],
        [[id, 'x', '1'], /<primary-code> must be an industry code number/],
        [['4242', '1', '2'], /no account matches "4242"/],
        [[id], /missing <primary-code>/],
        [[id, '1'], /missing <secondary-code>/],
        [[], /missing <account>/],
      ];
      for (const [args, message] of cases) {
        const res = await run(['industry', 'set', ...args]);
        t.equal(res.code, 2, args.join(' '));
        t.match(res.stderr, message);
      }
      t.equal(world.sandbox.log.count(SET), calls);
      t.match(await record(), [{ industry_id1: 41, industry_id2: 8 }]);
      const get = await run(['industry', 'get', 'wxffffffffffffffff']);
      t.equal(get.code, 2);
      t.match(get.stderr, /no account matches/);
    });

    await t.test('at a terminal (scripted): pick the industries; "no" changes nothing', async (t) => {
      const no = scriptedPrompter([{ select: /^ 3 / }, { select: /^ 1 / }, { confirm: false }]);
      const declined = await run(['industry', 'set', id], { overrides: { clock, prompter: no } });
      t.equal(declined.code, 1, 'answering no is not bad usage: nothing was done (exit 1)');
      t.match(declined.stderr, /^industries of account .* not changed: you answered no\n$/);
      t.equal(no.asked[0].choices!.length, 41, 'every code offered for the primary');
      t.equal(no.asked[1].choices!.length, 40, 'the primary is not offered again');
      t.match(no.asked[2].message, /to 3 IT科技 \/ IT硬件与设备 and 1 IT科技 \/ 互联网\/电子商务\? WeChat allows one industry change a month/);

      const yes = scriptedPrompter([{ select: new RegExp(`^${accountId} `) }, { select: /^ 3 / }, { select: /^ 1 / }, { confirm: true }]);
      const res = await run(['industry', 'set', '--json'], { overrides: { clock, prompter: yes } });
      t.equal(res.code, 0, res.stderr);
      t.same(world.sandbox.account(appid).industry, { primary: 3, secondary: 1 });
    });
  }),
);

t.test('industry set on a real terminal', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    t.equal((await runCli(['db', 'seed'], { env: world.env })).code, 0);
    const { appid, accountId } = await world.authorize();
    const term = runOnTerminal(['industry', 'set', String(accountId)], world.env);
    await term.waitFor(/Primary industry:/);
    await term.waitFor(/IT硬件与设备/);
    await term.keys(KEY.down, KEY.down, KEY.enter); // 1 → 3
    await term.waitFor(/Secondary industry:/);
    await term.keys(KEY.enter); // 1 (3 is not offered)
    await term.waitFor(/to 3 IT科技 \/ IT硬件与设备 and 1 IT科技 \/ 互联网\/电子商务\?/);
    await term.keys('y', KEY.enter);
    await term.waitFor(/set the industries of account \d+ wx\w+ \(.*\) to 3 IT科技 \/ IT硬件与设备 and 1 IT科技/);
    t.equal(await term.exit, 0, term.screen);
    t.same(world.sandbox.account(appid).industry, { primary: 3, secondary: 1 });

    // Changed this month: refused before the question, not after the operator said yes.
    const again = runOnTerminal(['industry', 'set', String(accountId), '5', '6'], world.env);
    await again.waitFor(/were changed on \d{4}-\d\d-\d\d, this month/);
    t.equal(await again.exit, 2, again.screen);
    t.notMatch(again.screen, /Set the industries/, 'nothing asked');
    t.same(world.sandbox.account(appid).industry, { primary: 3, secondary: 1 });
  }),
);
