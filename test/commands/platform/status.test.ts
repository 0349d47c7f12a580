// `wxplat platform status`: ticket age, component token expiry, accounts by token state — never a
// ticket or token value.
import t from 'tap';
import { fixedClock } from '../../../src/clock.js';
import { ANSI, runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { startWorld } from '../../helpers/world.js';

t.test('platform status', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const a = await world.authorize();
    const b = await world.authorize();
    const c = await world.authorize();
    const knex = world.db.knex;
    await knex('wxplat_authorizer_tokens').where('authorizer_appid', b.appid).update({ needs_reauth: 1, reauth_reason: 'refresh token invalid (61023)' });
    await knex('official_accounts').where('appid', c.appid).update({ status: -2 });
    const env = world.env;
    const now = new Date();
    const at = (minutes: number) => ({ overrides: { clock: fixedClock(new Date(now.getTime() + minutes * 60_000)) } });

    let r = await runCli(['platform', 'status', '--json'], { env, ...at(0) });
    t.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    t.match(s, {
      componentAppid: env.WXPLAT_COMPONENT_APPID,
      ticket: { state: 'fresh', receivedAt: /^\d{4}-\d\d-\d\dT/, ageSeconds: Number },
      componentToken: { state: 'valid', expiresAt: /Z$/, expiresInSeconds: Number },
      accounts: {
        authorized: 2,
        removed: 1,
        byTokenState: { valid: 1, expiring: 0, needsReauthorization: 1 },
        needingAuthorization: [{ appid: b.appid, reason: 'refresh token invalid (61023)' }],
      },
    });
    t.ok(s.ticket.ageSeconds < 120);
    t.ok(s.componentToken.expiresInSeconds > 3600);

    // Never a ticket or a token.
    const creds = await knex('wxplat_component_credentials').first();
    const tokens = await knex('wxplat_authorizer_tokens').select('access_token', 'refresh_token');
    const human = await runCli(['platform', 'status'], { env, ...at(0) });
    for (const secret of [creds.verify_ticket, creds.access_token, ...tokens.flatMap((x: any) => [x.access_token, x.refresh_token])].filter(Boolean)) {
      t.notOk(r.stdout.includes(secret) || human.stdout.includes(secret), 'no ticket or token value');
    }
    t.match(human.stdout, new RegExp(`^component +${env.WXPLAT_COMPONENT_APPID}$`, 'm'));
    t.match(human.stdout, /^ticket +fresh, received \d+ (s|min) ago \(\d{4}-/m);
    t.match(human.stdout, /^component token +valid, expires in (1 h \d+ min|2 h) \(/m);
    t.match(human.stdout, /^accounts +2 authorized: 1 valid, 0 expiring, 1 needs re-authorization \(1 removed\)$/m);
    t.match(human.stdout, new RegExp(`needs re-authorization: ${b.appid} \\(.*\\) — refresh token invalid \\(61023\\)`));
    t.notMatch(human.stdout, ANSI);
    t.match((await runCli(['platform', 'status'], { env, stdoutTTY: true, ...at(0) })).stdout, /\u001b\[32mfresh/);

    // Time passes: a stale ticket and an expiring token; then an expired ticket and token.
    r = await runCli(['platform', 'status', '--json'], { env, ...at(115) });
    t.match(JSON.parse(r.stdout), { ticket: { state: 'stale' }, componentToken: { state: 'expiring' }, accounts: { byTokenState: { valid: 0, expiring: 1 } } });
    r = await runCli(['platform', 'status'], { env, ...at(13 * 60) });
    t.match(r.stdout, /^ticket +expired, received 13 h( \d+ min)? ago/m);
    t.match(r.stdout, /^component token +expired 1\d h( \d+ min)? ago \(renewed on next use\)$/m);

    // Nothing yet.
    await knex('wxplat_component_credentials').del();
    r = await runCli(['platform', 'status', '--json'], { env });
    t.match(JSON.parse(r.stdout), {
      ticket: { state: 'missing', receivedAt: null, ageSeconds: null },
      componentToken: { state: 'missing', expiresAt: null, expiresInSeconds: null },
    });
    t.match((await runCli(['platform', 'status'], { env })).stdout, /^ticket +none yet: run `wxplat serve`/m);
    void a;
  }),
);

t.test('platform status needs the component appid and a migrated database (exit 2)', (t) =>
  eachDatabase(t, async (t, tdb) => {
    let r = await runCli(['platform', 'status'], { env: { WXPLAT_DATABASE_URL: tdb.url } });
    t.equal(r.code, 2);
    t.match(r.stderr, /set WXPLAT_COMPONENT_APPID/);
    r = await runCli(['platform', 'status'], { env: { WXPLAT_DATABASE_URL: tdb.url, WXPLAT_COMPONENT_APPID: 'wx1234567890abcdef' } });
    t.equal(r.code, 2);
    t.match(r.stderr, tdb.kind === 'sqlite' ? /there is no database at sqlite:.* yet/ : /not fully migrated/);
  }),
);
