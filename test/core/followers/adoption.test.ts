// The follower tables' migration on a database that already holds followers (adopted from production):
// each openid of each account is indexed once, by its oldest row; openids that differ only in case are
// two followers (openids are case-sensitive, the seed's collation is not); rows without an account or
// openid are left alone. Then the receiver and a sync find those rows instead of adding new ones.
import t from 'tap';
import * as followersMigration from '../../../migrations/20261128003000_followers.js';
import { FollowerRepository, lockFollowers } from '../../../src/db/repositories/followers.js';
import { writeTransaction } from '../../../src/db/locks.js';
import { eachDatabase, openTestDatabase } from '../../helpers/databases.js';

t.test('migrating a database that holds followers indexes them', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const k = db.knex;
    // As if the tables had come from production: drop wxplat's follower tables, fill the seed table, migrate again.
    await followersMigration.down(k);
    const at = '2019-03-04 05:06:07';
    await k('official_account_users').insert([
      { official_account_user_id: 10, official_account_id: 1, openid: 'oAbcDefGhiJklMnoPqrStuVwxYz0', status: 1, created_at: at },
      { official_account_user_id: 11, official_account_id: 1, openid: 'oAbcDefGhiJklMnoPqrStuVwxYz0', status: 1, created_at: at },
      { official_account_user_id: 12, official_account_id: 1, openid: 'oabcdefghijklmnopqrstuvwxyz0', status: -2, created_at: at },
      { official_account_user_id: 13, official_account_id: 2, openid: 'oAbcDefGhiJklMnoPqrStuVwxYz0', status: 1, created_at: at },
      { official_account_user_id: 14, official_account_id: null, openid: 'oNoAccount', status: 1, created_at: at },
      { official_account_user_id: 15, official_account_id: 1, openid: null, status: 1, created_at: at },
      { official_account_user_id: 16, official_account_id: 1, openid: '', status: 1, created_at: at },
    ]);
    await followersMigration.up(k);
    const indexed = await k('wxplat_followers').orderBy('official_account_user_id').select('official_account_user_id', 'official_account_id', 'openid', 'seen_generation');
    t.same(
      indexed.map((r: { official_account_user_id: number; official_account_id: number; openid: string }) => [Number(r.official_account_user_id), Number(r.official_account_id), r.openid]),
      [
        [10, 1, 'oAbcDefGhiJklMnoPqrStuVwxYz0'],
        [12, 1, 'oabcdefghijklmnopqrstuvwxyz0'],
        [13, 2, 'oAbcDefGhiJklMnoPqrStuVwxYz0'],
      ],
      'one row an openid of an account, the oldest; case matters',
    );
    t.equal(Number((await k('official_account_users').count({ n: '*' }))[0].n), 7, 'the production rows are untouched');

    // The receiver finds the adopted row; an openid differing in case is another follower.
    const event = (openid: string, status: number) =>
      writeTransaction(db, async (trx) => {
        await lockFollowers(trx, db.dialect, 1, '2026-11-28 00:00:00');
        return new FollowerRepository(trx).setSubscription(1, openid, status, '2026-11-28 00:00:00');
      });
    t.match(await event('oAbcDefGhiJklMnoPqrStuVwxYz0', -2), { id: 10, created: false, previous: 1 });
    t.match(await event('oabcdefghijklmnopqrstuvwxyz0', 1), { id: 12, created: false, previous: -2 });
    t.match(await event('oABCDEFGHIJKLMNOPQRSTUVWXYZ0', 1), { created: true });
    t.equal((await k('official_account_users').where('official_account_user_id', 11).first()).status, 1, 'a duplicate is left for the sync');
  }),
);
