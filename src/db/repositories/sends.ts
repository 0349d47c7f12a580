// Send jobs and their deliveries: account_message_send_records (the production table, one row per
// recipient) with wxplat_send_deliveries beside it (same id). Claims take rows with a lease; on MySQL
// with FOR UPDATE SKIP LOCKED so that processes on several hosts take disjoint rows, on SQLite in a
// transaction that holds the write lock.
import type { Knex } from 'knex';
import type { Database } from '../database.js';
import { insertWithIds } from '../insert-ids.js';
import { retryOnLockConflict, writeTransaction } from '../locks.js';
import { STATUS, type DeliveryState, type SendDeliveryRow, type SendJobRow } from '../rows.js';
import { fromSqlDateTime, toSqlDateTime } from '../time.js';
import { settleWaitingReceipts } from './waiting-receipts.js';

const JOBS = 'wxplat_send_jobs';
const DELIVERIES = 'wxplat_send_deliveries';
const RECORDS = 'account_message_send_records';

export interface NewJob {
  idempotencyKey: string | null;
  officialAccountId: number;
  appid: string;
  templateId: string;
  templateCode: string | null;
  messageJson: string;
  content: string;
  source: string;
  clientMsgPrefix: string;
  requestDigest: string;
}

export interface NewRecipient {
  openid: string;
  clientMsgId: string;
}

/** A row a worker holds: what it needs to send and to write the outcome back in bulk. */
export interface ClaimedDelivery {
  sendRecordId: number;
  jobId: number;
  officialAccountId: number;
  openid: string;
  clientMsgId: string;
  attempts: number;
  firstAttemptAt: Date;
  /** An earlier attempt may have reached WeChat (so this one is a resend inside the dedupe window). */
  maybeSent: boolean;
}

export interface DeliveryOutcome {
  row: ClaimedDelivery;
  state: Extract<DeliveryState, 'pending' | 'sent' | 'failed' | 'unknown'>;
  /** The attempt ended without an answer: WeChat may have sent it. */
  maybeSent?: boolean;
  msgid?: string | null;
  errcode?: number | null;
  errmsg?: string | null;
}

const CLAIM_COLUMNS = ['send_record_id', 'job_id', 'official_account_id', 'openid', 'client_msg_id', 'attempts', 'first_attempt_at', 'state', 'maybe_sent'] as const;
type ClaimRow = Pick<SendDeliveryRow, (typeof CLAIM_COLUMNS)[number]>;

export type StateCounts = Partial<Record<DeliveryState, number>>;

export class SendRepository {
  constructor(private readonly db: Database) {}

  private get knex(): Knex {
    return this.db.knex;
  }

  async findJob(jobId: number): Promise<SendJobRow | undefined> {
    return this.knex<SendJobRow>(JOBS).where('job_id', jobId).first();
  }

  async findJobByKey(key: string): Promise<SendJobRow | undefined> {
    return this.knex<SendJobRow>(JOBS).where('idempotency_key', key).first();
  }

  /** The latest job of this account made since `since` that asked for exactly this (its digest). */
  async findRepeat(officialAccountId: number, requestDigest: string, since: Date): Promise<SendJobRow | undefined> {
    return this.knex<SendJobRow>(JOBS)
      .where({ official_account_id: officialAccountId, request_digest: requestDigest })
      .andWhere('created_at', '>=', toSqlDateTime(since))
      .orderBy('job_id', 'desc')
      .first();
  }

  /** Creates the job, or returns the one that already has this idempotency key (a concurrent start). */
  async createJob(job: NewJob, now: Date): Promise<{ job: SendJobRow; created: boolean }> {
    const stamp = toSqlDateTime(now);
    const values = {
      idempotency_key: job.idempotencyKey,
      official_account_id: job.officialAccountId,
      appid: job.appid,
      template_id: job.templateId,
      template_code: job.templateCode,
      message_json: job.messageJson,
      content: job.content,
      source: job.source.slice(0, 255),
      client_msg_prefix: job.clientMsgPrefix,
      request_digest: job.requestDigest,
      state: 'preparing',
      total: 0,
      created_at: stamp,
      updated_at: stamp,
    };
    if (job.idempotencyKey) {
      const inserted = await this.knex(JOBS).insert(values).onConflict('idempotency_key').ignore();
      const row = (await this.findJobByKey(job.idempotencyKey))!;
      const created = Number(inserted[0] ?? 0) !== 0 && Number(row.job_id) === Number(inserted[0]);
      return { job: row, created };
    }
    const [id] = await this.knex(JOBS).insert(values);
    return { job: (await this.findJob(Number(id)))!, created: true };
  }

  /** The preparation lease: one process writes the recipients; others wait for `ready`. */
  async claimPreparation(jobId: number, owner: string, now: Date, leaseMs: number, deadOwners: readonly string[] = []): Promise<boolean> {
    const changed = await this.knex(JOBS)
      .where('job_id', jobId)
      .andWhere('state', 'preparing')
      .andWhere((q) => {
        q.whereNull('prepare_owner').orWhere('prepare_owner', owner).orWhere('prepare_lease_until', '<', toSqlDateTime(now));
        if (deadOwners.length > 0) q.orWhereIn('prepare_owner', deadOwners as string[]);
      })
      .update({
        prepare_owner: owner,
        prepare_lease_until: toSqlDateTime(new Date(now.getTime() + leaseMs)),
        updated_at: toSqlDateTime(now),
      });
    return changed === 1;
  }

  /**
   * Writes one batch of recipients: the production rows and their delivery rows, in one transaction.
   * Returns how many were added (openids the job already has are skipped).
   */
  async addRecipients(job: SendJobRow, recipients: readonly NewRecipient[], now: Date): Promise<number> {
    if (recipients.length === 0) return 0;
    return this.writeRecipients(job, recipients, now);
  }

  private writeRecipients(job: SendJobRow, recipients: readonly NewRecipient[], now: Date): Promise<number> {
    const jobId = Number(job.job_id);
    return writeTransaction(this.db, async (trx) => {
      const seen = new Set(
        (
          await trx<SendDeliveryRow>(DELIVERIES)
            .select('openid')
            .where('job_id', jobId)
            .whereIn(
              'openid',
              recipients.map((r) => r.openid),
            )
        ).map((r) => r.openid),
      );
      const fresh = recipients.filter((r) => !seen.has(r.openid));
      if (fresh.length === 0) return 0;
      const stamp = toSqlDateTime(now);
      const records = fresh.map((r) => ({
        official_account_id: job.official_account_id,
        template_id: job.template_id,
        content: job.content,
        receiver_user: r.openid,
        status: STATUS.valid,
        created_at: stamp,
        updated_at: stamp,
      }));
      const ids: number[] = [];
      for (let i = 0; i < records.length; i += 500) {
        const chunk = records.slice(i, i + 500);
        ids.push(...(await insertWithIds(trx, this.db.dialect, chunk, { table: RECORDS, idColumn: 'account_message_send_record_id', key: ['receiver_user'] })));
      }
      for (let i = 0; i < fresh.length; i += 500) {
        await trx(DELIVERIES).insert(
          fresh.slice(i, i + 500).map((r, j) => ({
            send_record_id: ids[i + j],
            job_id: jobId,
            official_account_id: job.official_account_id,
            openid: r.openid,
            client_msg_id: r.clientMsgId,
            state: 'pending',
            attempts: 0,
            updated_at: stamp,
          })),
        );
      }
      return fresh.length;
    });
  }

  async markReady(jobId: number, now: Date): Promise<number> {
    const total = await this.countRecipients(jobId);
    await this.knex(JOBS).where('job_id', jobId).update({
      state: 'ready',
      total,
      prepare_owner: null,
      prepare_lease_until: null,
      prepared_at: toSqlDateTime(now),
      updated_at: toSqlDateTime(now),
    });
    return total;
  }

  async countRecipients(jobId: number): Promise<number> {
    const row = (await this.knex(DELIVERIES).where('job_id', jobId).count({ n: '*' }).first()) as { n: number | string };
    return Number(row.n);
  }

  async setJobState(
    jobId: number,
    state: SendJobRow['state'],
    now: Date,
    extra: { stopReason?: string | null; pausedUntil?: Date | null; finished?: boolean } = {},
  ): Promise<void> {
    const values: Record<string, unknown> = { state, updated_at: toSqlDateTime(now) };
    if (extra.stopReason !== undefined) values.stop_reason = extra.stopReason?.slice(0, 255) ?? null;
    if (extra.pausedUntil !== undefined) values.paused_until = extra.pausedUntil ? toSqlDateTime(extra.pausedUntil) : null;
    if (extra.finished) values.finished_at = toSqlDateTime(now);
    await this.knex(JOBS).where('job_id', jobId).update(values);
  }

  /**
   * The rows a claim takes, one state at a time, each one range of (job_id, state, maybe_sent) read in
   * send_record_id order (migration 5000): `sending` rows whose lease ran out or whose owner died,
   * `pending` rows an earlier attempt may have sent, and `pending` rows never sent. A single statement
   * with OR between the states made both planners read the job by primary key from its start.
   */
  claimSources(trx: Knex, jobId: number, stamp: string, deadOwners: readonly string[]) {
    const ofJob = () => trx<SendDeliveryRow>(DELIVERIES).where('job_id', jobId);
    return {
      abandoned: () =>
        ofJob()
          .andWhere('state', 'sending')
          .andWhere((l) => {
            l.where('lease_until', '<', stamp);
            if (deadOwners.length > 0) l.orWhereIn('lease_owner', deadOwners as string[]);
          }),
      maybeSent: () => ofJob().andWhere('state', 'pending').andWhere('maybe_sent', 1),
      fresh: () => ofJob().andWhere('state', 'pending').andWhere('maybe_sent', 0),
    };
  }

  /**
   * Claims up to `limit` rows to send: pending rows, and rows left `sending` by a process whose lease
   * ran out — but those only while WeChat still dedupes their client_msg_id (`resendAfter`: first
   * attempt after this time). Older abandoned rows become `unknown` here, never resent. On MySQL in
   * READ COMMITTED: reading the `sending` range then locks only the rows taken, not the other workers'
   * in-flight rows, whose outcome writes would otherwise wait for this claim to commit.
   */
  async claim(
    jobId: number,
    owner: string,
    now: Date,
    options: { limit: number; leaseMs: number; resendAfter: Date; deadOwners?: readonly string[] },
  ): Promise<{ rows: ClaimedDelivery[]; markedUnknown: number }> {
    const stamp = toSqlDateTime(now);
    const lease = toSqlDateTime(new Date(now.getTime() + options.leaseMs));
    const resendAfter = toSqlDateTime(options.resendAfter);
    return retryOnLockConflict(() => writeTransaction(this.db, async (trx) => {
      const rowsOf = this.claimSources(trx, jobId, stamp, options.deadOwners ?? []);
      // A row whose last attempt may have reached WeChat (it is `sending` past its lease, or pending after
      // a network failure) is safe to send again only inside the dedupe window.
      let tooOld = 0;
      for (const source of [rowsOf.abandoned, rowsOf.maybeSent]) {
        tooOld += await source()
          .andWhere('first_attempt_at', '<', resendAfter)
          .update({
            state: 'unknown',
            lease_owner: null,
            lease_until: null,
            errmsg: 'the last attempt may have reached WeChat, and its dedupe window has passed: not resent',
            updated_at: stamp,
          });
      }

      // Rows whose earlier attempt may have reached WeChat go first, while their window is open.
      const rows: ClaimRow[] = [];
      for (const source of [rowsOf.abandoned, rowsOf.maybeSent, rowsOf.fresh]) {
        const left = options.limit - rows.length;
        if (left <= 0) break;
        const select = source()
          .select(...CLAIM_COLUMNS)
          .orderBy('send_record_id')
          .limit(left);
        if (this.db.dialect === 'mysql') select.forUpdate().skipLocked();
        rows.push(...(await select));
      }
      if (rows.length === 0) return { rows: [], markedUnknown: tooOld };
      const ids = rows.map((r) => r.send_record_id);
      await trx(DELIVERIES)
        .whereIn('send_record_id', ids)
        .update({
          // Taken over from a process that may have sent it: remember that, whatever happens next.
          maybe_sent: trx.raw("CASE WHEN state = 'sending' THEN 1 ELSE maybe_sent END"),
          state: 'sending',
          lease_owner: owner,
          lease_until: lease,
          attempts: trx.raw('attempts + 1'),
          first_attempt_at: trx.raw('COALESCE(first_attempt_at, ?)', [stamp]),
          last_attempt_at: stamp,
          updated_at: stamp,
        });
      return {
        markedUnknown: tooOld,
        rows: rows.map((r) => ({
          sendRecordId: Number(r.send_record_id),
          jobId: Number(r.job_id),
          officialAccountId: Number(r.official_account_id),
          openid: r.openid,
          clientMsgId: r.client_msg_id,
          attempts: Number(r.attempts) + 1,
          firstAttemptAt: fromSqlDateTime(r.first_attempt_at) ?? now,
          // A row taken over from a lost process counts as maybe sent.
          maybeSent: Number(r.maybe_sent) === 1 || r.state === 'sending',
        })),
      };
    }, { readCommitted: true }));
  }

  /** Writes outcomes in bulk, only for rows this owner still holds. */
  async saveOutcomes(owner: string, outcomes: readonly DeliveryOutcome[], now: Date): Promise<void> {
    if (outcomes.length === 0) return;
    const stamp = toSqlDateTime(now);
    const rows = outcomes.map((o) => ({
      send_record_id: o.row.sendRecordId,
      job_id: o.row.jobId,
      official_account_id: o.row.officialAccountId,
      openid: o.row.openid,
      client_msg_id: o.row.clientMsgId,
      state: o.state,
      msgid: o.msgid ?? null,
      errcode: o.errcode ?? null,
      errmsg: o.errmsg ? o.errmsg.slice(0, 255) : null,
      maybe_sent: o.maybeSent || o.row.maybeSent ? 1 : 0,
      lease_owner: null,
      lease_until: null,
      updated_at: stamp,
    }));
    await retryOnLockConflict(() => writeTransaction(this.db, async (trx) => {
      // Rows another process took over (our lease ran out) are theirs now: leave them alone.
      const held = new Set(
        (
          await trx<SendDeliveryRow>(DELIVERIES)
            .select('send_record_id')
            .whereIn(
              'send_record_id',
              rows.map((r) => r.send_record_id),
            )
            .andWhere('lease_owner', owner)
        ).map((r) => Number(r.send_record_id)),
      );
      const mine = rows.filter((r) => held.has(r.send_record_id));
      for (let i = 0; i < mine.length; i += 500) {
        await trx(DELIVERIES)
          .insert(mine.slice(i, i + 500))
          .onConflict('send_record_id')
          .merge(['state', 'msgid', 'errcode', 'errmsg', 'maybe_sent', 'lease_owner', 'lease_until', 'updated_at']);
      }
      // Receipts that beat their msgid here are waiting: link them now.
      const msgids = mine.map((r) => r.msgid).filter((m): m is string => Boolean(m));
      for (let i = 0; i < msgids.length; i += 500) await settleWaitingReceipts(trx, now, msgids.slice(i, i + 500));
    }));
  }

  /** Gives back rows this owner holds and did not send (stopping on quota or Ctrl-C). */
  async releaseClaims(owner: string, sendRecordIds: readonly number[], now: Date): Promise<void> {
    for (let i = 0; i < sendRecordIds.length; i += 500) {
      await retryOnLockConflict(() => this.knex(DELIVERIES)
        .whereIn('send_record_id', sendRecordIds.slice(i, i + 500))
        .andWhere('lease_owner', owner)
        .andWhere('state', 'sending')
        .update({ state: 'pending', lease_owner: null, lease_until: null, updated_at: toSqlDateTime(now) }));
    }
  }

  async extendLeases(owner: string, jobId: number, until: Date): Promise<void> {
    await retryOnLockConflict(() =>
      this.knex(DELIVERIES).where({ job_id: jobId, lease_owner: owner, state: 'sending' }).update({ lease_until: toSqlDateTime(until) }),
    );
  }

  async stateCounts(jobId: number): Promise<StateCounts> {
    const rows: Array<{
      state: DeliveryState;
      n: number | string;
    }> = await this.knex(DELIVERIES).select('state').count({ n: '*' }).where('job_id', jobId).groupBy('state');
    const counts: StateCounts = {};
    for (const r of rows) counts[r.state] = Number(r.n);
    return counts;
  }

  /** Leases held by processes other than `owner` that have not run out. */
  async foreignLeases(jobId: number, owner: string, now: Date): Promise<Array<{ owner: string; until: Date }>> {
    const rows: Array<{ lease_owner: string; until: string }> = await this.knex(DELIVERIES)
      .select('lease_owner')
      .max({ until: 'lease_until' })
      .where({ job_id: jobId, state: 'sending' })
      .andWhere('lease_owner', '<>', owner)
      .andWhere('lease_until', '>=', toSqlDateTime(now))
      .groupBy('lease_owner');
    return rows.map((r) => ({ owner: r.lease_owner, until: fromSqlDateTime(r.until)! }));
  }

  /** Owners holding `sending` rows of this job (to spot dead processes on this host). */
  async leaseOwners(jobId: number): Promise<string[]> {
    const rows = await this.knex(DELIVERIES).distinct('lease_owner').where({ job_id: jobId, state: 'sending' }).whereNotNull('lease_owner');
    return rows.map((r: { lease_owner: string }) => r.lease_owner);
  }

  /** Links receipts that waited for msgids of this database's sends (the sender's last word). */
  async settleWaitingReceipts(now: Date): Promise<number> {
    return retryOnLockConflict(() => writeTransaction(this.db, (trx) => settleWaitingReceipts(trx, now)));
  }

  /** The first few recipients with an error, for the summary. */
  async failures(jobId: number, limit: number): Promise<Array<Pick<SendDeliveryRow, 'openid' | 'state' | 'errcode' | 'errmsg'>>> {
    return this.knex<SendDeliveryRow>(DELIVERIES)
      .select('openid', 'state', 'errcode', 'errmsg')
      .where('job_id', jobId)
      .whereIn('state', ['failed', 'unknown'])
      .orderBy('send_record_id')
      .limit(limit);
  }
}
