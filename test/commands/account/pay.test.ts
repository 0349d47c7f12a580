// account pay set / show: the key comes from stdin or a hidden prompt, never a flag, and is shown masked.
import t from 'tap';
import { PayParamsRepository } from '../../../src/db/repositories/pay.js';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { KEY, runOnTerminal } from '../../helpers/pty.js';
import { scriptedPrompter } from '../../helpers/scripted-prompter.js';
import { startWorld } from '../../helpers/world.js';

const PAY_KEY = 'Abcd012345678901234567890123Wxyz';
const PAY_KEY2 = 'ZYXW9876543210987654321098765432';

t.test('account pay', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { env } = world;
    const { accountId } = await world.authorize();
    const id = String(accountId);
    const rows = () => world.db.knex('official_accounts_pay_params').where('official_account_id', accountId).orderBy('official_accounts_pay_param_id');

    await t.test('show before anything is set', async (t) => {
      const res = await runCli(['account', 'pay', 'show', id, '--json'], { env });
      t.equal(res.code, 0);
      t.match(JSON.parse(res.stdout), { configured: false, mchId: null, key: null });
      const human = await runCli(['account', 'pay', 'show', id], { env });
      t.match(human.stderr, /has no pay settings/);
    });

    await t.test('a pay key on the command line is refused, and never echoed', async (t) => {
      for (const argv of [
        ['--key', PAY_KEY],
        [`--key=${PAY_KEY}`],
        ['--pay-key', PAY_KEY],
        ['--appkey', PAY_KEY],
      ]) {
        const res = await runCli(['account', 'pay', 'set', id, '--mch-id', '1230000109', '--name', '甲公司', ...argv], { env, stdin: PAY_KEY2 });
        t.equal(res.code, 2, argv[0]);
        t.match(res.stderr, /the pay key is never taken from the command line/);
        t.notMatch(res.stderr + res.stdout, PAY_KEY);
      }
      const extra = await runCli(['account', 'pay', 'set', id, PAY_KEY, '--mch-id', '1230000109', '--name', '甲公司'], { env, stdin: PAY_KEY2 });
      t.equal(extra.code, 2, 'a key as a second argument is bad usage');
      t.notMatch(extra.stderr, PAY_KEY);
      t.same(await rows(), [], 'nothing stored');
    });

    await t.test('bad values: exit 2, nothing stored', async (t) => {
      const cases: Array<[string[], string, RegExp]> = [
        [['--mch-id', '12a4', '--name', 'x'], PAY_KEY, /--mch-id must be the merchant number: digits only/],
        [['--mch-id', '1230000109', '--name', ''], PAY_KEY, /--name must be 1 to 100 characters/],
        [['--mch-id', '1230000109', '--name', 'x'], 'short', /exactly 32 letters or digits \(got 5 characters\)/],
        [['--mch-id', '1230000109', '--name', 'x'], `${PAY_KEY}!`, /exactly 32/],
        [['--mch-id', '1230000109', '--name', 'x'], '', /no pay key on stdin/],
        [['--name', 'x'], PAY_KEY, /missing --mch-id/],
        [['--mch-id', '1230000109'], PAY_KEY, /missing --name/],
      ];
      for (const [args, stdin, message] of cases) {
        const res = await runCli(['account', 'pay', 'set', id, ...args], { env, stdin });
        t.equal(res.code, 2, `${args.join(' ')} / ${stdin.length}`);
        t.match(res.stderr, message);
      }
      const unknown = await runCli(['account', 'pay', 'set', '4242', '--mch-id', '1', '--name', 'x'], { env, stdin: PAY_KEY });
      t.equal(unknown.code, 2);
      t.match(unknown.stderr, /no account matches "4242"/);
      t.same(await rows(), []);
    });

    await t.test('from stdin (piped, with a line end); show masks it', async (t) => {
      const res = await runCli(['account', 'pay', 'set', id, '--mch-id', '1230000109', '--name', '甲公司', '--json'], { env, stdin: `${PAY_KEY}\n` });
      t.equal(res.code, 0, res.stderr);
      t.match(JSON.parse(res.stdout), { configured: true, created: true, mchId: '1230000109', name: '甲公司', key: 'Abcd…Wxyz' });
      t.notMatch(res.stdout + res.stderr, PAY_KEY);
      const stored = await rows();
      t.equal(stored.length, 1);
      t.equal(stored[0].appkey, PAY_KEY, 'stored as given');
      t.equal(stored[0].status, 1);

      const show = await runCli(['account', 'pay', 'show', id], { env });
      t.match(show.stdout, /key\s+Abcd…Wxyz/);
      t.notMatch(show.stdout, PAY_KEY);
      const json = await runCli(['account', 'pay', 'show', id, '--json'], { env });
      t.notMatch(json.stdout, PAY_KEY);
      const account = await runCli(['account', 'show', id, '--json'], { env });
      t.same(JSON.parse(account.stdout).pay, { mchId: '1230000109', name: '甲公司' });
      t.notMatch(account.stdout, PAY_KEY);
    });

    await t.test('setting again updates the one valid row', async (t) => {
      const res = await runCli(['account', 'pay', 'set', id, '--mch-id', '1230000110', '--name', '乙公司'], { env, stdin: PAY_KEY2 });
      t.equal(res.code, 0, res.stderr);
      t.match(res.stdout, /updated pay settings .*mch id 1230000110, 乙公司, key ZYXW…5432/);
      const stored = await rows();
      t.equal(stored.length, 1);
      t.match(stored[0], { mch_id: '1230000110', name: '乙公司', appkey: PAY_KEY2 });
      // Production may hold several valid rows: the newest is updated, the others retire.
      await world.db.knex('official_accounts_pay_params').insert({ official_account_id: accountId, mch_id: '1', name: 'dup', appkey: PAY_KEY, status: 1 });
      await runCli(['account', 'pay', 'set', id, '--mch-id', '1230000111', '--name', '丙公司'], { env, stdin: PAY_KEY2 });
      t.same((await rows()).map((r) => r.status), [-2, 1]);
      t.equal((await new PayParamsRepository(world.db.knex).current(accountId))!.mch_id, '1230000111');
    });

    await t.test('at a terminal (scripted): asked for what is missing, the key hidden', async (t) => {
      const prompter = scriptedPrompter([
        { select: new RegExp(`^${id} `) },
        { input: 'abc' },
        { input: '1230000199' },
        { input: '丁公司' },
        { password: 'too-short' },
        { password: PAY_KEY },
      ]);
      const res = await runCli(['account', 'pay', 'set'], { env, stdinTTY: true, stdoutTTY: true, overrides: { prompter } });
      t.equal(res.code, 0, res.stderr);
      t.same(prompter.asked.map((a) => a.kind), ['select', 'input', 'input', 'password']);
      t.match(prompter.asked[1].refused, [/digits only/]);
      t.match(prompter.asked[3].refused, [/exactly 32/]);
      t.notMatch(res.stdout + res.stderr, PAY_KEY);
      t.equal((await new PayParamsRepository(world.db.knex).current(accountId))!.appkey, PAY_KEY);
    });

    await t.test('stdin a terminal but --yes: no prompt, exit 2', async (t) => {
      const res = await runCli(['account', 'pay', 'set', id, '--mch-id', '1', '--name', 'x', '--yes'], { env, stdinTTY: true, stdoutTTY: true });
      t.equal(res.code, 2);
      t.match(res.stderr, /read from stdin or a hidden prompt/);
    });

    await t.test('on a real terminal: the key typed at a hidden prompt never shows', async (t) => {
      const term = runOnTerminal(['account', 'pay', 'set', id, '--mch-id', '1230000200', '--name', '戊公司'], env);
      await term.waitFor(/Pay key \(32 characters, not shown\)/);
      term.type(PAY_KEY2);
      await term.keys(KEY.enter);
      await term.waitFor(/updated pay settings of account/);
      t.equal(await term.exit, 0, term.screen);
      t.notMatch(term.screen, PAY_KEY2, 'the key is not on the screen');
      t.match(term.screen, /key ZYXW…5432/);
      t.equal((await new PayParamsRepository(world.db.knex).current(accountId))!.appkey, PAY_KEY2);
    });
  }),
);
