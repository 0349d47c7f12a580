// `account authorize` against the sandbox: links, the code from a redirect URL or a flag, the prompt
// (scripted and on a real terminal), re-authorization updating the same row, and the bad inputs.
import t from 'tap';
import { AccountRepository } from '../../../src/db/repositories/accounts.js';
import { TokenRepository } from '../../../src/db/repositories/tokens.js';
import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli.js';
import { Capture, runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { KEY, runOnTerminal } from '../../helpers/pty.js';
import { scriptedPrompter } from '../../helpers/scripted-prompter.js';
import { COMPONENT, startWorld, type World } from '../../helpers/world.js';

const REDIRECT = 'https://platform.example.com/wechat/authorized';

/** The admin opens the link and confirms: the sandbox redirects to redirect_uri?auth_code=…. */
async function confirmAt(link: string, bizAppid?: string): Promise<string> {
  const url = new URL(link.replace('#wechat_redirect', ''));
  if (bizAppid) url.searchParams.set('biz_appid', bizAppid);
  const res = await fetch(url, { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`the authorization page answered ${res.status}: ${await res.text()}`);
  return res.headers.get('location')!;
}

async function links(world: World): Promise<{ pc: string; mobile: string; expiresIn: number }> {
  const res = await runCli(['account', 'authorize', '--redirect-uri', REDIRECT, '--url-only', '--json'], { env: world.env });
  if (res.code !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout);
}

const accountCount = async (world: World) => (await new AccountRepository(world.db.knex).list(true)).length;

t.test('account authorize', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const env = world.env;

    await t.test('links on the sandbox origin, with every parameter', async (t) => {
      const l = await links(world);
      const pc = new URL(l.pc);
      t.equal(pc.origin, world.sandbox.url, 'WXPLAT_API_BASE is not WeChat: its origin serves the pages');
      t.equal(pc.pathname, '/cgi-bin/componentloginpage');
      t.equal(pc.searchParams.get('component_appid'), COMPONENT.appid);
      t.match(pc.searchParams.get('pre_auth_code'), /^preauthcode@@@/);
      t.equal(pc.searchParams.get('redirect_uri'), REDIRECT);
      t.equal(pc.searchParams.get('auth_type'), '1');
      const mobile = new URL(l.mobile);
      t.equal(mobile.pathname, '/safe/bindcomponent');
      t.equal(mobile.hash, '#wechat_redirect');
      t.equal(mobile.searchParams.get('pre_auth_code'), pc.searchParams.get('pre_auth_code'));
      t.equal(l.expiresIn, 600);
    });

    let appid = '';
    await t.test('--redirect-url: the code is exchanged, the account stored per §9', async (t) => {
      const location = await confirmAt((await links(world)).pc);
      t.match(location, /^https:\/\/platform\.example\.com\/wechat\/authorized\?auth_code=queryauthcode/);
      const res = await runCli(['account', 'authorize', '--redirect-url', location, '--json'], { env });
      t.equal(res.code, 0, res.stderr);
      const doc = JSON.parse(res.stdout);
      t.equal(doc.created, true);
      appid = doc.account.appid;
      const sandboxAccount = world.sandbox.account(appid);
      t.match(doc.account, {
        appid,
        nickname: sandboxAccount.nickname,
        originalId: sandboxAccount.userName,
        serviceTypeId: 2,
        serviceType: 'service',
        verifyTypeId: 0,
        verifyType: 'WeChat verified',
        funcIds: sandboxAccount.funcIds,
        state: 'valid',
        token: { state: 'valid' },
      });
      const row = (await new AccountRepository(world.db.knex).findByAppid(appid))!;
      t.equal(row.status, 1);
      t.equal(row.func_ids, sandboxAccount.funcIds.join(','), 'func_ids a comma list');
      t.equal(row.business_info_open_pay, 1, 'business_info 0 (not enabled) is stored as 1');
      t.equal(row.business_info_open_store, 1);
      t.equal(row.original_id, sandboxAccount.userName);
      const states = await new TokenRepository(world.db.knex, world.clock).authorizerStates();
      t.ok(states.find((s) => s.appid === appid)?.hasRefreshToken, 'the tokens are stored');
      t.notMatch(res.stdout, /refreshtoken@@@/, 'no token in the output');
    });

    await t.test('a used code: exit 2, a clear message, nothing changed', async (t) => {
      const location = await confirmAt((await links(world)).pc);
      t.equal((await runCli(['account', 'authorize', '--redirect-url', location], { env })).code, 0);
      const before = await accountCount(world);
      const again = await runCli(['account', 'authorize', '--redirect-url', location], { env });
      t.equal(again.code, 2);
      t.match(again.stderr, /WeChat refused the authorization code \(61009/);
      t.match(again.stderr, /already used/);
      t.equal(again.stdout, '');
      t.equal(await accountCount(world), before, 'no row added');
      const json = await runCli(['account', 'authorize', '--auth-code', new URL(location).searchParams.get('auth_code')!, '--json'], { env });
      t.equal(json.code, 2);
      t.match(JSON.parse(json.stderr).error, { exitCode: 2, errcode: 61009 });
    });

    await t.test('authorizing the same appid again updates its row', async (t) => {
      const before = await accountCount(world);
      const location = await confirmAt((await links(world)).pc, appid);
      const code = new URL(location).searchParams.get('auth_code')!;
      const res = await runCli(['account', 'authorize', '--auth-code', code, '--json'], { env });
      t.equal(res.code, 0, res.stderr);
      t.equal(JSON.parse(res.stdout).created, false);
      t.equal(await accountCount(world), before, 'never a second row');
      const rows = await world.db.knex('official_accounts').where('appid', appid);
      t.equal(rows.length, 1);
    });

    await t.test('a removed account authorized again is valid again, same row', async (t) => {
      t.equal((await runCli(['account', 'remove', appid, '--yes'], { env })).code, 0);
      const location = await confirmAt((await links(world)).mobile, appid);
      const res = await runCli(['account', 'authorize', '--redirect-url', location], { env });
      t.equal(res.code, 0, res.stderr);
      t.match(res.stdout, /^Re-authorized account \d+ wx/);
      const rows = await world.db.knex('official_accounts').where('appid', appid);
      t.same(rows.map((r) => r.status), [1]);
    });

    await t.test('bad inputs: exit 2 before WeChat is asked', async (t) => {
      const before = world.sandbox.log.count();
      const cases: Array<[string[], RegExp]> = [
        [['--redirect-url', 'not a url'], /malformed redirect URL "not a url"/],
        [['--redirect-url', 'https://platform.example.com/cb?expires_in=600'], /no auth_code parameter/],
        [['--redirect-url', 'ftp://platform.example.com/cb?auth_code=x'], /malformed redirect URL/],
        [['--auth-code', 'has space'], /malformed authorization code/],
        [['--auth-code', 'x', '--redirect-url', 'https://a.example.com/?auth_code=y'], /not both/],
        [['--auth-type', '4', '--redirect-uri', REDIRECT], /--auth-type must be 1, 2 or 3/],
        [['--redirect-uri', 'platform.example.com/cb'], /--redirect-uri must be an absolute http\(s\) URL/],
        [[], /missing --redirect-uri/],
      ];
      for (const [args, message] of cases) {
        const res = await runCli(['account', 'authorize', ...args], { env });
        t.equal(res.code, 2, args.join(' '));
        t.match(res.stderr, message);
        t.equal(res.stdout, '');
      }
      t.equal(world.sandbox.log.count(), before, 'no request reached WeChat');
    });

    await t.test('no terminal and no code: the links, then exit 2 naming the flags', async (t) => {
      const before = await accountCount(world);
      const res = await runCli(['account', 'authorize', '--redirect-uri', REDIRECT], { env });
      t.equal(res.code, 2);
      t.match(res.stdout, /componentloginpage\?component_appid=/);
      t.match(res.stdout, /bindcomponent\?action=bindcomponent/);
      t.notMatch(res.stdout, /█|▀|▄/, 'no QR code when stdout is not a terminal');
      t.match(res.stderr, /--auth-code CODE or --redirect-url URL/);
      t.equal(await accountCount(world), before);
    });

    await t.test('at a terminal (scripted answers): the QR code, a refused answer, then the URL', async (t) => {
      // main() with our own stdout, so that an answer can read the link this very run printed.
      const stdout = new Capture(true);
      const stderr = new Capture(false);
      const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
      stdin.isTTY = true;
      const prompter = scriptedPrompter([
        { input: 'https://platform.example.com/cb?no=code' },
        { input: 'two words' },
        { input: async () => confirmAt(/(http:\/\/\S+componentloginpage\S+)/.exec(stdout.text)![1]) },
      ]);
      const code = await main(['account', 'authorize', '--redirect-uri', REDIRECT], {
        io: { stdout, stderr, stdin, env: { ...env }, cwd: process.cwd() },
        overrides: { prompter },
      });
      t.equal(code, 0, stderr.text);
      t.match(stdout.text, /[▀▄█]/, 'a QR code of the mobile link on a terminal');
      t.match(stdout.text, /Authorized account \d+ wx/);
      t.same(prompter.asked[0].refused, ['the redirect URL has no auth_code parameter', 'malformed authorization code: expected one word of printable characters']);
      t.equal(prompter.left(), 0);
    });

    await t.test('on a real terminal: links, QR code, the pasted redirect URL', async (t) => {
      const term = runOnTerminal(['account', 'authorize', '--redirect-uri', REDIRECT], env);
      const [, pc] = await term.waitFor(/(http:\/\/\S+componentloginpage\S+)/);
      await term.waitFor(/[▀▄█]{8}/);
      await term.waitFor(/paste the address WeChat redirected to/);
      const location = await confirmAt(pc);
      term.type(location);
      await term.keys(KEY.enter);
      await term.waitFor(/Authorized account \d+ wx[0-9a-zA-Z]{16}/);
      t.equal(await term.exit, 0, term.screen);
    });

    await t.test('on a 60-column terminal the QR code (wider than that) is left out; with --url-only it never shows', async (t) => {
      const narrow = runOnTerminal(['account', 'authorize', '--redirect-uri', REDIRECT], env, { columns: 60 });
      // The prompt wraps at 60 columns: wait for its first words.
      await narrow.waitFor(/Once the admin has confirmed, paste/);
      t.notMatch(narrow.screen, /[▀▄█]/, 'no QR code that would wrap');
      t.match(narrow.screen, /the QR code needs \d+ columns/);
      narrow.type(KEY.ctrlC);
      await narrow.exit;
      const urlOnly = runOnTerminal(['account', 'authorize', '--redirect-uri', REDIRECT, '--url-only'], env);
      t.equal(await urlOnly.exit, 0, urlOnly.screen);
      t.match(urlOnly.screen, /componentloginpage/);
      t.notMatch(urlOnly.screen, /[▀▄█]/, 'no QR code with --url-only, even on a wide terminal');
    });
  }),
);
