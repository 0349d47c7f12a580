// Every endpoint the tool uses, through the real client and token keeper, against the sandbox over
// loopback HTTP, with the tokens in a real database (SQLite and MariaDB).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { KEYWORD_RULES, keywordTypeOf } from '../../src/wechat/values.js';
import { fixedClock } from '../../src/clock.js';
import { TokenRepository } from '../../src/db/repositories/tokens.js';
import { WeChatClient } from '../../src/wechat/client.js';
import { WeChatError, classifyErrcode } from '../../src/wechat/errors.js';
import { createHttp } from '../../src/wechat/http.js';
import { NeedsReauthorizationError, TicketUnavailableError } from '../../src/wechat/tokens.js';
import { eachDatabase } from '../helpers/databases.js';
import { COMPONENT, FAST_RETRY, startWorld } from '../helpers/world.js';

const SEND = 'cgi-bin/message/template/send';

/** The error a call must end with. */
function failure(p: Promise<unknown>): Promise<WeChatError> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e as WeChatError,
  );
}

t.test('errcode classes', async (t) => {
  for (const code of [40001, 40014, 42001]) t.equal(classifyErrcode(code), 'token-invalid', String(code));
  for (const code of [-1, 45011]) t.equal(classifyErrcode(code), 'transient', String(code));
  t.equal(classifyErrcode(45009), 'quota');
  for (const code of [40003, 40037, 43004, 61023, 48001]) t.equal(classifyErrcode(code), 'permanent', String(code));
});

t.test('the endpoints, against the sandbox', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { sandbox, wechat, tokens } = world;

    // Component token from the stored ticket; then from the database, not WeChat.
    const token = await wechat.tokens.componentToken();
    t.type(token, 'string');
    t.equal(await wechat.tokens.componentToken(), token, 'the stored token is reused');
    t.equal(sandbox.log.count('cgi-bin/component/api_component_token'), 1, 'one api_component_token call');
    t.same(await wechat.startPushTicket(), { errcode: 0, errmsg: 'ok' });

    // Authorization: pre-auth code → the admin confirms → api_query_auth → api_get_authorizer_info.
    const { appid, accountId } = await world.authorize({ followers: 25_000 });
    t.match(appid, /^wx[0-9a-f]{16}$/);
    const stored = await tokens.readAuthorizerToken(appid);
    t.ok(stored?.token && stored.refreshToken, 'access and refresh token stored');
    const row = await world.db.knex('official_accounts').where('official_account_id', accountId).first();
    t.match(row, { appid, status: 1, service_type_id: 2, verify_type_id: 0, business_info_open_pay: 1 });
    t.match(row.original_id, /^gh_/);
    t.equal(row.func_ids, '1,2,3,4,7,11,15');
    const list = await wechat.getAuthorizerList(0);
    t.ok(list.list.some((a) => a.authorizer_appid === appid && a.refresh_token), 'in the authorizer list, with refresh_token');
    t.equal(list.total_count, list.list.length);

    const account = wechat.account(appid);
    t.same(await account.setIndustry(1, 2), { errcode: 0, errmsg: 'ok' });
    const industry = await account.getIndustry();
    t.equal(industry.primary_industry?.first_class, 'IT科技');
    t.equal(industry.secondary_industry?.second_class, 'IT软件与服务');

    const library = sandbox.libraryTemplates().find((l) => l.industryCode === 1)!;
    const added = await account.addTemplate({ template_id_short: library.shortId, keyword_name_list: library.keywords.map((k) => k.name) });
    t.match(added.template_id, /^[A-Za-z0-9_-]{40,}$/);
    const legacy = await account.addTemplate({ template_id_short: 'TM00015' }).catch((e) => e);
    t.ok(legacy instanceof WeChatError && legacy.errcode === 40247, 'historical TM templates are refused (40247)');
    t.equal(legacy.errorClass, 'permanent');
    const templates = await account.listTemplates();
    const mine = templates.template_list.find((tp) => tp.template_id === added.template_id)!;
    t.equal(mine.title, library.title);
    t.match(mine.content, /\{\{\w+\.DATA\}\}/);

    // Send: msgid above 2^53 arrives as its exact digits; a repeated client_msg_id is deduped.
    const [first] = sandbox.followerOpenids(appid, 0, 1);
    // Valid for each keyword's type (the sandbox checks them as WeChat does).
    const data = Object.fromEntries(library.keywords.map((k) => [k.key, { value: KEYWORD_RULES[keywordTypeOf(k.key)!].example }]));
    const sent = await account.sendTemplate({ touser: first, template_id: added.template_id, client_msg_id: 'test-1', data });
    t.match(sent.msgid, /^\d{19}$/);
    t.ok(BigInt(sent.msgid) > 2n ** 53n, `msgid ${sent.msgid} exceeds 2^53`);
    t.equal(sent.msgid, '3717005636572528642', 'the exact digits the sandbox wrote');
    const again = await account.sendTemplate({ touser: first, template_id: added.template_id, client_msg_id: 'test-1', data });
    t.equal(again.msgid, sent.msgid, 'same client_msg_id: same msgid');
    t.equal(sandbox.log.deliveries(appid, first), 1, 'delivered once');

    // Followers: pages of 10,000 and the empty call after the last page.
    let next: string | undefined;
    let seen = 0;
    let calls = 0;
    for (;;) {
      const page = await account.getFollowers(next);
      calls++;
      if (!page.data || page.count === 0) break;
      seen += page.data.openid.length;
      next = page.next_openid;
      if (!next) break;
    }
    t.equal(seen, 25_000, 'every follower once');
    t.ok(calls >= 3);
    const users = await account.batchGetUsers(sandbox.followerOpenids(appid, 0, 100));
    t.equal(users.user_info_list.length, 100);
    t.equal(users.user_info_list[0].subscribe, 1);
    t.notOk('nickname' in users.user_info_list[0], 'no nickname: WeChat stopped returning it in 2021');
    const tooMany = await account.batchGetUsers(sandbox.followerOpenids(appid, 0, 101)).catch((e) => e);
    t.ok(tooMany instanceof WeChatError, 'more than 100 openids is refused');

    t.same(await account.deleteTemplate(added.template_id), { errcode: 0, errmsg: 'ok' });
    const after = await account.listTemplates();
    t.notOk(after.template_list.some((tp) => tp.template_id === added.template_id));

    // Retry policy: token-invalid → expire that token, refresh, retry once.
    const refreshesBefore = sandbox.log.count('cgi-bin/component/api_authorizer_token');
    sandbox.faults.set({ revokeToken: appid });
    const sendsBefore = sandbox.log.count(SEND);
    const afterRevoke = await account.sendTemplate({ touser: first, template_id: mine.template_id, client_msg_id: 'test-2', data }).catch((e) => e);
    t.ok(afterRevoke instanceof WeChatError && afterRevoke.errcode === 40037, 'the deleted template is a permanent error');
    t.equal(sandbox.log.count('cgi-bin/component/api_authorizer_token'), refreshesBefore + 1, 'the revoked token was refreshed once');
    t.equal(sandbox.log.count(SEND), sendsBefore + 2, 'the send was tried twice: refused token, then the real answer');
    const fresh = await tokens.readAuthorizerToken(appid);
    t.not(fresh?.token, stored?.token, 'a new access token is stored');

    // transient: -1 is retried with backoff, a bounded number of times.
    sandbox.faults.set({ errorRate: 1 });
    const busyBefore = sandbox.log.count('cgi-bin/template/get_industry');
    const busy = await account.getIndustry().catch((e) => e);
    t.ok(busy instanceof WeChatError && busy.errcode === -1 && busy.errorClass === 'transient');
    t.equal(sandbox.log.count('cgi-bin/template/get_industry'), busyBefore + 1 + FAST_RETRY.policy!.transientRetries, 'first try plus bounded retries');
    sandbox.faults.clear();

    // quota: no retry.
    const live = await account.addTemplate({ template_id_short: library.shortId, keyword_name_list: library.keywords.map((k) => k.name) });
    sandbox.faults.set({ quotaExhausted: appid });
    const quotaBefore = sandbox.log.count(SEND);
    const quota = await account.sendTemplate({ touser: first, template_id: live.template_id, client_msg_id: 'q', data }).catch((e) => e);
    t.ok(quota instanceof WeChatError && quota.errcode === 45009 && quota.errorClass === 'quota');
    t.equal(sandbox.log.count(SEND), quotaBefore + 1, 'quota is not retried');
    t.notMatch(quota.message, /access_token=/, 'no token in the message');
    sandbox.faults.clear();
  }),
);

t.test('expiry by the clock, re-authorization, and a missing ticket', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const sandboxClock = fixedClock(new Date());
    const world = await startWorld(t, tdb, { sandbox: { clock: sandboxClock } });
    const { sandbox, wechat, tokens } = world;
    const { appid } = await world.authorize({ followers: 3 });
    const account = wechat.account(appid);
    await account.getIndustry().catch(() => undefined);

    // WeChat's clock runs two hours on: our stored token looks fresh to us, WeChat says 42001.
    sandboxClock.advance(7300 * 1000);
    const refreshes = sandbox.log.count('cgi-bin/component/api_authorizer_token');
    const page = await account.getFollowers();
    t.equal(page.total, 3, 'the call succeeded after a refresh');
    t.ok(sandbox.log.count('cgi-bin/component/api_authorizer_token') > refreshes, 'the expired token was refreshed');

    // The admin withdraws the authorization: the refresh token dies (61023), reconciliation finds nothing.
    await sandbox.unauthorize(appid);
    await tokens.expireToken('authorizer', appid, (await tokens.readAuthorizerToken(appid))!.token!);
    const dead = await account.getFollowers().catch((e) => e);
    t.ok(dead instanceof NeedsReauthorizationError, 'needs re-authorization');
    t.match(dead.message, /needs re-authorization/);
    t.match(dead.hint, /wxplat account authorize/);
    t.ok(sandbox.log.count('cgi-bin/component/api_get_authorizer_list') >= 1, 'reconciled through api_get_authorizer_list first');
    t.equal((await tokens.readAuthorizerToken(appid))?.needsReauth, true, 'marked in the database');
    const again = await account.getFollowers().catch((e) => e);
    t.ok(again instanceof NeedsReauthorizationError, 'and refused at once afterwards');

    // No ticket at all.
    const bare = new WeChatClient({
      apiBase: sandbox.url,
      component: { appid: 'wx00000000000000ff', appsecret: COMPONENT.appsecret },
      store: new TokenRepository(world.db.knex, world.clock),
      clock: world.clock,
      retry: FAST_RETRY,
    });
    const none = await bare.tokens.componentToken().catch((e) => e);
    t.ok(none instanceof TicketUnavailableError);
    t.match(none.message, /no component_verify_ticket has arrived yet/);
    t.match(none.hint, /wxplat serve/);
    t.equal(none.exitCode, 1);

    // A ticket older than 12 hours.
    await tokens.saveTicket('wx00000000000000ff', 'ticket@@@old', new Date(Date.now() - 13 * 3600_000));
    const old = await bare.tokens.componentToken().catch((e) => e);
    t.ok(old instanceof TicketUnavailableError);
    t.match(old.message, /arrived 13\.0 h ago; tickets expire after 12 h/);
  }),
);

t.test('network failures and HTTP 5xx are transient; timeouts too', async (t) => {
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/slow')) return; // never answers
    res.statusCode = 503;
    res.end('busy');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  const http = createHttp({ apiBase: `http://127.0.0.1:${port}`, timeoutMs: 300 });
  const e503 = await failure(http.call({ method: 'GET', endpoint: 'cgi-bin/x', query: { access_token: 'SECRET-TOKEN-VALUE' } }));
  t.ok(e503 instanceof WeChatError);
  t.equal(e503.errorClass, 'transient');
  t.equal(e503.httpStatus, 503);
  t.equal(e503.errcode, null);
  t.notMatch(e503.message, 'SECRET-TOKEN-VALUE');
  const slow = await failure(http.call({ method: 'GET', endpoint: 'slow' }));
  t.equal(slow.errorClass, 'transient');
  t.match(slow.errmsg, /timed out/);
  // A port nobody listens on (fetch refuses some low ports outright, so take a free one).
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const freePort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const closed = createHttp({ apiBase: `http://127.0.0.1:${freePort}` });
  const refused = await failure(closed.call({ method: 'GET', endpoint: 'cgi-bin/x' }));
  t.equal(refused.errorClass, 'transient');
  t.match(refused.errmsg, /ECONNREFUSED/);
});
