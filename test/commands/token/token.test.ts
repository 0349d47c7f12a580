// `token get`, `token jsapi-ticket` and `token keys …` as the real binary, on both stores, against the
// sandbox: what they print (the value alone on stdout, its expiry on stderr; --json the listener's
// document), what they refuse (exit 2, nothing changed) and fail on (exit 1), and that nothing but the
// handed-over value is ever printed.
import t from 'tap';
import { spawnCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { COMPONENT, startWorld } from '../../helpers/world.js';
import { storedSecrets } from './helpers.js';

t.test('token get and token jsapi-ticket', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid, accountId } = await world.authorize();
    const env = world.env;
    const stored = (await world.tokens.readAuthorizerToken(appid))!;

    const plain = await spawnCli(['token', 'get', appid], { env });
    t.equal(plain.code, 0, plain.stderr);
    t.equal(plain.stdout, `${stored.token}\n`, 'the token alone on stdout');
    t.match(plain.stderr, new RegExp(`^the authorizer_access_token of ${appid}, expires \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(in (1 h \\d+ min|2 h)\\)\\n$`));

    const json = await spawnCli(['token', 'get', String(accountId), '--json'], { env });
    t.equal(json.code, 0);
    t.same(JSON.parse(json.stdout), { token: stored.token, expiresAt: stored.expiresAt!.toISOString() });
    t.equal(json.stderr, '');

    // Near expiry: refreshed through the keeper first.
    await world.db.knex('wxplat_authorizer_tokens').where('authorizer_appid', appid).update({ access_token_expires_at: '2000-01-01 00:00:00' });
    const refreshes = world.sandbox.log.count('cgi-bin/component/api_authorizer_token');
    const renewed = await spawnCli(['token', 'get', appid, '--json'], { env });
    t.equal(renewed.code, 0, renewed.stderr);
    t.not(JSON.parse(renewed.stdout).token, stored.token);
    t.equal(JSON.parse(renewed.stdout).token, (await world.tokens.readAuthorizerToken(appid))!.token);
    t.equal(world.sandbox.log.count('cgi-bin/component/api_authorizer_token') - refreshes, 1);

    const component = await spawnCli(['token', 'get', 'component', '--json'], { env });
    t.equal(component.code, 0, component.stderr);
    t.equal(JSON.parse(component.stdout).token, (await world.tokens.readComponentToken(COMPONENT.appid))!.token);

    const ticket = await spawnCli(['token', 'jsapi-ticket', appid, '--json'], { env });
    t.equal(ticket.code, 0, ticket.stderr);
    const again = await spawnCli(['token', 'jsapi-ticket', appid], { env });
    t.equal(again.stdout, `${JSON.parse(ticket.stdout).token}\n`, 'kept: the same ticket');
    t.match(again.stderr, `the jsapi_ticket of ${appid}, expires`);
    t.equal(world.sandbox.log.count('cgi-bin/ticket/getticket'), 1, 'one getticket call for two commands');

    // Refusals and failures.
    const unknown = await spawnCli(['token', 'get', 'wx00000000000000ff'], { env });
    t.equal(unknown.code, 2);
    t.match(unknown.stderr, /no account matches "wx00000000000000ff"/);
    const malformed = await spawnCli(['token', 'get', 'not-an-account'], { env });
    t.equal(malformed.code, 2);
    const missing = await spawnCli(['token', 'get'], { env });
    t.equal(missing.code, 2);
    t.match(missing.stderr, /missing <account> or component/);
    await world.tokens.dropAuthorizer(appid);
    const withdrawn = await spawnCli(['token', 'get', appid], { env });
    t.equal(withdrawn.code, 1);
    t.match(withdrawn.stderr, `error: account ${appid} is no longer authorized`);
    t.equal(withdrawn.stdout, '');
    const noTicket = await spawnCli(['token', 'jsapi-ticket', appid, '--json'], { env });
    t.equal(noTicket.code, 1);
    t.match(JSON.parse(noTicket.stderr).error, { exitCode: 1, message: /no longer authorized/ });

    const secrets = await storedSecrets(world);
    for (const run of [plain, json, renewed, component, ticket, again, unknown, missing, withdrawn, noTicket]) {
      t.notOk(secrets.some((s) => run.stderr.includes(s)), 'no secret on stderr');
    }
  }),
);

t.test('token keys add, list, remove', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize();
    const env = world.env;

    const added = await spawnCli(['token', 'keys', 'add', '--name', 'orders', '--appid', appid], { env });
    t.equal(added.code, 0, added.stderr);
    const key = added.stdout.trim();
    t.match(key, /^wxk_[A-Za-z0-9_-]{43}$/, 'the key alone on stdout');
    t.match(added.stderr, `key "orders" for ${appid}`);
    t.match(added.stderr, 'shown this once');
    t.notOk(added.stderr.includes(key));

    const json = await spawnCli(['token', 'keys', 'add', '--name', 'menus', '--json'], { env });
    const doc = JSON.parse(json.stdout);
    t.same(Object.keys(doc), ['name', 'appids', 'createdAt', 'lastUsedAt', 'key']);
    t.match(doc, { name: 'menus', appids: null, lastUsedAt: null });

    for (const [argv, message] of [
      [['token', 'keys', 'add'], /--name is required/],
      [['token', 'keys', 'add', '--name', 'orders'], /a key named "orders" exists already/],
      [['token', 'keys', 'add', '--name', 'x', '--appid', 'wx00000000000000ff'], /no account has the appid wx00000000000000ff/],
      [['token', 'keys', 'add', '--name', 'x y'], /--name must be/],
      [['token', 'keys', 'remove', 'nobody', '--yes'], /no key is named "nobody"/],
      [['token', 'keys', 'remove', 'orders'], /needs confirmation: pass --yes/],
    ] as const) {
      const r = await spawnCli([...argv], { env });
      t.equal(r.code, 2, argv.join(' '));
      t.match(r.stderr, message);
      t.equal(r.stdout, '');
    }

    const list = await spawnCli(['token', 'keys', 'list'], { env });
    t.equal(list.code, 0);
    // Piped: a tab-separated line a key (name, scope, created, last used), no header.
    t.match(list.stdout, new RegExp(`^orders\\t${appid}\\t\\d{4}-\\d\\d-\\d\\dT[^\\t]+Z\\tnever$`, 'm'));
    t.match(list.stdout, /^menus\tevery account \+ component\t[^\t]+\tnever$/m);
    const listed = JSON.parse((await spawnCli(['token', 'keys', 'list', '--json'], { env })).stdout);
    t.same(listed.map((k: { name: string }) => k.name), ['menus', 'orders']);
    t.notOk(JSON.stringify(listed).includes(key) || list.stdout.includes(key) || JSON.stringify(listed).includes(doc.key), 'never a key');

    const removed = await spawnCli(['token', 'keys', 'remove', 'orders', '--yes', '--json'], { env });
    t.equal(removed.code, 0, removed.stderr);
    t.match(JSON.parse(removed.stdout), { name: 'orders', removed: true });
    t.same(JSON.parse((await spawnCli(['token', 'keys', 'list', '--json'], { env })).stdout).map((k: { name: string }) => k.name), ['menus']);
    t.equal((await spawnCli(['token', 'keys', 'remove', 'menus', '--yes'], { env })).stdout, 'removed key "menus"\n');
    const empty = await spawnCli(['token', 'keys', 'list'], { env });
    t.equal(empty.code, 0);
    t.equal(empty.stdout, '');
    t.match(empty.stderr, 'no keys: make one for a service with `wxplat token keys add --name NAME`');
    t.same(JSON.parse((await spawnCli(['token', 'keys', 'list', '--json'], { env })).stdout), []);
  }),
);
