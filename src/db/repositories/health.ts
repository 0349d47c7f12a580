// The counts `doctor` reports: send rows left unknown or pending, jobs stopped by the daily quota, inbox
// rows failing. Send rows are counted per job on (job_id, state) — the jobs table is small (one row an
// invocation) and read whole — and inbox rows on (state, updated_at); never a scan of a big table.
import type { Knex } from 'knex';
import type { SqlDateTime } from '../rows.js';

const DELIVERIES = 'wxplat_send_deliveries';
const JOBS = 'wxplat_send_jobs';
const INBOX = 'wxplat_callback_inbox';

export interface StaleJob {
  jobId: number;
  rows: number;
}

export interface QuotaStoppedJob {
  jobId: number;
  appid: string;
  pausedUntil: SqlDateTime;
  stopReason: string | null;
  /** Rows still to send. */
  pending: number;
}

export interface InboxHealth {
  failedRecently: number;
  failedEarlier: number;
  /** Pending after a failed attempt. */
  retrying: number;
  /** Pending, never failed, received before `waitingBefore`. */
  waiting: number;
  oldestWaitingAt: SqlDateTime | null;
}

async function count(q: Knex.QueryBuilder): Promise<number> {
  const row = (await q.count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

export class HealthRepository {
  constructor(private readonly knex: Knex) {}

  /** Jobs that changed at or after `since`, or have not finished: the ones whose rows may have changed. */
  async activeJobIds(since: SqlDateTime): Promise<number[]> {
    const rows = (await this.knex(JOBS)
      .select('job_id')
      .where('updated_at', '>=', since)
      .orWhereNot('state', 'done')
      .orderBy('job_id')) as Array<{ job_id: number | string }>;
    return rows.map((r) => Number(r.job_id));
  }

  /** Rows of these jobs in this state whose last change is at or after `since`. */
  deliveriesSinceQuery(jobIds: readonly number[], state: string, since: SqlDateTime): Knex.QueryBuilder {
    return this.knex(DELIVERIES).whereIn('job_id', jobIds as number[]).andWhere('state', state).andWhere('updated_at', '>=', since);
  }

  async deliveriesSince(jobIds: readonly number[], state: string, since: SqlDateTime): Promise<number> {
    let n = 0;
    for (let i = 0; i < jobIds.length; i += 500) n += await count(this.deliveriesSinceQuery(jobIds.slice(i, i + 500), state, since));
    return n;
  }

  /** Unfinished jobs that nothing changed since `before`. */
  async quietJobs(before: SqlDateTime): Promise<number[]> {
    const rows = (await this.knex(JOBS)
      .select('job_id')
      .whereNot('state', 'done')
      .andWhere((q) => q.where('updated_at', '<', before).orWhereNull('updated_at'))
      .orderBy('job_id')) as Array<{ job_id: number | string }>;
    return rows.map((r) => Number(r.job_id));
  }

  /** Rows of one job still to send (pending, or sending under a lease): read from (job_id, state) alone. */
  openRowsQuery(jobId: number): Knex.QueryBuilder {
    return this.knex(DELIVERIES).where('job_id', jobId).whereIn('state', ['pending', 'sending']);
  }

  /** Of these jobs, the ones with rows left to send, and how many. */
  async jobsWithOpenRows(jobIds: readonly number[]): Promise<StaleJob[]> {
    const out: StaleJob[] = [];
    for (const jobId of jobIds) {
      const rows = await count(this.openRowsQuery(jobId));
      if (rows > 0) out.push({ jobId, rows });
    }
    return out;
  }

  /** Of these jobs, the ones a process is sending right now (a lease that has not run out). */
  async jobsBeingSent(jobIds: readonly number[], now: SqlDateTime): Promise<Set<number>> {
    const busy = new Set<number>();
    for (const jobId of jobIds) {
      const row = await this.knex(DELIVERIES).select('send_record_id').where({ job_id: jobId, state: 'sending' }).andWhere('lease_until', '>=', now).first();
      if (row) busy.add(jobId);
    }
    return busy;
  }

  /** Jobs stopped by 45009 whose pause has not run out: the quota ran out since the last reset. */
  async quotaStoppedJobs(now: SqlDateTime): Promise<QuotaStoppedJob[]> {
    const jobs = (await this.knex(JOBS)
      .select('job_id', 'appid', 'paused_until', 'stop_reason')
      .where('state', 'stopped')
      .andWhere('paused_until', '>', now)
      .orderBy('job_id')) as Array<{ job_id: number | string; appid: string; paused_until: SqlDateTime; stop_reason: string | null }>;
    const out: QuotaStoppedJob[] = [];
    for (const j of jobs) {
      const pending = await count(this.knex(DELIVERIES).where({ job_id: j.job_id, state: 'pending' }));
      out.push({ jobId: Number(j.job_id), appid: j.appid, pausedUntil: j.paused_until, stopReason: j.stop_reason, pending });
    }
    return out;
  }

  inboxFailedSinceQuery(since: SqlDateTime): Knex.QueryBuilder {
    return this.knex(INBOX).where('state', 'failed').andWhere('updated_at', '>=', since);
  }

  async inbox(recentSince: SqlDateTime, waitingBefore: SqlDateTime): Promise<InboxHealth> {
    const failedRecently = await count(this.inboxFailedSinceQuery(recentSince));
    const failedEarlier = await count(this.knex(INBOX).where('state', 'failed').andWhere('updated_at', '<', recentSince));
    const retrying = await count(this.knex(INBOX).where('state', 'pending').whereNotNull('last_error'));
    const waiting = (await this.knex(INBOX)
      .where('state', 'pending')
      .whereNull('last_error')
      .andWhere('received_at', '<', waitingBefore)
      .select(this.knex.raw('count(*) as n'), this.knex.raw('min(received_at) as oldest'))
      .first()) as { n: number | string; oldest: SqlDateTime | null } | undefined;
    return {
      failedRecently,
      failedEarlier,
      retrying,
      waiting: Number(waiting?.n ?? 0),
      oldestWaitingAt: waiting?.oldest ?? null,
    };
  }
}
