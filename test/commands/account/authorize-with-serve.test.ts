// With `wxplat serve` running, WeChat's authorized event and the operator's pasted redirect carry the
// same single-use code: whichever exchanges it second must still end with the account, not an error.
import t from 'tap';
import { startServe } from '../../../src/core/callbacks/service.js';
import { InboxRepository } from '../../../src/db/repositories/inbox.js';
import { silentLogger } from '../../../src/logger.js';
import { runCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { runOnTerminal } from '../../helpers/pty.js';
import { COMPONENT, startWorld } from '../../helpers/world.js';
import { until } from '../../helpers/wait.js';

t.test('the receiver exchanged the code first', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const serve = await startServe(
      { db: world.db, wechat: async () => world.wechat, clock: world.clock, logger: silentLogger },
      { host: '127.0.0.1', port: 0, component: { appid: COMPONENT.appid, token: COMPONENT.token, encodingAesKey: COMPONENT.encodingAesKey }, maxSkewSeconds: 300 },
    );
    t.teardown(() => serve.stop());
    world.sandbox.callbackUrl = serve.url;

    const links = await runCli(['account', 'authorize', '--url-only', '--redirect-uri', 'https://platform.example.com/done', '--json'], { env: world.env });
    t.equal(links.code, 0, links.stderr);
    const page = await fetch(JSON.parse(links.stdout).pc, { redirect: 'manual' });
    const redirect = page.headers.get('location')!;
    t.match(redirect, /auth_code=/);
    await world.sandbox.pushes.settled();
    // Let the receiver finish first (the other order — the CLI first, the receiver refused — is the
    // receiver's own test).
    const inbox = new InboxRepository(world.db.knex, world.db.dialect);
    await until(async () => (await inbox.recentAuthorizationEvents(new Date(0)))[0]?.state === 'done', 'the receiver to process the authorization');

    const r = await runCli(['account', 'authorize', '--redirect-url', redirect, '--json'], { env: world.env });
    t.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    t.ok(doc.viaReceiver > 0, 'the receiver completed it');
    t.match(doc.account, { state: 'valid' });
    t.equal(Number((await world.db.knex('official_accounts').count({ n: '*' }))[0].n), 1, 'one account, not two');

    // A code nobody pushed and WeChat refuses stays an error.
    const bogus = await runCli(['account', 'authorize', '--auth-code', 'queryauthcode@@@nothing-like-it'], { env: world.env });
    t.equal(bogus.code, 2);
    t.match(bogus.stderr, /61009/);
  }),
);

t.test('with the sandbox as WeChat and serve running: no redirect question, and the command ends with the account by itself', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const serve = await startServe(
      { db: world.db, wechat: async () => world.wechat, clock: world.clock, logger: silentLogger },
      { host: '127.0.0.1', port: 0, component: { appid: COMPONENT.appid, token: COMPONENT.token, encodingAesKey: COMPONENT.encodingAesKey }, maxSkewSeconds: 300 },
    );
    t.teardown(() => serve.stop());
    world.sandbox.callbackUrl = serve.url;

    const term = runOnTerminal(['account', 'authorize'], world.env);
    const [, pc] = await term.waitFor(/(http:\/\/\S+componentloginpage\S+)/);
    t.match(term.screen, /redirect URI: the sandbox's page http:\/\/127\.0\.0\.1:\d+\/sandbox\/authorized/);
    t.notMatch(term.screen, /Redirect URI \(the page/, 'not asked for a redirect URI');
    await term.waitFor(/paste the address WeChat redirected to/);
    // The admin confirms: the sandbox sends the browser to its own page and pushes the authorized event.
    const page = await fetch(pc, { redirect: 'manual' });
    const location = page.headers.get('location')!;
    t.match(location, /\/sandbox\/authorized\?auth_code=/);
    t.match(await (await fetch(location)).json(), { authorized: true, authCode: /^queryauthcode@@@/ });
    // serve exchanges the code; the command sees it and ends with the account, nothing pasted.
    await term.waitFor(/Authorized account \d+ wx[0-9a-zA-Z]{16}/);
    t.equal(await term.exit, 0, term.screen);
    t.match(term.screen, /`wxplat serve` had already exchanged this code/);
    t.equal(Number((await world.db.knex('official_accounts').count({ n: '*' }))[0].n), 1, 'one account');
  }),
);
