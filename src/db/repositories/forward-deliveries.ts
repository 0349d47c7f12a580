// wxplat_forward_deliveries: one row for each push and each rule that takes it (core/forwarding).
//
// The receiver does not write these rows: it stores, in the inbox row's own INSERT, the ids of the async
// rules that matched (`forward_rules`) and `forward_state = 'pending'`. A forwarder then makes the rows
// (queue), in one transaction with marking the inbox rows `queued`, so that the receive path pays one
// column for forwarding and a crash between the two loses nothing. Deliveries are claimed like inbox
// rows (db/due-rows.ts): MySQL's SKIP LOCKED lets forwarders on several hosts take disjoint rows; SQLite's
// write transaction excludes the others. A claim writes its owner into lease_owner and moves
// next_attempt_at to the end of the lease, so the rows of a forwarder that died come due again; an
// outcome is written only while the claim is still held.
import type { Knex } from 'knex';
import type { Database } from '../database.js';
import { lockDueRows } from '../due-rows.js';
import { writeTransaction } from '../locks.js';
import { fromSqlDateTime, toSqlDateTime } from '../time.js';

const DELIVERIES = 'wxplat_forward_deliveries';
const INBOX = 'wxplat_callback_inbox';

export type DeliveryMode = 'async' | 'reply';
/** pending (due, or being sent under a lease) → delivered | dead; a reply that did not answer: failed. */
export type ForwardDeliveryState = 'pending' | 'delivered' | 'dead' | 'failed';

/** A claimed delivery with what sending it needs. */
export interface ClaimedDelivery {
  id: number;
  ruleId: number;
  inboxId: number;
  attempts: number;
  /** When its retry window began (created, or `forward retry`). */
  retryFrom: Date;
  appid: string | null;
  decryptedXml: string;
}

export interface DeliveryOutcome {
  id: number;
  /** delivered; pending again from `retryAt`; or dead (its window is over, or the target refuses for good). */
  state: 'delivered' | 'pending' | 'dead';
  retryAt: Date | null;
  status: number | null;
  error: string | null;
  latencyMs: number | null;
}

export interface RuleBacklog {
  ruleId: number;
  pending: number;
  oldestPendingAt: Date | null;
  dead: number;
  delivered: number;
}

function clip(value: string | null, max: number): string | null {
  if (value === null) return null;
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/** Above this many kinds of outcome in one batch, finish writes them with one statement of CASEs. */
const MAX_OUTCOME_KINDS = 4;

/** `CASE id WHEN … THEN … END`: each outcome's own value of a column. */
function caseById(knex: Knex, outcomes: readonly DeliveryOutcome[], value: (o: DeliveryOutcome) => Knex.Value): Knex.Raw {
  return knex.raw(`CASE id ${outcomes.map(() => 'WHEN ? THEN ?').join(' ')} END`, outcomes.flatMap((o) => [o.id, value(o)]));
}

export class ForwardDeliveryRepository {
  constructor(private readonly db: Database) {}

  private get knex(): Knex {
    return this.db.knex;
  }

  /**
   * Makes the delivery rows of up to `limit` inbox rows whose forwarding is pending, and marks those
   * rows queued, in one transaction. Returns how many inbox rows it took.
   */
  async queue(now: Date, limit: number): Promise<number> {
    const stamp = toSqlDateTime(now);
    return writeTransaction(
      this.db,
      async (trx) => {
        const rows = await lockDueRows<{ id: number | string; forward_rules: string | null }>(trx, this.db.dialect, {
          table: INBOX,
          where: (q) => q.where('forward_state', 'pending'),
          columns: ['id', 'forward_rules'],
          limit,
        });
        if (rows.length === 0) return 0;
        const deliveries = rows.flatMap((r) =>
          (r.forward_rules ?? '')
            .split(',')
            .filter((x) => /^\d+$/.test(x))
            .map((ruleId) => ({
              rule_id: Number(ruleId),
              inbox_id: Number(r.id),
              mode: 'async',
              state: 'pending',
              attempts: 0,
              next_attempt_at: stamp,
              retry_from: stamp,
              created_at: stamp,
              updated_at: stamp,
            })),
        );
        for (let i = 0; i < deliveries.length; i += 500) {
          // A row made already (a forwarder that died after its INSERT committed… cannot be: one
          // transaction; but `events replay` may have made it) is left as it is.
          await trx(DELIVERIES).insert(deliveries.slice(i, i + 500)).onConflict(['inbox_id', 'rule_id']).ignore();
        }
        await trx(INBOX)
          .whereIn(
            'id',
            rows.map((r) => Number(r.id)),
          )
          .update({ forward_state: 'queued' });
        return rows.length;
      },
      { readCommitted: true },
    );
  }

  /**
   * Claims up to `limit` due async deliveries for `owner` until `leaseUntil`, counting an attempt, and
   * returns them with the message each carries.
   */
  async claim(owner: string, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
    const stamp = toSqlDateTime(now);
    const ids = await writeTransaction(
      this.db,
      async (trx) => {
        const due = (
          await lockDueRows<{ id: number | string }>(trx, this.db.dialect, {
            table: DELIVERIES,
            where: (q) => q.where('state', 'pending').andWhere('next_attempt_at', '<=', stamp),
            orderColumn: 'next_attempt_at',
            columns: ['id'],
            limit,
          })
        ).map((r) => Number(r.id));
        if (due.length === 0) return due;
        await trx(DELIVERIES)
          .whereIn('id', due)
          .update({
            lease_owner: owner,
            next_attempt_at: toSqlDateTime(leaseUntil),
            attempts: trx.raw('attempts + 1'),
            last_attempt_at: stamp,
            updated_at: stamp,
          });
        return due;
      },
      { readCommitted: true },
    );
    if (ids.length === 0) return [];
    const rows = (await this.knex(`${DELIVERIES} as d`)
      .join(`${INBOX} as i`, 'i.id', 'd.inbox_id')
      .select('d.id', 'd.rule_id', 'd.inbox_id', 'd.attempts', 'd.retry_from', 'i.appid', 'i.decrypted_xml')
      .whereIn('d.id', ids)
      .andWhere('d.lease_owner', owner)
      .orderBy('d.id')) as Array<{
      id: number | string;
      rule_id: number;
      inbox_id: number | string;
      attempts: number;
      retry_from: string;
      appid: string | null;
      decrypted_xml: string;
    }>;
    return rows.map((r) => ({
      id: Number(r.id),
      ruleId: Number(r.rule_id),
      inboxId: Number(r.inbox_id),
      attempts: Number(r.attempts),
      retryFrom: fromSqlDateTime(r.retry_from)!,
      appid: r.appid,
      decryptedXml: r.decrypted_xml,
    }));
  }

  /** Gives back claims `owner` holds and did not use: due at once, the attempt not counted. */
  async release(owner: string, ids: readonly number[], now: Date): Promise<void> {
    const stamp = toSqlDateTime(now);
    for (let i = 0; i < ids.length; i += 500) {
      await this.knex(DELIVERIES)
        .whereIn('id', ids.slice(i, i + 500))
        .andWhere('lease_owner', owner)
        .andWhere('state', 'pending')
        .update({ lease_owner: null, next_attempt_at: stamp, attempts: this.knex.raw('attempts - 1'), updated_at: stamp });
    }
  }

  /**
   * Writes outcomes of deliveries `owner` still holds; returns how many it changed. Each column is set to
   * a constant where every outcome of the statement has the same value, and by a CASE over the ids where
   * they differ: a CASE for each of six columns cost MariaDB about 15 µs a row more than one for the
   * latency alone (measured at 128 rows), and the drain after a burst waits on the database. So outcomes
   * are written a statement for each kind (state, retry time, status, error; a batch of 2xx answers is
   * one kind), or, past MAX_OUTCOME_KINDS kinds, all in one statement. The statements of a batch are not
   * one transaction: a crash between them leaves the rest held until their lease ends, and they are sent
   * again then (at least once, as any crash mid-batch).
   */
  async finish(owner: string, outcomes: readonly DeliveryOutcome[], now: Date): Promise<number> {
    if (outcomes.length === 0) return 0;
    const kinds = new Map<string, DeliveryOutcome[]>();
    for (const o of outcomes) {
      const key = JSON.stringify([o.state, o.retryAt?.getTime() ?? null, o.status, o.error]);
      const group = kinds.get(key);
      if (group) group.push(o);
      else kinds.set(key, [o]);
    }
    if (kinds.size > MAX_OUTCOME_KINDS) return this.writeOutcomes(owner, outcomes, now);
    let changed = 0;
    for (const group of kinds.values()) changed += await this.writeOutcomes(owner, group, now);
    return changed;
  }

  /** One UPDATE of `outcomes`: a constant for a column where they agree, a CASE over the ids where not. */
  private async writeOutcomes(owner: string, outcomes: readonly DeliveryOutcome[], now: Date): Promise<number> {
    const stamp = toSqlDateTime(now);
    const column = (value: (o: DeliveryOutcome) => string | number | null): Knex.Value => {
      const first = value(outcomes[0]);
      return outcomes.every((o) => value(o) === first) ? first : caseById(this.knex, outcomes, value);
    };
    return this.knex(DELIVERIES)
      .whereIn(
        'id',
        outcomes.map((o) => o.id),
      )
      .andWhere('lease_owner', owner)
      .update({
        state: column((o) => o.state),
        next_attempt_at: column((o) => toSqlDateTime(o.retryAt ?? now)),
        delivered_at: column((o) => (o.state === 'delivered' ? stamp : null)),
        last_status: column((o) => o.status),
        last_error: column((o) => clip(o.error, 255)),
        latency_ms: column((o) => o.latencyMs),
        lease_owner: null,
        updated_at: stamp,
      });
  }

  /**
   * Records reply rules' calls (made while WeChat waited), many in one statement: one row per push and
   * rule; a copy of a push (WeChat's retry) counts another attempt on the same row.
   */
  async recordReplies(
    rows: ReadonlyArray<{ inboxId: number; ruleId: number; delivered: boolean; status: number | null; error: string | null; latencyMs: number; at: Date }>,
  ): Promise<void> {
    if (rows.length === 0) return;
    // One row per key within the statement (the latest), as an upsert may not touch a row twice.
    const byKey = new Map<string, (typeof rows)[number]>();
    for (const r of rows) byKey.set(`${r.inboxId}/${r.ruleId}`, r);
    const values = [...byKey.values()].map((row) => {
      const stamp = toSqlDateTime(row.at);
      return {
        rule_id: row.ruleId,
        inbox_id: row.inboxId,
        mode: 'reply',
        state: row.delivered ? 'delivered' : 'failed',
        attempts: 1,
        next_attempt_at: stamp,
        retry_from: stamp,
        last_attempt_at: stamp,
        delivered_at: row.delivered ? stamp : null,
        last_status: row.status,
        last_error: clip(row.error, 255),
        latency_ms: row.latencyMs,
        created_at: stamp,
        updated_at: stamp,
      };
    });
    const incoming = (column: string) => this.knex.raw(this.db.dialect === 'mysql' ? `VALUES(${column})` : `excluded.${column}`);
    await this.knex(DELIVERIES)
      .insert(values)
      .onConflict(['inbox_id', 'rule_id'])
      .merge({
        attempts: this.knex.raw(`${DELIVERIES}.attempts + 1`),
        ...Object.fromEntries(['state', 'last_attempt_at', 'delivered_at', 'last_status', 'last_error', 'latency_ms', 'updated_at'].map((c) => [c, incoming(c)])),
      });
  }

  /**
   * Makes async deliveries due now with a new retry window: those given up (`dead`), or those waiting
   * for their next attempt after a failure; of one rule or all. Returns how many.
   */
  async retry(options: { dead: boolean; ruleId?: number }, now: Date): Promise<number> {
    const stamp = toSqlDateTime(now);
    const q = this.knex(DELIVERIES).where('mode', 'async');
    if (options.dead) q.where('state', 'dead');
    // Waiting after a failure, and not held by a forwarder right now.
    else q.where('state', 'pending').andWhere('attempts', '>', 0).whereNull('lease_owner');
    if (options.ruleId !== undefined) q.where('rule_id', options.ruleId);
    return q.update({ state: 'pending', next_attempt_at: stamp, retry_from: stamp, lease_owner: null, updated_at: stamp });
  }

  /** `events replay`: the push's async deliveries go out again (made, if they were never made). */
  async replay(inboxId: number, now: Date): Promise<number> {
    const stamp = toSqlDateTime(now);
    const changed = await this.knex(DELIVERIES)
      .where({ inbox_id: inboxId, mode: 'async' })
      .update({ state: 'pending', next_attempt_at: stamp, retry_from: stamp, lease_owner: null, updated_at: stamp });
    if (changed > 0) return changed;
    return this.knex(INBOX).where('id', inboxId).whereNotNull('forward_rules').update({ forward_state: 'pending' });
  }

  /** Each rule's deliveries by state, and its oldest waiting one. */
  async backlog(): Promise<RuleBacklog[]> {
    const rows: Array<{ rule_id: number; state: string; n: number | string; oldest: string | null }> = await this.knex(DELIVERIES)
      .select('rule_id', 'state')
      .count({ n: '*' })
      .min({ oldest: 'created_at' })
      .groupBy('rule_id', 'state');
    const byRule = new Map<number, RuleBacklog>();
    for (const r of rows) {
      const b = byRule.get(Number(r.rule_id)) ?? { ruleId: Number(r.rule_id), pending: 0, oldestPendingAt: null, dead: 0, delivered: 0 };
      if (r.state === 'pending') {
        b.pending += Number(r.n);
        b.oldestPendingAt = fromSqlDateTime(r.oldest);
      } else if (r.state === 'dead') b.dead += Number(r.n);
      else if (r.state === 'delivered') b.delivered += Number(r.n);
      byRule.set(b.ruleId, b);
    }
    return [...byRule.values()].sort((a, b) => a.ruleId - b.ruleId);
  }

  /** Inbox rows whose deliveries are still to be made, and since when the oldest. */
  async unqueued(): Promise<{ count: number; oldest: Date | null }> {
    const row = (await this.knex(INBOX).where('forward_state', 'pending').count({ n: '*' }).min({ oldest: 'received_at' }).first()) as
      | { n: number | string; oldest: string | null }
      | undefined;
    return { count: Number(row?.n ?? 0), oldest: fromSqlDateTime(row?.oldest ?? null) };
  }
}
