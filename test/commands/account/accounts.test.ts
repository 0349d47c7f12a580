// account list / show / refresh / remove against the sandbox, on both databases: the table and --json,
// token states, the interactive paths (picking an account, confirming), and the bad inputs.
import t from 'tap';
import { fixedClock } from '../../../src/clock.js';
import { AccountRepository } from '../../../src/db/repositories/accounts.js';
import { ANSI, runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { KEY, runOnTerminal } from '../../helpers/pty.js';
import { scriptedPrompter } from '../../helpers/scripted-prompter.js';
import { startWorld } from '../../helpers/world.js';

t.test('account list, show, refresh, remove', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { env } = world;
    world.sandbox.createAccount({ appid: 'wxaaaaaaaaaaaaaaa1', nickname: '甲服务号', funcIds: [1, 2, 7] });
    world.sandbox.createAccount({ appid: 'wxaaaaaaaaaaaaaaa2', nickname: '乙订阅号', serviceType: 0, verifyType: -1 });
    const a = await world.authorize({ appid: 'wxaaaaaaaaaaaaaaa1' });
    const b = await world.authorize({ appid: 'wxaaaaaaaaaaaaaaa2' });
    // An account production had before wxplat: no tokens here.
    const [legacyId] = await world.db.knex('official_accounts').insert({
      appid: 'wxaaaaaaaaaaaaaaa3',
      nickname: '老账号',
      original_id: 'gh_0123456789ab',
      service_type_id: 2,
      verify_type_id: 0,
      func_ids: '1,7',
      status: 1,
    });

    await t.test('list: every valid account, types in words, token state, never a token', async (t) => {
      const res = await runCli(['account', 'list', '--json'], { env });
      t.equal(res.code, 0, res.stderr);
      const list = JSON.parse(res.stdout);
      t.same(list.map((x: { appid: string }) => x.appid), ['wxaaaaaaaaaaaaaaa1', 'wxaaaaaaaaaaaaaaa2', 'wxaaaaaaaaaaaaaaa3']);
      t.match(list[0], {
        id: a.accountId,
        nickname: '甲服务号',
        originalId: /^gh_[0-9a-f]{12}$/,
        serviceType: 'service',
        verifyType: 'WeChat verified',
        funcIds: [1, 2, 7],
        state: 'valid',
        token: { state: 'valid', expiresAt: /^\d{4}-\d\d-\d\dT/ , reason: null },
      });
      t.match(list[1], { serviceType: 'subscription', verifyType: 'unverified' });
      t.match(list[2], { id: Number(legacyId), token: { state: 'needs-reauthorization', reason: /no tokens/ } });
      for (const key of Object.keys(list[0])) t.match(key, /^[a-z][A-Za-z]*$/, `camelCase key ${key}`);
      t.notMatch(res.stdout, /access_token|refresh_token|refreshtoken@@@/);

      const human = await runCli(['account', 'list'], { env });
      t.match(human.stdout, /甲服务号/);
      t.match(human.stdout, /WeChat verified/);
      t.match(human.stdout, /1,2,7/);
      t.match(human.stdout, /needs re-authorization/);
      t.notMatch(human.stdout, ANSI);
      const tty = await runCli(['account', 'list'], { env, stdoutTTY: true });
      t.match(tty.stdout, ANSI, 'colour on a terminal');
      t.notMatch((await runCli(['account', 'list', '--no-color'], { env, stdoutTTY: true })).stdout, ANSI);
    });

    await t.test('token states: expiring near the end, needs re-authorization once marked', async (t) => {
      const later = fixedClock(new Date(world.clock.now().getTime() + 115 * 60_000));
      const res = await runCli(['account', 'list', '--json'], { env, overrides: { clock: later } });
      t.equal(JSON.parse(res.stdout)[0].token.state, 'expiring');
      await world.tokens.markNeedsReauth('wxaaaaaaaaaaaaaaa2', 'WeChat refused its refresh token (61023 refresh_token is invalid)');
      const marked = JSON.parse((await runCli(['account', 'list', '--json'], { env })).stdout);
      t.match(marked[1].token, { state: 'needs-reauthorization', reason: /61023/ });
    });

    await t.test('show: by id, appid and original id; the same account in full', async (t) => {
      const gh = world.sandbox.account('wxaaaaaaaaaaaaaaa1').userName;
      const docs = [];
      for (const ref of [String(a.accountId), 'wxaaaaaaaaaaaaaaa1', gh]) {
        const res = await runCli(['account', 'show', ref, '--json'], { env });
        t.equal(res.code, 0, res.stderr);
        docs.push(JSON.parse(res.stdout));
      }
      t.same(docs[1], docs[0]);
      t.same(docs[2], docs[0]);
      t.match(docs[0], {
        id: a.accountId,
        principalName: '沙箱科技有限公司',
        business: { store: false, scan: false, pay: false, card: false, shake: false },
        industries: null,
        templates: 0,
        pay: null,
        createdAt: /Z$/,
      });
      const human = await runCli(['account', 'show', gh], { env });
      t.match(human.stdout, /principal\s+沙箱科技有限公司/);
      t.match(human.stdout, /token\s+valid \(access token until/);
    });

    await t.test('unknown and malformed accounts: exit 2', async (t) => {
      for (const ref of ['999', 'wxffffffffffffffff', 'gh_ffffffffffff']) {
        const res = await runCli(['account', 'show', ref], { env });
        t.equal(res.code, 2, ref);
        t.match(res.stderr, new RegExp(`no account matches "${ref}"`));
      }
      const bad = await runCli(['account', 'show', 'nonsense!'], { env });
      t.equal(bad.code, 2);
      t.match(bad.stderr, /is not an account: give an id, an appid \(wx…\) or an original id \(gh_…\)/);
      const missing = await runCli(['account', 'show'], { env });
      t.equal(missing.code, 2);
      t.match(missing.stderr, /missing <account>/);
    });

    await t.test('show at a terminal without an account: pick one', async (t) => {
      const prompter = scriptedPrompter([{ select: /乙订阅号/ }]);
      const res = await runCli(['account', 'show', '--json'], { env, overrides: { prompter } });
      t.equal(res.code, 0, res.stderr);
      t.equal(JSON.parse(res.stdout).appid, 'wxaaaaaaaaaaaaaaa2');
      t.equal(prompter.asked[0].kind, 'select');
      t.equal(prompter.asked[0].choices!.length, 3, 'every valid account offered');
    });

    await t.test('refresh one account: WeChat changed its name', async (t) => {
      // The admin renamed the account in the MP console.
      const row = (await new AccountRepository(world.db.knex).findById(a.accountId))!;
      await world.db.knex('official_accounts').where('official_account_id', a.accountId).update({ nickname: '旧名字' });
      const res = await runCli(['account', 'refresh', String(a.accountId), '--json'], { env });
      t.equal(res.code, 0, res.stderr);
      const doc = JSON.parse(res.stdout);
      t.same(doc.changed, ['nickname']);
      t.equal(doc.profile.nickname, row.nickname);
      const human = await runCli(['account', 'refresh', 'wxaaaaaaaaaaaaaaa1'], { env });
      t.match(human.stdout, /refreshed account \d+ wxaaaaaaaaaaaaaaa1 \(甲服务号\): no change/);
    });

    await t.test('refresh --all: one unauthorized account does not stop the rest; exit 3', async (t) => {
      const res = await runCli(['account', 'refresh', '--all', '--json'], { env });
      t.equal(res.code, 3, 'the legacy account is not authorized at the sandbox');
      const outcomes = JSON.parse(res.stdout);
      t.same(outcomes.map((o: { ok: boolean }) => o.ok), [true, true, false]);
      t.match(outcomes[2], { account: { appid: 'wxaaaaaaaaaaaaaaa3' }, errcode: 61003 });
      const human = await runCli(['account', 'refresh', '--all'], { env });
      t.equal(human.code, 3);
      t.match(human.stdout, /failed: WeChat cgi-bin\/component\/api_get_authorizer_info: 61003/);
      t.match(human.stderr, /1 of 3 account\(s\) could not be refreshed/);
      const both = await runCli(['account', 'refresh', '1', '--all'], { env });
      t.equal(both.code, 2);
      const none = await runCli(['account', 'refresh'], { env });
      t.equal(none.code, 2);
      t.match(none.stderr, /missing <account> \(or --all\)/);
    });

    await t.test('refresh one account WeChat no longer knows: exit 1, row unchanged', async (t) => {
      const res = await runCli(['account', 'refresh', 'wxaaaaaaaaaaaaaaa3'], { env });
      t.equal(res.code, 1);
      t.match(res.stderr, /61003/);
      t.match(res.stderr, /no longer authorized/);
      const row = (await new AccountRepository(world.db.knex).findByAppid('wxaaaaaaaaaaaaaaa3'))!;
      t.equal(row.nickname, '老账号');
    });

    await t.test('remove: without a terminal it needs --yes', async (t) => {
      const res = await runCli(['account', 'remove', String(b.accountId)], { env });
      t.equal(res.code, 2);
      t.match(res.stderr, /needs confirmation: pass --yes/);
      t.equal((await new AccountRepository(world.db.knex).findById(b.accountId))!.status, 1, 'nothing changed');
    });

    await t.test('remove at a terminal: "no" changes nothing, "yes" removes', async (t) => {
      const no = scriptedPrompter([{ confirm: false }]);
      const declined = await runCli(['account', 'remove', String(b.accountId)], { env, overrides: { prompter: no } });
      t.equal(declined.code, 1, '"no" is not bad usage: nothing was done');
      t.equal(declined.stderr, `account ${b.accountId} wxaaaaaaaaaaaaaaa2 (乙订阅号) not removed: you answered no\n`, 'plain words, not an error');
      t.match(no.asked[0].message, /Remove account \d+ wxaaaaaaaaaaaaaaa2 \(乙订阅号\)\?/);
      t.equal((await new AccountRepository(world.db.knex).findById(b.accountId))!.status, 1);

      const yes = scriptedPrompter([{ confirm: true }]);
      const removed = await runCli(['account', 'remove', String(b.accountId), '--json'], { env, overrides: { prompter: yes } });
      t.equal(removed.code, 0, removed.stderr);
      t.same(JSON.parse(removed.stdout), { account: { id: b.accountId, appid: 'wxaaaaaaaaaaaaaaa2', nickname: '乙订阅号' }, removed: true });
      t.equal((await new AccountRepository(world.db.knex).findById(b.accountId))!.status, -2);
    });

    await t.test('a removed account: hidden from list, shown by --all and show, refused elsewhere', async (t) => {
      const list = JSON.parse((await runCli(['account', 'list', '--json'], { env })).stdout);
      t.notOk(list.some((x: { appid: string }) => x.appid === 'wxaaaaaaaaaaaaaaa2'));
      const all = JSON.parse((await runCli(['account', 'list', '--all', '--json'], { env })).stdout);
      t.match(all.find((x: { appid: string }) => x.appid === 'wxaaaaaaaaaaaaaaa2'), { state: 'removed' });
      t.match(JSON.parse((await runCli(['account', 'show', 'wxaaaaaaaaaaaaaaa2', '--json'], { env })).stdout), { state: 'removed' });
      const again = await runCli(['account', 'remove', 'wxaaaaaaaaaaaaaaa2', '--yes'], { env });
      t.equal(again.code, 0);
      t.match(again.stdout, /was removed already/);
      const refresh = await runCli(['account', 'refresh', 'wxaaaaaaaaaaaaaaa2'], { env });
      t.equal(refresh.code, 2);
      t.match(refresh.stderr, /was removed/);
    });

    await t.test('Ctrl-C at a prompt on a real terminal: exit 130, nothing changed', async (t) => {
      const term = runOnTerminal(['account', 'remove'], env);
      await term.waitFor(/Which account\?/);
      term.type(KEY.ctrlC);
      t.equal(await term.exit, 130, term.screen);
      t.match(term.screen, /interrupted at the prompt/);
      t.notMatch(term.screen, /internal error/);
      t.equal((await new AccountRepository(world.db.knex).findByAppid('wxaaaaaaaaaaaaaaa3'))!.status, 1);
    });

    await t.test('remove on a real terminal: pick the account, confirm', async (t) => {
      const term = runOnTerminal(['account', 'remove'], env);
      await term.waitFor(/Which account\?/);
      await term.waitFor(/老账号/);
      // The list is id order: 甲 then 老账号 (乙 is removed already).
      await term.keys(KEY.down, KEY.enter);
      await term.waitFor(/Remove account \d+ wxaaaaaaaaaaaaaaa3 \(老账号\)\?/);
      await term.keys('y', KEY.enter);
      await term.waitFor(/removed account \d+ wxaaaaaaaaaaaaaaa3/);
      t.equal(await term.exit, 0, term.screen);
      t.equal((await new AccountRepository(world.db.knex).findByAppid('wxaaaaaaaaaaaaaaa3'))!.status, -2);
    });
  }),
);
