// What the token service hands out, through the real keeper and store, against the sandbox: the
// jsapi_ticket kept in the database like a token; reports of an invalid token as compare-and-set on its
// value (fifty reports, two "processes": one refresh; an old token: none); unknown and withdrawn
// accounts told apart. Two WeChatClients on one database stand in for two processes (distinct lease
// owners); the binary's own test (test/commands/token/listener.test.ts) runs real processes.
import t from 'tap';
import { TokenGrants, UnknownAccountError, obtainGrant } from '../../../src/core/tokens/grants.js';
import { TokenRepository } from '../../../src/db/repositories/tokens.js';
import { toSqlDateTime } from '../../../src/db/time.js';
import { WeChatClient } from '../../../src/wechat/client.js';
import { NotAuthorizedError } from '../../../src/wechat/tokens.js';
import { eachDatabase } from '../../helpers/databases.js';
import { COMPONENT, FAST_RETRY, startWorld, type World } from '../../helpers/world.js';

const REFRESH = 'cgi-bin/component/api_authorizer_token';
const GETTICKET = 'cgi-bin/ticket/getticket';

/** Another process's client: its own keeper (lease owner, memory), the same database and sandbox. */
function otherProcess(world: World): WeChatClient {
  return new WeChatClient({
    apiBase: world.sandbox.url,
    component: { appid: COMPONENT.appid, appsecret: COMPONENT.appsecret },
    store: new TokenRepository(world.db.knex, world.clock),
    clock: world.clock,
    retry: FAST_RETRY,
  });
}

t.test('the jsapi_ticket: fetched once, kept in the database, shared, dropped with the authorization', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize();
    const a = new TokenGrants({ db: world.db, keeper: world.wechat.tokens });
    const b = new TokenGrants({ db: world.db, keeper: otherProcess(world).tokens });

    const first = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).jsapiTicket(appid)));
    t.equal(new Set(first.map((g) => g.token)).size, 1, 'ten concurrent asks in two processes: one ticket');
    t.equal(world.sandbox.log.count(GETTICKET), 1, 'one getticket call');
    const row = await world.db.knex('wxplat_jsapi_tickets').where('authorizer_appid', appid).first();
    t.equal(row.ticket, first[0].token, 'stored');
    t.equal(row.lease_owner, null, 'the lease released');
    const left = first[0].expiresAt.getTime() - Date.now();
    t.ok(left > 7100_000 && left <= 7200_000, 'expires_in 7200 s from now');
    t.same(await b.jsapiTicket(appid), first[0], 'read back, not fetched');
    t.equal(world.sandbox.log.count(GETTICKET), 1);

    // Near expiry: refreshed ahead of it, once; the other process reads the new one.
    await world.db.knex('wxplat_jsapi_tickets').where('authorizer_appid', appid).update({ ticket_expires_at: toSqlDateTime(new Date(Date.now() + 60_000)) });
    const renewed = await a.jsapiTicket(appid);
    t.not(renewed.token, first[0].token, 'a new ticket');
    t.same(await b.jsapiTicket(appid), renewed);
    t.equal(world.sandbox.log.count(GETTICKET), 2);

    // The account withdraws: the ticket goes with its tokens.
    await world.tokens.dropAuthorizer(appid);
    const gone = await b.jsapiTicket(appid).catch((e: unknown) => e);
    t.ok(gone instanceof NotAuthorizedError && gone.dropped, 'not authorized any more');
    t.equal((await world.db.knex('wxplat_jsapi_tickets').where('authorizer_appid', appid).first()).ticket, null);
    t.equal(world.sandbox.log.count(GETTICKET), 2, 'WeChat not asked');
  }),
);

t.test('fifty reports of one invalid token in two processes: one refresh; a report of an old token: none', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize();
    const a = new TokenGrants({ db: world.db, keeper: world.wechat.tokens });
    const b = new TokenGrants({ db: world.db, keeper: otherProcess(world).tokens });
    const stale = await a.account(appid);
    t.same(await b.account(appid), stale);
    const before = world.sandbox.log.count(REFRESH);

    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).reportInvalid(appid, stale.token)));
    t.equal(world.sandbox.log.count(REFRESH) - before, 1, 'exactly one api_authorizer_token call');
    const tokens = new Set(outcomes.map((o) => o.grant.token));
    t.equal(tokens.size, 1, 'every report is answered with the same token');
    const fresh = outcomes[0].grant;
    t.not(fresh.token, stale.token, 'a new one');
    t.ok(outcomes.some((o) => o.expired), 'the first report expired the token');
    t.equal((await world.tokens.readAuthorizerToken(appid))!.token, fresh.token, 'the new token is the stored one');

    const late = await b.reportInvalid(appid, stale.token);
    t.equal(late.expired, false, 'the old token is not the current one');
    t.same(late.grant, fresh, 'answered with the current token');
    t.equal(world.sandbox.log.count(REFRESH) - before, 1, 'no refresh for an old token');

    // The new token works at WeChat (the sandbox kills the old one when it issues a new one).
    t.equal((await otherProcess(world).account(appid).getIndustry().catch((e: { errcode: number }) => e.errcode)) === 40001, false);
  }),
);

/**
 * The real store, with a pause: a read of the account's token taken while the gate is closed waits at it
 * (holding what it read) until the gate opens; and a signal when a token has been marked expired.
 */
class GatedStore extends TokenRepository {
  private gate: Promise<void> | null = null;
  private open: () => void = () => {};
  reached!: Promise<void>;
  private arrive: () => void = () => {};
  expired!: Promise<void>;
  private marked: () => void = () => {};

  close(): void {
    this.gate = new Promise((r) => (this.open = r));
    this.reached = new Promise((r) => (this.arrive = r));
    this.expired = new Promise((r) => (this.marked = r));
  }

  release(): void {
    this.gate = null;
    this.open();
  }

  override async readAuthorizerToken(appid: string) {
    const gate = this.gate;
    const rec = await super.readAuthorizerToken(appid);
    if (gate) {
      this.arrive();
      await gate;
    }
    return rec;
  }

  override async expireToken(...args: Parameters<TokenRepository['expireToken']>) {
    const expired = await super.expireToken(...args);
    this.marked();
    return expired;
  }
}

t.test('a token read on its way while it is reported is not the answer to the report', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize();
    const store = new GatedStore(world.db.knex, world.clock);
    const client = new WeChatClient({ apiBase: world.sandbox.url, component: { appid: COMPONENT.appid, appsecret: COMPONENT.appsecret }, store, clock: world.clock, retry: FAST_RETRY });
    const grants = new TokenGrants({ db: world.db, keeper: client.tokens });
    const stale = await grants.account(appid);
    // A read takes the (still current) token and is held; meanwhile the token is reported in the same
    // process, and the report reaches the keeper's obtain (everything after the UPDATE is microtasks).
    store.close();
    const reading = grants.account(appid);
    await store.reached;
    const report = grants.reportInvalid(appid, stale.token);
    await store.expired;
    await new Promise((resolve) => setImmediate(resolve));
    store.release();
    const [read, reported] = await Promise.all([reading, report]);
    t.equal(read.token, stale.token, 'the read that began first saw the old token');
    t.equal(reported.expired, true);
    t.not(reported.grant.token, stale.token, 'the report is answered with a new token, not by joining that read');
    t.equal((await world.tokens.readAuthorizerToken(appid))!.token, reported.grant.token);
  }),
);

t.test('unknown appids, accounts with no tokens, withdrawn accounts; the component token', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize();
    const keeper = world.wechat.tokens;
    const grants = new TokenGrants({ db: world.db, keeper });
    const nobody = 'wx00000000000000aa';
    for (const ask of [() => grants.account(nobody), () => grants.jsapiTicket(nobody), () => grants.reportInvalid(nobody, 'whatever')]) {
      const err = await ask().catch((e: unknown) => e);
      t.ok(err instanceof UnknownAccountError, 'an appid nobody knows');
    }
    t.equal(Number((await world.db.knex('wxplat_jsapi_tickets').count({ n: '*' }).first())!.n), 0, 'asking made no rows');
    t.equal(Number((await world.db.knex('wxplat_authorizer_tokens').where('authorizer_appid', nobody).count({ n: '*' }).first())!.n), 0);

    // An account row without tokens (e.g. production's, before wxplat authorized it): known, not authorized.
    await world.db.knex('official_accounts').insert({ appid: 'wx00000000000000bb', nickname: 'no tokens', status: 1 });
    const held = await grants.account('wx00000000000000bb').catch((e: unknown) => e);
    t.ok(held instanceof NotAuthorizedError && !held.dropped);

    await world.tokens.dropAuthorizer(appid);
    const dropped = await grants.account(appid).catch((e: unknown) => e);
    t.ok(dropped instanceof NotAuthorizedError && dropped.dropped, 'withdrawn');
    t.match((dropped as Error).message, 'no longer authorized');

    const component = await obtainGrant({ db: world.db, keeper }, { kind: 'component' });
    t.equal(component.token, (await world.tokens.readComponentToken(COMPONENT.appid))!.token);
  }),
);
