// An account's standing in `account show` and `doctor`, on both stores: WeChat's account_status
// (recorded at every profile fetch) and the permission sets wxplat uses; and the doctor's advice to
// restart the ticket push when the ticket is missing or older than 30 minutes.
import t from 'tap';
import { ticketCheck } from '../../../src/core/doctor/platform.js';
import type { PlatformStatus } from '../../../src/core/platform/status.js';
import { runCli, spawnCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { startWorld } from '../../helpers/world.js';

async function doctor(env: Record<string, string>) {
  const r = await spawnCli(['doctor', '--json'], { env });
  const report = JSON.parse(r.stdout);
  return { code: r.code, accounts: report.checks.find((c: { name: string }) => c.name === 'accounts') };
}

t.test('account show and doctor: account_status and missing permission sets', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const good = await world.authorize();
    world.sandbox.createAccount({ appid: 'wx00000000000000aa', funcIds: [1, 3, 4] });
    const lacking = await world.authorize({ appid: 'wx00000000000000aa' });

    const show = await spawnCli(['account', 'show', good.appid], { env: world.env });
    t.equal(show.code, 0, show.stderr);
    t.match(show.stdout, /account status +normal \(1\), checked \d{4}-\d\d-\d\dT/);
    t.match(show.stdout, /permissions +template messages yes, user management yes\n/);
    const json = JSON.parse((await spawnCli(['account', 'show', lacking.appid, '--json'], { env: world.env })).stdout);
    t.same(json.standing.permissions, { templateMessages: false, userManagement: false });
    t.same(json.standing.missing, ['群发与通知 (7)', '用户管理 (2)']);
    t.match(json.standing.accountStatus, { code: 1, name: 'normal', checkedAt: String });
    const lackingShow = await spawnCli(['account', 'show', lacking.appid], { env: world.env });
    t.match(lackingShow.stdout, /template messages no, user management no — lacks 群发与通知 \(7\) and 用户管理 \(2\): its admin must grant it by authorizing again/);

    let d = await doctor(world.env);
    t.equal(d.code, 0, 'a warning only');
    t.match(d.accounts, {
      state: 'warn',
      detail: '1 lacks permission sets wxplat uses: wx00000000000000aa (群发与通知 (7), 用户管理 (2))',
      advice: /calls that need them get 48001: have the admin authorize again granting them/,
    });

    // WeChat bans the good account; `account refresh` fetches its profile and records it.
    world.sandbox.setAccountStatus(good.appid, 16);
    t.equal((await runCli(['account', 'refresh', good.appid], { env: world.env })).code, 0);
    const banned = await spawnCli(['account', 'show', good.appid], { env: world.env });
    t.match(banned.stdout, /account status +banned \(16\), checked .*: WeChat refuses to act for it/);
    d = await doctor(world.env);
    t.equal(d.code, 1, 'a banned account fails the doctor');
    t.equal(d.accounts.state, 'fail');
    t.match(d.accounts.detail, `1 is ${good.appid} banned (16) at WeChat; 1 lacks permission sets wxplat uses`);
    t.match(d.accounts.advice, /WeChat banned, froze or cancelled them/);

    world.sandbox.setAccountStatus(good.appid, 18);
    await runCli(['account', 'refresh', '--all'], { env: world.env });
    d = await doctor(world.env);
    t.equal(d.code, 0);
    t.match(d.accounts, { state: 'warn', detail: new RegExp(`${good.appid} warned \\(18\\) at WeChat`) });

    // Never checked since the status was recorded (an account authorized before this version).
    await world.db.knex('wxplat_authorizer_status').del();
    const unchecked = await spawnCli(['account', 'show', good.appid], { env: world.env });
    t.match(unchecked.stdout, /account status +not checked yet \(`wxplat account refresh` asks WeChat\)/);
    t.equal(JSON.parse((await spawnCli(['account', 'show', good.appid, '--json'], { env: world.env })).stdout).standing.accountStatus, null);
  }),
);

t.test('doctor suggests `platform ticket restart` when the ticket is missing or older than 30 minutes', async (t) => {
  const status = (ticket: PlatformStatus['ticket']): PlatformStatus => ({
    componentAppid: 'wx1234567890abcdef',
    ticket,
    componentToken: { state: 'valid', expiresAt: 'x', expiresInSeconds: 6000 },
    accounts: { authorized: 1, removed: 0, byTokenState: { valid: 1, expiring: 0, needsReauthorization: 0 }, needingAuthorization: [], withoutOriginalId: [] },
    forwarding: [],
  });
  t.equal(ticketCheck(status({ state: 'fresh', receivedAt: 'x', ageSeconds: 300 })).advice, null);
  const recentStale = ticketCheck(status({ state: 'stale', receivedAt: 'x', ageSeconds: 25 * 60 }));
  t.equal(recentStale.state, 'warn');
  t.notMatch(recentStale.advice, /ticket restart/, '25 minutes: one push may have been missed');
  t.match(ticketCheck(status({ state: 'stale', receivedAt: 'x', ageSeconds: 31 * 60 })).advice, /`wxplat platform ticket restart` asks WeChat to push one now/);
  t.match(ticketCheck(status({ state: 'expired', receivedAt: 'x', ageSeconds: 50_000 })).advice, /ticket restart/);
  t.match(ticketCheck(status({ state: 'missing', receivedAt: null, ageSeconds: null })).advice, /ticket restart/);
});
