// Followers. The production table official_account_users holds one row a follower (status 1 following,
// -2 no longer following) and has no key but its id, so wxplat keeps, beside it:
//
// wxplat_followers — one row for each follower row wxplat manages, with the same id. Its unique key
//   (official_account_id, openid) is the rule both writers follow (`user sync` and the receiver's
//   subscribe/unsubscribe): one openid of one account is one follower, the production row this table
//   names. The openid compares exactly (utf8mb4_bin): openids are case-sensitive, and the seed's
//   utf8mb4_general_ci would take oAbc and oABC for one. It also keeps what WeChat's user/info still
//   returns (wechat-api.md §5.2) and the seed has no column for, when the last sync saw the follower,
//   and when the receiver last changed the follower's status.
//
// wxplat_follower_syncs — one row an account: the sync checkpoint. A pass walks user/get from the
//   first page to the last; `next_openid` is where it carries on after a crash, `generation` numbers
//   the passes, and each follower seen in a pass gets that number. Rows not seen in a complete pass are
//   marked -2 at its end (the sweep), never before.
//
// user_wx_infos is not written: see src/core/followers/sync.ts.
//
// A database adopted from production already holds followers: they are indexed here (the oldest row
// of an openid, as the receiver has always taken it), so that the first sync updates them instead of
// adding a second row for each.
import type { Knex } from 'knex';
import { isMysql, tableOptions } from '../src/db/schema/extension.js';
import { createTableIfMissing } from '../src/db/schema/rerunnable.js';

export const droppedTables = ['wxplat_follower_syncs', 'wxplat_followers'];

export async function up(knex: Knex): Promise<void> {
  const mysql = isMysql(knex);
  await createTableIfMissing(knex, 'wxplat_followers', (t) => {
    tableOptions(knex, t);
    /** official_account_users.official_account_user_id of this follower's row. */
    t.integer('official_account_user_id').notNullable().primary();
    t.integer('official_account_id').notNullable();
    const openid = t.string('openid', 50).notNullable();
    if (mysql) openid.collate('utf8mb4_bin');
    t.string('unionid', 64).nullable();
    /** user/info subscribe_time (the last subscription), UTC. */
    t.datetime('subscribe_time').nullable();
    /** ADD_SCENE_…, kept as WeChat spells it: new values appear over time. */
    t.string('subscribe_scene', 64).nullable();
    t.bigInteger('qr_scene').nullable();
    t.string('qr_scene_str', 64).nullable();
    t.string('remark', 255).nullable();
    /** JSON array of tag ids, e.g. [2,101]. */
    t.string('tagid_list', 255).nullable();
    /** The sync pass (wxplat_follower_syncs.generation) that last saw this follower at WeChat; 0 never. */
    t.integer('seen_generation').notNullable().defaultTo(0);
    /** When user/info/batchget last described this follower. */
    t.datetime('details_at').nullable();
    /** When a subscribe/unsubscribe event last set the status: a sync does not overrule a newer event. */
    t.datetime('event_at').nullable();
    t.datetime('created_at').notNullable();
    t.datetime('updated_at').notNullable();
    t.unique(['official_account_id', 'openid'], { indexName: 'wxplat_followers_account_openid' });
    t.index(['official_account_id', 'official_account_user_id'], 'wxplat_followers_account_user');
  });

  await createTableIfMissing(knex, 'wxplat_follower_syncs', (t) => {
    tableOptions(knex, t);
    t.integer('official_account_id').notNullable().primary();
    /** Numbers the passes; the current (or last) one. */
    t.integer('generation').notNullable();
    /** running (walking user/get) → sweeping (marking those not seen) → done. */
    t.string('state', 16).notNullable();
    /** user/get's next_openid after the last page written: a resumed pass asks for the page after it. */
    t.string('next_openid', 64).nullable();
    /** WeChat's follower total, as the last page gave it. */
    t.integer('total').nullable();
    t.integer('pages').notNullable().defaultTo(0);
    t.integer('seen').notNullable().defaultTo(0);
    t.integer('added').notNullable().defaultTo(0);
    t.integer('refollowed').notNullable().defaultTo(0);
    t.integer('unfollowed').notNullable().defaultTo(0);
    t.integer('retired').notNullable().defaultTo(0);
    t.integer('runs').notNullable().defaultTo(0);
    /** Who is syncing (host:pid:tag) and until when, renewed a page at a time. */
    t.string('lease_owner', 100).nullable();
    t.datetime('lease_until').nullable();
    t.string('last_error', 1000).nullable();
    t.datetime('started_at').notNullable();
    t.datetime('finished_at').nullable();
    t.datetime('updated_at').notNullable();
  });

  // Adoption: index the followers production already has. Those indexed by an earlier run of this
  // migration that was cut short (MySQL commits the INSERT before the migration is recorded) are left
  // as they are.
  const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
  const byOpenid = mysql ? 'u.openid COLLATE utf8mb4_bin' : 'u.openid';
  await knex.raw(
    `INSERT INTO wxplat_followers (official_account_user_id, official_account_id, openid, seen_generation, created_at, updated_at)
     SELECT g.id, g.official_account_id, g.openid, 0, ?, ?
       FROM (SELECT MIN(u.official_account_user_id) AS id, u.official_account_id, ${byOpenid} AS openid
               FROM official_account_users u
              WHERE u.official_account_id IS NOT NULL AND u.openid IS NOT NULL AND u.openid <> ''
              GROUP BY u.official_account_id, ${byOpenid}) g
      WHERE NOT EXISTS (SELECT 1 FROM wxplat_followers f WHERE f.official_account_id = g.official_account_id AND f.openid = g.openid)`,
    [now, now],
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('wxplat_follower_syncs');
  await knex.schema.dropTableIfExists('wxplat_followers');
}
