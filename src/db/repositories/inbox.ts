// wxplat_callback_inbox: the callbacks `wxplat serve` accepted, and their processing state.
//
// Storing: a batch of accepted requests is one multi-row INSERT (one commit); the unique dedupe key
// makes a retried push — or two copies arriving at once on two processes — one row. Every row of a
// batch carries the batch's tag, so that reading the keys back tells a new row from a duplicate.
//
// Processing: a worker takes due rows in a transaction that holds them (withDue) — MySQL: SELECT … FOR
// UPDATE SKIP LOCKED, so that workers on several hosts take disjoint rows without waiting on each
// other; SQLite: a write transaction (db/locks.ts writeTransaction), which holds the write lock from its
// first statement — and either finishes them in it (the database-only work) or claims them: writes a
// claim token into lease_owner and moves next_attempt_at to the end of the lease, for work done
// outside any transaction (WeChat calls). A claimed row is finished only while the token is still
// there; a claim that runs out (its worker died) makes the row due again.
import type { Knex } from 'knex';
import type { Database, Dialect } from '../database.js';
import { lockDueRows } from '../due-rows.js';
import { writeTransaction } from '../locks.js';
import type { CallbackInboxRow, InboxRoute, InboxState } from '../rows.js';
import { fromSqlDateTime, toSqlDateTime } from '../time.js';
import { insertInboxRows } from './inbox-insert.js';

const INBOX = 'wxplat_callback_inbox';

export interface NewInboxEntry {
  dedupeKey: string;
  route: InboxRoute;
  appid: string | null;
  eventType: string;
  messageTime: Date | null;
  /** The follower an account's push is from (FromUserName). */
  openid: string | null;
  decryptedXml: string;
  /** The async forwarding rules that took the push (comma-separated ids); none when absent. */
  forwardRules?: string | null;
}

export interface StoredEntry {
  id: number;
  /** The push was already in the inbox (or earlier in the same batch): nothing new was stored. */
  duplicate: boolean;
}

/** An inbox row without its bodies: what lists show. */
export interface InboxSummary {
  id: number;
  route: InboxRoute;
  appid: string | null;
  eventType: string;
  state: InboxState;
  attempts: number;
  messageTime: Date | null;
  receivedAt: Date;
  processedAt: Date | null;
  nextAttemptAt: Date;
  outcome: string | null;
  lastError: string | null;
  dedupeKey: string;
}

/** What processing a row needs: the decrypted message, not the request it came in. */
export interface ClaimedEntry extends InboxSummary {
  leaseOwner: string | null;
  decryptedXml: string;
}

export interface InboxEntry extends ClaimedEntry {
  openid: string | null;
  /** Copies of the push that arrived after it was stored. */
  retries: number;
}

const SUMMARY_COLUMNS = [
  'id',
  'route',
  'appid',
  'event_type',
  'state',
  'attempts',
  'message_time',
  'received_at',
  'processed_at',
  'next_attempt_at',
  'outcome',
  'last_error',
  'dedupe_key',
] as const;

function summary(row: Pick<CallbackInboxRow, (typeof SUMMARY_COLUMNS)[number]>): InboxSummary {
  return {
    id: Number(row.id),
    route: row.route,
    appid: row.appid,
    eventType: row.event_type,
    state: row.state,
    attempts: Number(row.attempts),
    messageTime: fromSqlDateTime(row.message_time),
    receivedAt: fromSqlDateTime(row.received_at)!,
    processedAt: fromSqlDateTime(row.processed_at),
    nextAttemptAt: fromSqlDateTime(row.next_attempt_at)!,
    outcome: row.outcome,
    lastError: row.last_error,
    dedupeKey: row.dedupe_key,
  };
}

const CLAIMED_COLUMNS = [...SUMMARY_COLUMNS, 'lease_owner', 'decrypted_xml'] as const;

function claimed(row: Pick<CallbackInboxRow, (typeof CLAIMED_COLUMNS)[number]>): ClaimedEntry {
  return { ...summary(row), leaseOwner: row.lease_owner, decryptedXml: row.decrypted_xml };
}

function entry(row: CallbackInboxRow): InboxEntry {
  return {
    ...summary(row),
    leaseOwner: row.lease_owner,
    openid: row.openid,
    retries: Number(row.retries),
    decryptedXml: row.decrypted_xml,
  };
}

function clip(value: string | null, max: number): string | null {
  if (value === null) return null;
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/** Counts of the backlog stop here (and say "at least"). */
export const BACKLOG_CAP = 1_000;

export interface InboxBacklog {
  /** Pending rows, up to BACKLOG_CAP; `pendingAtLeast` when there are more. */
  pending: number;
  pendingAtLeast: boolean;
  /** When the oldest of the next BACKLOG_CAP due rows was received. */
  oldestPendingAt: Date | null;
  failed: number;
  failedAtLeast: boolean;
}

export class InboxRepository {
  constructor(
    private readonly knex: Knex,
    private readonly dialect: Dialect,
    /** Needed only to claim rows (a write transaction on SQLite). */
    private readonly db?: Database,
  ) {}

  /**
   * Stores a batch in one INSERT (one commit; inbox-insert.ts). Returns, in the order given, each entry's
   * row id and whether it was a duplicate (already stored, or earlier in the same batch). `tag` must be
   * unique to this call.
   */
  async store(entries: readonly NewInboxEntry[], tag: string, now: Date): Promise<StoredEntry[]> {
    if (entries.length === 0) return [];
    const firstIndex = new Map<string, number>();
    entries.forEach((e, i) => {
      if (!firstIndex.has(e.dedupeKey)) firstIndex.set(e.dedupeKey, i);
    });
    // One row per key, in key order: concurrent batches then take the unique index's locks in the same
    // order on MySQL and cannot deadlock on each other.
    const keys = [...firstIndex.keys()].sort();
    const rows = keys.map((key) => {
      const e = entries[firstIndex.get(key)!];
      return {
        dedupeKey: e.dedupeKey,
        route: e.route,
        appid: clip(e.appid, 32),
        eventType: clip(e.eventType, 64)!,
        messageTime: e.messageTime ? toSqlDateTime(e.messageTime) : null,
        openid: e.openid !== null && e.openid.length <= 64 ? e.openid : null,
        decryptedXml: e.decryptedXml,
        forwardRules: e.forwardRules && e.forwardRules.length <= 255 ? e.forwardRules : null,
      };
    });
    const inserted = await insertInboxRows(this.knex, this.dialect, rows, tag, toSqlDateTime(now));
    const byKey = new Map(keys.map((k, i) => [k, inserted[i]]));
    return entries.map((e, i) => {
      const row = byKey.get(e.dedupeKey)!;
      return { id: row.id, duplicate: !row.fresh || firstIndex.get(e.dedupeKey) !== i };
    });
  }

  /**
   * Runs `fn` in a transaction over up to `limit` due pending rows, which it holds locked meanwhile:
   * MySQL skips (and then holds) rows another worker has locked; SQLite's write transaction excludes
   * every other writer. A worker that dies mid-way holds nothing: its transaction is rolled back.
   * Null (and `fn` is not called) when no row is due.
   */
  async withDue<T>(now: Date, limit: number, fn: (trx: Knex.Transaction, rows: ClaimedEntry[]) => Promise<T>): Promise<T | null> {
    const stamp = toSqlDateTime(now);
    const run = async (trx: Knex.Transaction) => {
      const found = await lockDueRows<Pick<CallbackInboxRow, (typeof CLAIMED_COLUMNS)[number]>>(trx, this.dialect, {
        table: INBOX,
        where: (q) => q.where('state', 'pending').andWhere('next_attempt_at', '<=', stamp),
        orderColumn: 'next_attempt_at',
        columns: CLAIMED_COLUMNS,
        limit,
      });
      return found.length === 0 ? null : fn(trx, found.map(claimed));
    };
    if (!this.db) throw new Error('taking inbox rows needs the Database');
    // MySQL: READ COMMITTED, so that reading the due range locks the rows read and not the gaps around
    // them — under REPEATABLE READ those gap locks would hold up the receiver's INSERT of new rows
    // until this batch commits.
    return writeTransaction(this.db, run, { readCommitted: true });
  }

  /**
   * Claims these rows for `token` until `leaseUntil` if they are still due and pending (counting an
   * attempt); returns the ones it claimed.
   */
  async claimIds(ids: readonly number[], token: string, now: Date, leaseUntil: Date): Promise<ClaimedEntry[]> {
    if (ids.length === 0) return [];
    const stamp = toSqlDateTime(now);
    await this.knex(INBOX)
      .whereIn('id', [...ids])
      .andWhere('state', 'pending')
      .andWhere('next_attempt_at', '<=', stamp)
      .update({ lease_owner: token, next_attempt_at: toSqlDateTime(leaseUntil), attempts: this.knex.raw('attempts + 1'), updated_at: stamp });
    const rows = await this.knex<CallbackInboxRow>(INBOX).select(...CLAIMED_COLUMNS).whereIn('id', [...ids]).andWhere('lease_owner', token);
    return rows.map(claimed).sort((a, b) => a.id - b.id);
  }

  /**
   * Marks rows held by withDue processed, counting the attempt, in one statement; returns how many it
   * changed.
   */
  async finishHeld(rows: ReadonlyArray<{ id: number; state: 'done' | 'ignored'; outcome: string }>, now: Date): Promise<number> {
    if (rows.length === 0) return 0;
    const stamp = toSqlDateTime(now);
    const cases = rows.map(() => 'WHEN ? THEN ?').join(' ');
    return this.knex(INBOX)
      // By primary key alone: the rows are held by the caller's transaction (a condition on state could
      // lead MySQL to walk the pending range of an index instead).
      .whereIn(
        'id',
        rows.map((r) => r.id),
      )
      .update({
        state: this.knex.raw(`CASE id ${cases} END`, rows.flatMap((r) => [r.id, r.state])),
        outcome: this.knex.raw(`CASE id ${cases} END`, rows.flatMap((r) => [r.id, clip(r.outcome, 255)])),
        attempts: this.knex.raw('attempts + 1'),
        last_error: null,
        lease_owner: null,
        processed_at: stamp,
        updated_at: stamp,
      });
  }

  /**
   * Claims one row whatever its state (`events replay`), unless a worker holds a live claim on it.
   * Returns the row, or the current row with `held: true` when someone else holds it, or null.
   */
  async claimOne(
    id: number,
    token: string,
    now: Date,
    leaseUntil: Date,
  ): Promise<{ entry: InboxEntry; held: boolean } | null> {
    const stamp = toSqlDateTime(now);
    const changed = await this.knex(INBOX)
      .where('id', id)
      .andWhere((q) =>
        q.whereNot('state', 'pending').orWhereNull('lease_owner').orWhere('next_attempt_at', '<=', stamp),
      )
      .update({
        lease_owner: token,
        next_attempt_at: toSqlDateTime(leaseUntil),
        attempts: this.knex.raw('attempts + 1'),
        updated_at: stamp,
      });
    const row = await this.findById(id);
    if (!row) return null;
    return { entry: row, held: changed === 0 || row.leaseOwner !== token };
  }

  /** Lengthens a claim this worker still holds (before slow work); false when it was lost. */
  async extend(id: number, token: string, leaseUntil: Date, now: Date): Promise<boolean> {
    const changed = await this.knex(INBOX)
      .where({ id, lease_owner: token, state: 'pending' })
      .update({ next_attempt_at: toSqlDateTime(leaseUntil), updated_at: toSqlDateTime(now) });
    return changed === 1;
  }

  /** Marks a claimed row processed; false when the claim was lost (nothing changed). */
  async finish(id: number, token: string, state: 'done' | 'ignored', outcome: string, now: Date): Promise<boolean> {
    const stamp = toSqlDateTime(now);
    const changed = await this.knex(INBOX).where({ id, lease_owner: token }).update({
      state,
      outcome: clip(outcome, 255),
      last_error: null,
      lease_owner: null,
      processed_at: stamp,
      updated_at: stamp,
    });
    return changed === 1;
  }

  /**
   * Marks many claimed rows processed in one statement. Returns how many it changed: fewer than given
   * means some claim was lost (the caller rolls back and finishes them one by one).
   */
  async finishMany(
    token: string,
    rows: ReadonlyArray<{ id: number; state: 'done' | 'ignored'; outcome: string }>,
    now: Date,
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const stamp = toSqlDateTime(now);
    const states = rows.map(() => 'WHEN ? THEN ?').join(' ');
    const outcomes = rows.map(() => 'WHEN ? THEN ?').join(' ');
    return this.knex(INBOX)
      .whereIn(
        'id',
        rows.map((r) => r.id),
      )
      .andWhere('lease_owner', token)
      .update({
        state: this.knex.raw(`CASE id ${states} END`, rows.flatMap((r) => [r.id, r.state])),
        outcome: this.knex.raw(`CASE id ${outcomes} END`, rows.flatMap((r) => [r.id, clip(r.outcome, 255)])),
        last_error: null,
        lease_owner: null,
        processed_at: stamp,
        updated_at: stamp,
      });
  }

  /**
   * Records a failed attempt on a claimed row: pending again from `retryAt`, or `failed` when
   * `retryAt` is null (no more automatic attempts).
   */
  async fail(id: number, token: string, error: string, retryAt: Date | null, now: Date): Promise<boolean> {
    const stamp = toSqlDateTime(now);
    const changed = await this.knex(INBOX)
      .where({ id, lease_owner: token })
      .update({
        state: retryAt ? 'pending' : 'failed',
        last_error: clip(error, 1000),
        lease_owner: null,
        next_attempt_at: toSqlDateTime(retryAt ?? now),
        updated_at: stamp,
      });
    return changed === 1;
  }

  /** Gives a claim back untouched (a worker stopping before it got to the row). */
  async release(ids: readonly number[], token: string, now: Date): Promise<void> {
    if (ids.length === 0) return;
    const stamp = toSqlDateTime(now);
    await this.knex(INBOX)
      .whereIn('id', ids)
      .andWhere('lease_owner', token)
      .update({ lease_owner: null, next_attempt_at: stamp, attempts: this.knex.raw('attempts - 1'), updated_at: stamp });
  }

  /**
   * The recent authorized/updateauthorized events, newest first (with their decrypted XML): how
   * `account authorize` finds the push that carried the code it was given.
   */
  async recentAuthorizationEvents(since: Date, limit = 50): Promise<InboxEntry[]> {
    const rows = await this.knex<CallbackInboxRow>(INBOX)
      .whereIn('event_type', ['authorized', 'updateauthorized'])
      .andWhere('received_at', '>=', toSqlDateTime(since))
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(entry);
  }

  async findById(id: number): Promise<InboxEntry | null> {
    const row = await this.knex<CallbackInboxRow>(INBOX).where('id', id).first();
    return row ? entry(row) : null;
  }

  /**
   * A component event about `appid`, of one of `eventTypes`, that WeChat made after `after` and that is
   * done or still to be processed: it supersedes an older event that is processed late.
   */
  async laterEvent(appid: string, eventTypes: readonly string[], after: Date, excludeId: number): Promise<number | null> {
    const row = await this.knex<CallbackInboxRow>(INBOX)
      .select('id')
      .where({ appid, route: 'component' })
      .whereIn('event_type', [...eventTypes])
      .whereIn('state', ['pending', 'done'])
      .andWhere('message_time', '>', toSqlDateTime(after))
      .andWhereNot('id', excludeId)
      .orderBy('id')
      .first();
    return row ? Number(row.id) : null;
  }

  /**
   * How many rows wait (pending) and how many failed, each counted up to BACKLOG_CAP (then "at least"),
   * and when the oldest of the next due rows arrived. /healthz asks this on every probe: a capped count
   * reads at most BACKLOG_CAP + 1 index entries, however large a backlog or a history of failures is.
   */
  async backlog(): Promise<InboxBacklog> {
    const pending = (await this.knex
      .from(this.knex(INBOX).select('received_at').where('state', 'pending').orderBy('next_attempt_at').limit(BACKLOG_CAP + 1).as('p'))
      .select(this.knex.raw('count(*) as n'), this.knex.raw('min(received_at) as oldest'))
      .first()) as { n: unknown; oldest: string | null } | undefined;
    const failed = (await this.knex
      .from(this.knex(INBOX).select('id').where('state', 'failed').limit(BACKLOG_CAP + 1).as('f'))
      .count({ n: '*' })
      .first()) as { n: unknown } | undefined;
    const pendingCount = Number(pending?.n ?? 0);
    const failedCount = Number(failed?.n ?? 0);
    return {
      pending: Math.min(pendingCount, BACKLOG_CAP),
      pendingAtLeast: pendingCount > BACKLOG_CAP,
      oldestPendingAt: fromSqlDateTime(pending?.oldest ?? null),
      failed: Math.min(failedCount, BACKLOG_CAP),
      failedAtLeast: failedCount > BACKLOG_CAP,
    };
  }
}

