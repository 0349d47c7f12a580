// The token listener's store (both kinds): reads that arrive together are one statement, each gets its
// own record (null for an appid with none), and a read made after a change never joins a statement
// that began before it.
import t from 'tap';
import { BatchedTokenStore } from '../../src/db/repositories/batched-token-reads.js';
import { TokenRepository } from '../../src/db/repositories/tokens.js';
import { systemClock } from '../../src/clock.js';
import { eachDatabase, openTestDatabase } from '../helpers/databases.js';

const appid = (i: number) => `wx${String(i).padStart(16, '0')}`;

t.test('reads in batches; never older than the request', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const repo = new TokenRepository(db.knex, systemClock);
    for (let i = 0; i < 10; i++) {
      await repo.saveAuthorizerTokens(appid(i), null, { accessToken: `token-${i}`, refreshToken: `refresh-${i}`, expiresAt: new Date(Date.now() + 7200_000) });
    }
    await db.knex('wxplat_jsapi_tickets').insert({ authorizer_appid: appid(3), ticket: 'ticket-3', ticket_expires_at: '2099-01-01 00:00:00', version: 1 });
    const store = new BatchedTokenStore(repo, { concurrency: 1 });
    let selects = 0;
    db.knex.on('query', (q: { sql: string }) => {
      if (/^select/i.test(q.sql)) selects++;
    });

    const reads = await Promise.all(Array.from({ length: 100 }, (_, i) => store.readAuthorizerToken(appid(i % 11))));
    t.equal(selects, 1, 'a hundred reads at once: one statement');
    for (let i = 0; i < 100; i++) {
      const expected = i % 11 === 10 ? null : `token-${i % 11}`;
      t.equal(reads[i]?.token ?? null, expected);
    }
    t.match(reads[4], { refreshToken: 'refresh-4', needsReauth: false, reauthReason: null, leaseOwner: null });
    t.same(await Promise.all([store.readJsapiTicket(appid(3)), store.readJsapiTicket(appid(4))]).then((r) => r.map((x) => x?.token ?? null)), ['ticket-3', null]);

    // A read begins; the row changes; a read made after the change waits for a statement of its own.
    selects = 0;
    const early = store.readAuthorizerToken(appid(1));
    await new Promise((resolve) => setImmediate(resolve)); // the first statement has begun
    await repo.expireToken('authorizer', appid(1), 'token-1');
    const late = await store.readAuthorizerToken(appid(1));
    t.equal(late!.expiresAt!.getTime(), 0, 'the read after the change sees it');
    t.equal((await early)!.token, 'token-1');
    t.equal(selects, 2, 'it did not join the statement that began before it');
  }),
);
