// Token keys in the real store (both kinds): only a hash is stored; names are unique among valid keys
// and free again once removed; scopes name known appids; the key ring recognises a key, refuses a
// wrong one, sees a new key at once and a removed one within its reload, and records last use. The
// migration runs again over a partial run.
import t from 'tap';
import { fixedClock } from '../../../src/clock.js';
import { KeyRing } from '../../../src/core/tokens/keyring.js';
import { addKey, hashKey, listKeys, removeKey } from '../../../src/core/tokens/keys.js';
import { UsageError, NotFoundError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/logger.js';
import { loadMigration } from '../../../src/db/migrator.js';
import { eachDatabase, openTestDatabase } from '../../helpers/databases.js';

const NOW = new Date('2026-12-06T08:00:00Z');

t.test('add, list, remove; only the hash is stored', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const clock = fixedClock(NOW);
    await db.knex('official_accounts').insert([
      { appid: 'wx00000000000000a1', status: 1 },
      { appid: 'wx00000000000000a2', status: 1 },
    ]);

    const orders = await addKey({ db, clock }, { name: 'orders', appids: 'wx00000000000000a1, wx00000000000000a2,wx00000000000000a1' });
    const key = orders.key.reveal();
    t.match(key, /^wxk_[A-Za-z0-9_-]{43}$/);
    t.same(orders.appids, ['wx00000000000000a1', 'wx00000000000000a2'], 'each appid once');
    t.equal(String(orders.key), `${key.slice(0, 4)}…${key.slice(-4)}`, 'the key prints masked unless revealed');
    const row = await db.knex('wxplat_token_keys').where('name', 'orders').first();
    t.equal(row.key_hash, hashKey(key));
    t.notOk(JSON.stringify(row).includes(key), 'the key itself is nowhere in the row');

    const menus = await addKey({ db, clock }, { name: 'menus', appids: undefined });
    t.equal(menus.appids, null, 'every account');
    t.not(menus.key.reveal(), key);

    for (const [input, message] of [
      [{ name: undefined, appids: undefined }, /--name is required/],
      [{ name: 'has space', appids: undefined }, /--name must be/],
      [{ name: '-dash', appids: undefined }, /--name must be/],
      [{ name: 'x', appids: 'wx123' }, /"wx123" is not an appid/],
      [{ name: 'x', appids: ' , ' }, /names no appid/],
      [{ name: 'orders', appids: undefined }, /a key named "orders" exists already/],
    ] as const) {
      const err = await addKey({ db, clock }, input).catch((e: unknown) => e);
      t.ok(err instanceof UsageError, String(input.name));
      t.match((err as Error).message, message);
    }
    const unknown = await addKey({ db, clock }, { name: 'x', appids: 'wx00000000000000ff' }).catch((e: unknown) => e);
    t.ok(unknown instanceof NotFoundError);
    t.match((unknown as Error).message, 'no account has the appid wx00000000000000ff');
    t.same((await listKeys({ db })).map((k) => k.name), ['menus', 'orders'], 'nothing stored by a refused add');

    const listed = await listKeys({ db });
    t.same(listed[1], { name: 'orders', appids: ['wx00000000000000a1', 'wx00000000000000a2'], createdAt: NOW.toISOString(), lastUsedAt: null });
    t.notOk(JSON.stringify(listed).includes(key));

    await removeKey({ db, clock }, 'orders');
    t.same((await listKeys({ db })).map((k) => k.name), ['menus']);
    t.equal((await db.knex('wxplat_token_keys').where('name', 'orders').first()).status, -2, 'kept, marked removed');
    t.ok((await removeKey({ db, clock }, 'orders').catch((e: unknown) => e)) instanceof NotFoundError, 'removed already');
    t.ok((await removeKey({ db, clock }, 'nobody').catch((e: unknown) => e)) instanceof NotFoundError);

    const again = await addKey({ db, clock }, { name: 'orders', appids: undefined });
    t.equal(again.revived, true, 'the name of a removed key is free again');
    t.not(again.key.reveal(), key, 'with a new key');
    t.equal(Number((await db.knex('wxplat_token_keys').count({ n: '*' }).first())!.n), 2, 'in the same row');
  }),
);

t.test('two adds of one name at once: one key', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const clock = fixedClock(NOW);
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => addKey({ db, clock }, { name: 'race', appids: undefined })));
    t.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    t.ok(results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof UsageError));
  }),
);

t.test('the key ring: a key, a wrong key, a new key at once, a removed key within a reload, last use', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const clock = fixedClock(NOW);
    await db.knex('official_accounts').insert({ appid: 'wx00000000000000a1', status: 1 });
    const orders = await addKey({ db, clock }, { name: 'orders', appids: 'wx00000000000000a1' });
    const ring = new KeyRing({ db, clock, logger: silentLogger });

    const caller = await ring.authenticate(`Bearer ${orders.key.reveal()}`);
    t.match(caller, { name: 'orders' });
    t.same([...caller!.appids!], ['wx00000000000000a1']);
    t.match(await ring.authenticate(`bearer   ${orders.key.reveal()}`), { name: 'orders' }, 'the scheme in any case');
    for (const header of [undefined, '', 'Bearer', `Basic ${orders.key.reveal()}`, `Bearer ${orders.key.reveal()}x`, `Bearer ${orders.key.reveal().slice(0, -1)}`, `Bearer ${'a'.repeat(300)}`]) {
      t.equal(await ring.authenticate(header), null, JSON.stringify(header?.slice(0, 20)));
    }

    // Last use: written after the answer, once a minute at most.
    await ring.flush();
    t.equal((await listKeys({ db }))[0].lastUsedAt, NOW.toISOString());
    clock.advance(30_000);
    await ring.authenticate(`Bearer ${orders.key.reveal()}`);
    await ring.flush();
    t.equal((await listKeys({ db }))[0].lastUsedAt, NOW.toISOString(), 'not again within the minute');
    clock.advance(31_000);
    await ring.authenticate(`Bearer ${orders.key.reveal()}`);
    await ring.flush();
    t.equal((await listKeys({ db }))[0].lastUsedAt, new Date(NOW.getTime() + 61_000).toISOString());

    // A key added elsewhere works at the first try (an unknown key reloads the ring).
    clock.advance(200);
    const menus = await addKey({ db, clock }, { name: 'menus', appids: undefined });
    t.match(await ring.authenticate(`Bearer ${menus.key.reveal()}`), { name: 'menus', appids: null });

    // A key removed elsewhere is refused once the ring is a second old.
    await removeKey({ db, clock }, 'menus');
    clock.advance(1001);
    t.equal(await ring.authenticate(`Bearer ${menus.key.reveal()}`), null);
  }),
);

t.test('the migration runs again over a partial run', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const migration = await loadMigration('20261206150000_token_service');
    // As if cut off after the table and before its unique index.
    await db.knex.schema.alterTable('wxplat_token_keys', (tb) => tb.dropUnique(['name'], 'wxplat_token_keys_name'));
    await migration.up(db.knex);
    await migration.up(db.knex);
    await db.knex('wxplat_token_keys').insert({ name: 'a', key_hash: 'x', status: 1, created_at: '2026-12-06 00:00:00', updated_at: '2026-12-06 00:00:00' });
    const dup = await db.knex('wxplat_token_keys').insert({ name: 'a', key_hash: 'y', status: 1, created_at: '2026-12-06 00:00:00', updated_at: '2026-12-06 00:00:00' }).catch((e: unknown) => e);
    t.ok(dup instanceof Error, 'the unique index is back');
    t.same(migration.droppedTables, ['wxplat_jsapi_tickets', 'wxplat_token_keys']);
  }),
);
