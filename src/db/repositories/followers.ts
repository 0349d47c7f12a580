// official_account_users: an account's followers by openid (status 1 following, -2 gone), and beside
// them wxplat_followers (same id): the unique key (official_account_id, openid) that both writers go
// through — the receiver's subscribe/unsubscribe (setSubscription) and `user sync` (writePage) — so
// that one openid of one account is always one follower row. The production table has no unique key of
// its own, so a writer also takes the account's follower lock (lockFollowers) before it reads and writes.
// Follower-sync checkpoints live in wxplat_follower_syncs (FollowerSyncRepository).
import type { Knex } from 'knex';
import type { Database, Dialect } from '../database.js';
import { insertWithIds } from '../insert-ids.js';
import { writeTransaction } from '../locks.js';
import { STATUS, type FollowerRow, type FollowerSyncRow, type OfficialAccountUserRow } from '../rows.js';
import { toSqlDateTime } from '../time.js';

const USERS = 'official_account_users';
const FOLLOWERS = 'wxplat_followers';
const SYNCS = 'wxplat_follower_syncs';
const LOCKS = 'wxplat_locks';

export const FOLLOWING = STATUS.valid;
export const UNFOLLOWED = STATUS.deleted;

/**
 * Inside a transaction: waits for, and holds until commit, the lock on one account's followers. On
 * SQLite the caller's write transaction already excludes every other writer.
 */
export async function lockFollowers(trx: Knex.Transaction, dialect: Dialect, accountId: number, stamp: string): Promise<void> {
  if (dialect !== 'mysql') return;
  const name = `followers:${accountId}`;
  await trx(LOCKS).insert({ name, updated_at: stamp }).onConflict('name').merge(['name']);
  await trx(LOCKS).select('name').where('name', name).forUpdate();
}

export interface SubscriptionChange {
  /** The follower's row. */
  id: number;
  created: boolean;
  /** The status before, null for a new row. */
  previous: number | null;
}

export class FollowerRepository {
  constructor(private readonly knex: Knex) {}

  /** One keyset page of the account's followers with status 1, in id order after `after` (`--all-followers`). */
  async subscribedPage(accountId: number, after: number, limit: number): Promise<Array<{ id: number; openid: string | null }>> {
    const rows: Array<{ official_account_user_id: number; openid: string | null }> = await this.knex(USERS)
      .select('official_account_user_id', 'openid')
      .where({ official_account_id: accountId, status: STATUS.valid })
      .andWhere('official_account_user_id', '>', after)
      .orderBy('official_account_user_id')
      .limit(limit);
    return rows.map((r) => ({ id: Number(r.official_account_user_id), openid: r.openid }));
  }

  /** The follower row of this openid in this account (the one wxplat_followers names). */
  find(accountId: number, openid: string): Promise<OfficialAccountUserRow | undefined> {
    return this.knex<OfficialAccountUserRow>(`${USERS} as u`)
      .join(`${FOLLOWERS} as f`, 'f.official_account_user_id', 'u.official_account_user_id')
      .where({ 'f.official_account_id': accountId, 'f.openid': openid })
      .first('u.*');
  }

  /**
   * Sets the follower's status (1 following, -2 unfollowed) as a subscribe/unsubscribe event says,
   * making the row when there is none. Call it holding lockFollowers for the account. The time is
   * remembered, so that a sync that read WeChat's list before the event does not overrule it.
   */
  async setSubscription(accountId: number, openid: string, status: number, stamp: string): Promise<SubscriptionChange> {
    const indexed = await this.knex<FollowerRow>(FOLLOWERS)
      .where({ official_account_id: accountId, openid })
      .first('official_account_user_id');
    if (indexed) {
      const id = Number(indexed.official_account_user_id);
      const row = await this.knex<OfficialAccountUserRow>(USERS).where('official_account_user_id', id).first('status');
      if (row) {
        const previous = row.status === null ? null : Number(row.status);
        if (previous !== status) await this.knex(USERS).where('official_account_user_id', id).update({ status });
        await this.knex(FOLLOWERS).where('official_account_user_id', id).update({ event_at: stamp, updated_at: stamp });
        return { id, created: false, previous };
      }
      // The production row was deleted behind wxplat's back: make the follower again.
      await this.knex(FOLLOWERS).where('official_account_user_id', id).delete();
    }
    const [inserted] = await this.knex(USERS).insert({
      official_account_id: accountId,
      user_wx_info_id: null,
      openid,
      status,
      created_at: stamp,
    });
    const id = Number(inserted);
    await this.knex(FOLLOWERS).insert({
      official_account_user_id: id,
      official_account_id: accountId,
      openid,
      seen_generation: 0,
      event_at: stamp,
      created_at: stamp,
      updated_at: stamp,
    });
    return { id, created: true, previous: null };
  }
}

// --- follower sync ---

/** What user/info still tells about a follower (wechat-api.md §5.2), ready to store. */
export interface FollowerDetails {
  openid: string;
  unionid: string | null;
  /** SQL datetime, UTC. */
  subscribeTime: string | null;
  subscribeScene: string | null;
  qrScene: number | null;
  qrSceneStr: string | null;
  remark: string | null;
  /** JSON array. */
  tagidList: string | null;
}

export interface SyncPass {
  accountId: number;
  generation: number;
  owner: string;
  /** How long each write extends the lease. */
  leaseMs: number;
}

export interface PageWrite {
  followers: readonly FollowerDetails[];
  /** When user/get was asked for this page: an event processed after that wins over the page. */
  fetchedAt: Date;
  /** Where the pass carries on: user/get's next_openid after this page. */
  nextOpenid: string;
  total: number;
  now: Date;
}

export interface PageCounts {
  added: number;
  refollowed: number;
  written: number;
}

export interface FollowerListRow {
  official_account_user_id: number;
  openid: string;
  status: number | null;
  unionid: string | null;
  subscribe_time: string | null;
  subscribe_scene: string | null;
  qr_scene: number | string | null;
  qr_scene_str: string | null;
  remark: string | null;
  tagid_list: string | null;
  details_at: string | null;
  event_at: string | null;
  created_at: string | null;
}

/** Another process renewed or took the sync lease: this one must stop. */
export class LostSyncLeaseError extends Error {
  constructor() {
    super('another process took over this follower sync');
    this.name = 'LostSyncLeaseError';
  }
}

export type BeginResult = { kind: 'busy'; row: FollowerSyncRow } | { kind: 'begun'; row: FollowerSyncRow; newPass: boolean };

/** Keys in one IN (…) list of the small updates (refollowed, retired). */
const IN_CHUNK = 1000;
/** wxplat_followers columns bound from each follower; the rest are the same for the whole page. */
const FOLLOWER_COLUMNS = [
  'official_account_user_id',
  'openid',
  'unionid',
  'subscribe_time',
  'subscribe_scene',
  'qr_scene',
  'qr_scene_str',
  'remark',
  'tagid_list',
] as const;

/** Strings safe to write into a statement as they are, quoted: no quote, backslash, `?` or control character. */
const PLAIN = /^[A-Za-z0-9_\-:., [\]]*$/;

/** A constant written into a statement: only integers, NULL, and our own 'YYYY-MM-DD HH:MM:SS' stamps. */
function literal(value: number | string | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value)) return `'${value}'`;
  throw new Error(`not a literal: ${String(value)}`);
}
/** What a sync refreshes on a follower it knows. */
const MERGED = ['unionid', 'subscribe_time', 'subscribe_scene', 'qr_scene', 'qr_scene_str', 'remark', 'tagid_list', 'seen_generation', 'details_at', 'updated_at'];

export class FollowerSyncRepository {
  private readonly knex: Knex;
  /**
   * Rows a page write puts in one statement. Fewer, larger statements are fewer round trips, each of
   * which waits its turn on an event loop busy with the next page's HTTP; 5,000 rows is ~1 MB, well
   * under max_allowed_packet. On SQLite at most 9 × 3,000 values are bound, under its 32,766.
   */
  private readonly rowsPerStatement: number;
  constructor(private readonly db: Database) {
    this.knex = db.knex;
    this.rowsPerStatement = db.dialect === 'mysql' ? 5000 : 3000;
  }

  checkpoint(accountId: number): Promise<FollowerSyncRow | undefined> {
    return this.knex<FollowerSyncRow>(SYNCS).where('official_account_id', accountId).first();
  }

  /**
   * Takes the account's sync lease and returns the pass to work on: the interrupted one (running or
   * sweeping), or a new one when the last finished or `restart` is asked. Busy when another live
   * process holds the lease; a lease of an owner in `dead` (a process of this host that is gone) is taken.
   */
  begin(accountId: number, owner: string, now: Date, leaseMs: number, options: { restart?: boolean; dead?: readonly string[] } = {}): Promise<BeginResult> {
    const stamp = toSqlDateTime(now);
    return writeTransaction(this.db, async (trx) => {
      await trx(SYNCS)
        .insert({ official_account_id: accountId, generation: 0, state: 'done', started_at: stamp, updated_at: stamp })
        .onConflict('official_account_id')
        .ignore();
      const query = trx<FollowerSyncRow>(SYNCS).where('official_account_id', accountId);
      const row = (await (this.db.dialect === 'mysql' ? query.forUpdate() : query).first())!;
      const held = row.lease_owner && row.lease_owner !== owner && row.lease_until && row.lease_until > stamp;
      if (held && !(options.dead ?? []).includes(row.lease_owner!)) return { kind: 'busy', row };
      const newPass = row.state === 'done' || Boolean(options.restart);
      const lease = { lease_owner: owner, lease_until: toSqlDateTime(new Date(now.getTime() + leaseMs)), updated_at: stamp };
      const change = newPass
        ? {
            ...lease,
            generation: Number(row.generation) + 1,
            state: 'running',
            next_openid: null,
            total: null,
            pages: 0,
            seen: 0,
            added: 0,
            refollowed: 0,
            unfollowed: 0,
            retired: 0,
            runs: 1,
            last_error: null,
            started_at: stamp,
            finished_at: null,
          }
        : { ...lease, runs: Number(row.runs) + 1, last_error: null };
      await trx(SYNCS).where('official_account_id', accountId).update(change);
      return { kind: 'begun', row: { ...row, ...change } as FollowerSyncRow, newPass };
    });
  }

  /** Gives the lease up (the run ended, well or not), noting the error if there was one. */
  async release(pass: SyncPass, now: Date, error?: string): Promise<void> {
    await this.knex(SYNCS)
      .where({ official_account_id: pass.accountId, lease_owner: pass.owner })
      .update({ lease_owner: null, lease_until: null, last_error: error?.slice(0, 1000) ?? null, updated_at: toSqlDateTime(now) });
  }

  /**
   * Indexes the account's production rows that wxplat_followers does not name yet (written by other
   * software): for each openid not indexed, its oldest row. Rows of an openid that is indexed already
   * are duplicates, retired by the sweep. Returns how many were indexed.
   */
  adopt(accountId: number, now: Date): Promise<number> {
    const stamp = toSqlDateTime(now);
    return writeTransaction(this.db, async (trx) => {
      await lockFollowers(trx, this.db.dialect, accountId, stamp);
      const oldest = new Map<string, number>();
      for (const r of await this.unreferenced(trx, accountId)) if (!oldest.has(r.openid)) oldest.set(r.openid, r.id);
      if (oldest.size === 0) return 0;
      const indexed = await this.indexedOpenids(trx, accountId, [...oldest.keys()]);
      const rows = [...oldest].filter(([openid]) => !indexed.has(openid)).map(([openid, id]) => [id, openid]);
      for (let i = 0; i < rows.length; i += this.rowsPerStatement) {
        await this.insertMany(trx, FOLLOWERS, ['official_account_user_id', 'openid'], rows.slice(i, i + this.rowsPerStatement), {
          official_account_id: accountId,
          seen_generation: 0,
          created_at: stamp,
          updated_at: stamp,
        });
      }
      return rows.length;
    });
  }

  /**
   * The account's production rows with an openid that wxplat_followers does not name, oldest first:
   * normally none. One pass over the table, each row looked up by id.
   */
  private async unreferenced(trx: Knex.Transaction, accountId: number): Promise<Array<{ id: number; openid: string; status: number | null }>> {
    const result = await trx.raw(
      `SELECT u.official_account_user_id AS id, u.openid AS openid, u.status AS status
         FROM ${USERS} u LEFT JOIN ${FOLLOWERS} f ON f.official_account_user_id = u.official_account_user_id
        WHERE u.official_account_id = ? AND f.official_account_user_id IS NULL AND u.openid IS NOT NULL AND u.openid <> ''
        ORDER BY u.official_account_user_id`,
      [accountId],
    );
    return (this.rowsOf(result) as Array<{ id: number; openid: string; status: number | null }>).map((r) => ({
      id: Number(r.id),
      openid: r.openid,
      status: r.status === null ? null : Number(r.status),
    }));
  }

  /** Which of these openids the account's wxplat_followers holds (compared exactly). */
  private async indexedOpenids(trx: Knex.Transaction, accountId: number, openids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < openids.length; i += this.rowsPerStatement) {
      const list = this.valueList(openids.slice(i, i + this.rowsPerStatement));
      const result = await trx.raw(
        `SELECT openid FROM ${FOLLOWERS} WHERE official_account_id = ${literal(accountId)} AND openid IN (${list.sql})`,
        list.bindings as Knex.RawBinding[],
      );
      for (const r of this.rowsOf(result) as Array<{ openid: string }>) found.add(r.openid);
    }
    return found;
  }

  /**
   * Writes one page of followers and moves the checkpoint past it, in one transaction: new followers
   * get a row (status 1), known ones are seen in this pass and set following again unless an event
   * after the page was read says otherwise, and every one's details are stored.
   */
  writePage(pass: SyncPass, page: PageWrite): Promise<PageCounts> {
    const stamp = toSqlDateTime(page.now);
    const fetched = toSqlDateTime(page.fetchedAt);
    const { accountId, generation } = pass;
    return writeTransaction(this.db, async (trx) => {
      await lockFollowers(trx, this.db.dialect, accountId, stamp);
      // What this account already has of these openids.
      const known = new Map<string, { id: number; status: number | null; eventAt: string | null; present: boolean }>();
      const openids = page.followers.map((f) => f.openid);
      for (let i = 0; i < openids.length; i += this.rowsPerStatement) {
        const list = this.valueList(openids.slice(i, i + this.rowsPerStatement));
        const result = await trx.raw(
          `SELECT f.official_account_user_id AS id, f.openid AS openid, f.event_at AS event_at, u.status AS status, u.official_account_user_id AS uid
             FROM ${FOLLOWERS} f LEFT JOIN ${USERS} u ON u.official_account_user_id = f.official_account_user_id
            WHERE f.official_account_id = ${literal(accountId)} AND f.openid IN (${list.sql})`,
          list.bindings as Knex.RawBinding[],
        );
        const rows = this.rowsOf(result) as Array<{ id: number; openid: string; event_at: string | null; status: number | null; uid: number | null }>;
        for (const r of rows) {
          known.set(r.openid, {
            id: Number(r.id),
            status: r.status === null ? null : Number(r.status),
            eventAt: r.event_at,
            present: r.uid !== null,
          });
        }
      }

      const refollow: number[] = [];
      const orphaned: number[] = [];
      const fresh: FollowerDetails[] = [];
      const ids = new Map<string, number>();
      for (const f of page.followers) {
        const k = known.get(f.openid);
        if (!k || !k.present) {
          if (k) orphaned.push(k.id);
          fresh.push(f);
          continue;
        }
        ids.set(f.openid, k.id);
        const eventWins = k.eventAt !== null && k.eventAt >= fetched;
        if (k.status !== FOLLOWING && !eventWins) refollow.push(k.id);
      }
      for (let i = 0; i < refollow.length; i += IN_CHUNK) {
        await trx(USERS).whereIn('official_account_user_id', refollow.slice(i, i + IN_CHUNK)).update({ status: FOLLOWING });
      }
      // Index rows whose production row was deleted elsewhere: made again below.
      for (let i = 0; i < orphaned.length; i += IN_CHUNK) {
        await trx(FOLLOWERS).whereIn('official_account_user_id', orphaned.slice(i, i + IN_CHUNK)).delete();
      }
      const newIds = await this.insertUsers(trx, accountId, fresh, stamp);
      fresh.forEach((f, i) => ids.set(f.openid, newIds[i]));

      const constants = { official_account_id: accountId, seen_generation: generation, details_at: stamp, created_at: stamp, updated_at: stamp };
      const row = (f: FollowerDetails) => [ids.get(f.openid)!, f.openid, f.unionid, f.subscribeTime, f.subscribeScene, f.qrScene, f.qrSceneStr, f.remark, f.tagidList];
      // New followers are plain inserts (the lock and the lookup above say they are new); known ones upserts.
      const freshSet = new Set(fresh);
      const knownRows = page.followers.filter((f) => !freshSet.has(f)).map(row);
      const newRows = fresh.map(row);
      const step = this.rowsPerStatement;
      for (let i = 0; i < newRows.length; i += step) {
        await this.insertMany(trx, FOLLOWERS, FOLLOWER_COLUMNS, newRows.slice(i, i + step), constants);
      }
      for (let i = 0; i < knownRows.length; i += step) {
        await this.insertMany(trx, FOLLOWERS, FOLLOWER_COLUMNS, knownRows.slice(i, i + step), constants, { key: 'official_account_user_id', merge: MERGED });
      }

      const moved = await trx(SYNCS)
        .where({ official_account_id: accountId, lease_owner: pass.owner, generation, state: 'running' })
        .update({
          next_openid: page.nextOpenid,
          total: page.total,
          pages: trx.raw('pages + 1'),
          seen: trx.raw('seen + ?', [page.followers.length]),
          added: trx.raw('added + ?', [fresh.length]),
          refollowed: trx.raw('refollowed + ?', [refollow.length]),
          lease_until: toSqlDateTime(new Date(page.now.getTime() + pass.leaseMs)),
          updated_at: stamp,
        });
      if (Number(moved) !== 1) throw new LostSyncLeaseError();
      return { added: fresh.length, refollowed: refollow.length, written: page.followers.length };
    });
  }

  /** New production rows (status 1, no user_wx_infos link), their ids in order (db/insert-ids.ts). */
  private async insertUsers(trx: Knex.Transaction, accountId: number, fresh: readonly FollowerDetails[], stamp: string): Promise<number[]> {
    const ids: number[] = [];
    const sqlite = this.db.dialect === 'sqlite';
    const constants = { official_account_id: accountId, user_wx_info_id: null, status: FOLLOWING, created_at: stamp };
    // The repository's own statement (values written in), a good deal faster than knex's for a million followers.
    const insert = async (db: Knex, rows: ReadonlyArray<{ openid: string }>): Promise<number> => {
      const result = await this.insertMany(db as Knex.Transaction, USERS, ['openid'], rows.map((r) => [r.openid]), constants, sqlite ? { returning: 'official_account_user_id' } : {});
      if (sqlite) {
        const back = result as Array<{ official_account_user_id: number }>;
        return Number(back[back.length - 1].official_account_user_id);
      }
      const header = (result as [{ insertId: number; affectedRows: number }])[0];
      if (Number(header.affectedRows) !== rows.length) throw new Error(`inserted ${header.affectedRows} follower rows of ${rows.length}`);
      return Number(header.insertId);
    };
    for (let i = 0; i < fresh.length; i += this.rowsPerStatement) {
      const chunk = fresh.slice(i, i + this.rowsPerStatement).map((f) => ({ openid: f.openid }));
      ids.push(...(await insertWithIds(trx, this.db.dialect, chunk, { table: USERS, idColumn: 'official_account_user_id', key: ['openid'], insert })));
    }
    return ids;
  }

  /** One value as SQL: written in when it needs no escaping (see insertMany), else a placeholder. */
  private sqlValue(v: unknown, bindings: unknown[]): string {
    if (v === null || v === undefined) return 'NULL';
    if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
    if (typeof v === 'string' && v.length <= 255 && PLAIN.test(v)) return `'${v}'`;
    bindings.push(v);
    return '?';
  }

  /** `a','b',?` for an IN (…) list. */
  private valueList(values: readonly unknown[]): { sql: string; bindings: unknown[] } {
    const bindings: unknown[] = [];
    return { sql: values.map((v) => this.sqlValue(v, bindings)).join(','), bindings };
  }

  /** The rows of a raw SELECT, whichever driver ran it. */
  private rowsOf(result: unknown): unknown[] {
    return this.db.dialect === 'mysql' ? (result as [unknown[]])[0] : (result as unknown[]);
  }

  /**
   * One multi-row INSERT (… VALUES (…),(…)), written out here rather than by the query builder: on ten
   * thousand rows the builder, and then the driver substituting ten thousand bindings, cost more than
   * the database does. Values that cannot need escaping — NULL, integers, and strings of letters,
   * digits and `_-:., []` (openids, unionids, scenes, times, tag lists) — are written into the statement;
   * anything else (a remark, a scene string) is bound. `constants` go in every row. `upsert` updates the
   * rows whose key exists; `returning` (SQLite) gives a column of the rows inserted, in order.
   */
  private async insertMany(
    trx: Knex.Transaction,
    table: string,
    columns: readonly string[],
    rows: ReadonlyArray<readonly unknown[]>,
    constants: Record<string, number | string | null>,
    options: { key?: string; merge?: readonly string[]; returning?: string } = {},
  ): Promise<unknown> {
    if (rows.length === 0) return [];
    const tail = Object.values(constants)
      .map((v) => `,${literal(v)}`)
      .join('');
    const bindings: unknown[] = [];
    const tuples: string[] = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      let tuple = '(';
      for (let c = 0; c < columns.length; c++) {
        const text = this.sqlValue(row[c], bindings);
        tuple += c === 0 ? text : `,${text}`;
      }
      tuples[r] = `${tuple}${tail})`;
    }
    let sql = `INSERT INTO ${table} (${[...columns, ...Object.keys(constants)].join(',')}) VALUES ${tuples.join(',')}`;
    if (options.key && options.merge) {
      sql +=
        this.db.dialect === 'mysql'
          ? ` ON DUPLICATE KEY UPDATE ${options.merge.map((c) => `${c}=VALUES(${c})`).join(',')}`
          : ` ON CONFLICT(${options.key}) DO UPDATE SET ${options.merge.map((c) => `${c}=excluded.${c}`).join(',')}`;
    }
    if (options.returning) sql += ` RETURNING ${options.returning}`;
    return bindings.length > 0 ? trx.raw(sql, bindings as Knex.RawBinding[]) : trx.raw(sql);
  }

  /**
   * The sweep, a chunk at a time in id order from `after`: followers of the account that the complete
   * pass did not see, and that no event changed since the pass began, are marked -2. Returns how many
   * were marked and the last id looked at; fewer than `limit` marked means the sweep is done.
   */
  markUnseen(pass: SyncPass, startedAt: string, after: number, now: Date, limit = 2000): Promise<{ marked: number; last: number }> {
    const stamp = toSqlDateTime(now);
    return writeTransaction(this.db, async (trx) => {
      await lockFollowers(trx, this.db.dialect, pass.accountId, stamp);
      const rows: Array<{ id: number }> = await trx(`${FOLLOWERS} as f`)
        .join(`${USERS} as u`, 'u.official_account_user_id', 'f.official_account_user_id')
        .where('f.official_account_id', pass.accountId)
        .andWhere('f.official_account_user_id', '>', after)
        .andWhere('f.seen_generation', '<>', pass.generation)
        .andWhere((q) => q.whereNull('f.event_at').orWhere('f.event_at', '<', startedAt))
        .andWhere((q) => q.whereNull('u.status').orWhere('u.status', '<>', UNFOLLOWED))
        .orderBy('f.official_account_user_id')
        .limit(limit)
        .select('f.official_account_user_id as id');
      if (rows.length === 0) {
        await this.touch(trx, pass, stamp, {});
        return { marked: 0, last: after };
      }
      const ids = rows.map((r) => Number(r.id));
      await trx(USERS).whereIn('official_account_user_id', ids).update({ status: UNFOLLOWED });
      await this.touch(trx, pass, stamp, { unfollowed: ids.length });
      return { marked: ids.length, last: ids[ids.length - 1] };
    });
  }

  /**
   * Production rows of an openid that another row stands for (two rows of one follower, written by
   * other software) are logically deleted (-2): the one wxplat_followers names carries the status.
   */
  retireDuplicates(pass: SyncPass, now: Date): Promise<number> {
    const stamp = toSqlDateTime(now);
    return writeTransaction(this.db, async (trx) => {
      await lockFollowers(trx, this.db.dialect, pass.accountId, stamp);
      const live = (await this.unreferenced(trx, pass.accountId)).filter((r) => r.status !== UNFOLLOWED);
      if (live.length === 0) return 0;
      const indexed = await this.indexedOpenids(trx, pass.accountId, [...new Set(live.map((r) => r.openid))]);
      // Rows of an openid nobody indexed yet were written during this pass by other software: the next pass takes them in.
      const list = live.filter((r) => indexed.has(r.openid)).map((r) => r.id);
      for (let i = 0; i < list.length; i += IN_CHUNK) {
        await trx(USERS).whereIn('official_account_user_id', list.slice(i, i + IN_CHUNK)).update({ status: UNFOLLOWED });
      }
      if (list.length > 0) await this.touch(trx, pass, stamp, { retired: list.length });
      return list.length;
    });
  }

  /** The walk reached the end of user/get: the sweep comes next. */
  async walked(pass: SyncPass, now: Date): Promise<void> {
    const moved = await this.knex(SYNCS)
      .where({ official_account_id: pass.accountId, lease_owner: pass.owner, generation: pass.generation, state: 'running' })
      .update({ state: 'sweeping', updated_at: toSqlDateTime(now) });
    if (Number(moved) !== 1) throw new LostSyncLeaseError();
  }

  async finish(pass: SyncPass, now: Date): Promise<FollowerSyncRow> {
    const stamp = toSqlDateTime(now);
    const moved = await this.knex(SYNCS)
      .where({ official_account_id: pass.accountId, lease_owner: pass.owner, generation: pass.generation })
      .update({ state: 'done', finished_at: stamp, lease_owner: null, lease_until: null, last_error: null, updated_at: stamp });
    if (Number(moved) !== 1) throw new LostSyncLeaseError();
    return (await this.checkpoint(pass.accountId))!;
  }

  /** Renews the lease (long sweeps) and adds to the pass's counters, in the caller's transaction. */
  private async touch(trx: Knex.Transaction, pass: SyncPass, stamp: string, add: { unfollowed?: number; retired?: number }): Promise<void> {
    const until = toSqlDateTime(new Date(new Date(`${stamp.replace(' ', 'T')}Z`).getTime() + pass.leaseMs));
    const change: Record<string, unknown> = { lease_until: until, updated_at: stamp };
    if (add.unfollowed) change.unfollowed = trx.raw('unfollowed + ?', [add.unfollowed]);
    if (add.retired) change.retired = trx.raw('retired + ?', [add.retired]);
    const moved = await trx(SYNCS).where({ official_account_id: pass.accountId, lease_owner: pass.owner, generation: pass.generation }).update(change);
    if (Number(moved) !== 1) throw new LostSyncLeaseError();
  }

  /** The id of this openid's follower row, for `user list --after OPENID`. */
  async idOf(accountId: number, openid: string): Promise<number | undefined> {
    const row = await this.knex<FollowerRow>(FOLLOWERS).where({ official_account_id: accountId, openid }).first('official_account_user_id');
    return row ? Number(row.official_account_user_id) : undefined;
  }

  /** A page of the account's followers in id order, after `after`; following ones only unless `all`. */
  list(accountId: number, options: { after: number; limit: number; all: boolean }): Promise<FollowerListRow[]> {
    const q = this.knex(`${FOLLOWERS} as f`)
      .join(`${USERS} as u`, 'u.official_account_user_id', 'f.official_account_user_id')
      .where('f.official_account_id', accountId)
      .andWhere('f.official_account_user_id', '>', options.after)
      .orderBy('f.official_account_user_id')
      .limit(options.limit)
      .select(
        'f.official_account_user_id',
        'f.openid',
        'u.status',
        'f.unionid',
        'f.subscribe_time',
        'f.subscribe_scene',
        'f.qr_scene',
        'f.qr_scene_str',
        'f.remark',
        'f.tagid_list',
        'f.details_at',
        'f.event_at',
        'u.created_at',
      );
    if (!options.all) q.andWhere('u.status', FOLLOWING);
    return q;
  }
}
