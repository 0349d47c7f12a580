// Every migration is safe to run again after a partial run (the rule in src/db/migration-source.ts).
// Each migration in turn is cut short after each of its statements — the statements before the cut
// really ran, on MariaDB committed one by one as MySQL does with DDL — and then run again from its
// start, as the next `db migrate` would. After that second run the schema must be exactly what one
// clean run makes, and the production rows it adopts must be there once. The same for down().
// A new migration is covered without touching this test.
import t from 'tap';
import type { Database } from '../../src/db/database.js';
import { allMigrations, loadMigration } from '../../src/db/migrator.js';
import { eachDatabase, makeDatabase, openTestDatabase } from '../helpers/databases.js';
import { schemaSnapshot } from '../helpers/schema.js';

class CutShort extends Error {}

type Client = { query: (connection: unknown, obj: unknown) => Promise<unknown> };

/** Runs `fn` letting only its first `statements` statements reach the database; true if it was cut. */
async function cutAfter(db: Database, statements: number, fn: () => Promise<void>): Promise<boolean> {
  const client = db.knex.client as unknown as Client;
  const query = client.query;
  let left = statements;
  client.query = function (this: Client, connection, obj) {
    if (left-- <= 0) return Promise.reject(new CutShort('cut short'));
    return query.call(this, connection, obj);
  };
  try {
    await fn();
    return false;
  } catch (err) {
    if (err instanceof CutShort) return true;
    throw err;
  } finally {
    client.query = query;
  }
}

/** Followers production already has, for the followers migration to adopt. */
async function productionRows(db: Database): Promise<void> {
  await db.knex('official_account_users').insert([
    { official_account_user_id: 7, official_account_id: 3, openid: 'oAdoptedFollower000000001', status: 1 },
    { official_account_user_id: 8, official_account_id: 3, openid: 'oAdoptedFollower000000002', status: -2 },
    { official_account_user_id: 9, official_account_id: 3, openid: 'oAdoptedFollower000000001', status: 1 },
  ]);
}

const adopted = (db: Database) =>
  db.knex.schema.hasTable('wxplat_followers').then((has) =>
    has ? db.knex('wxplat_followers').select('official_account_user_id', 'official_account_id', 'openid').orderBy('official_account_user_id') : null,
  );

t.test('every migration, cut short after each statement, runs again to the same end', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const work = await openTestDatabase(t, tdb, false);
    const ref = await openTestDatabase(t, await makeDatabase(t, tdb.kind), false);
    let cuts = 0;
    for (const name of await allMigrations()) {
      const migration = await loadMigration(name);
      const before = await schemaSnapshot(work);
      await migration.up(ref.knex);
      const after = await schemaSnapshot(ref);
      const rows = await adopted(ref);
      for (let k = 0; ; k++) {
        const cut = await cutAfter(work, k, () => migration.up(work.knex));
        if (cut) {
          cuts++;
          await migration.up(work.knex);
        }
        const label = cut ? `${name}, cut after ${k} statements, then run again` : `${name}, run whole`;
        t.same(await schemaSnapshot(work), after, label);
        t.same(await adopted(work), rows, `${label}: adopted rows once`);
        if (!cut) {
          // Run whole after a whole run (the record lost just before it was written).
          await migration.up(work.knex);
          t.same(await schemaSnapshot(work), after, `${name}, run twice`);
          t.same(await adopted(work), rows, `${name}, run twice: adopted rows once`);
          break;
        }
        // Back to where the migration started, by its down() — itself cut short once, then run again.
        if (k % 3 === 0 && (await cutAfter(work, 1, () => migration.down(work.knex)))) cuts++;
        await migration.down(work.knex);
        t.same(await schemaSnapshot(work), before, `${name}: down() after a partial down() undoes it`);
      }
      if (name.endsWith('_seed_tables')) {
        await productionRows(work);
        await productionRows(ref);
      }
    }
    t.ok(cuts >= 30, `${cuts} runs were cut short mid-migration`);
  }),
);
