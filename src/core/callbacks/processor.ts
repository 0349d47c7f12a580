// Processing, separate from receiving: a worker claims due inbox rows (a batch at a time, with a
// lease), runs each row's handler, and marks the row — in the same transaction as the handler's
// writes, for the handlers that only touch the database. Several `serve` processes, on one host or
// many, share one database: the claim gives each row to one worker (inbox repository).
//
// A handler that fails leaves its row pending with the error, to be tried again after a backoff; after
// the last attempt, or at once when the message itself cannot be processed, the row is `failed`.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { writeTransaction } from '../../db/locks.js';
import { InboxRepository, type ClaimedEntry } from '../../db/repositories/inbox.js';
import { SendRepository } from '../../db/repositories/sends.js';
import type { InboxRoute, InboxState } from '../../db/rows.js';
import type { Logger } from '../../logger.js';
import type { WeChatClient } from '../../wechat/client.js';
import { parseFlatXml } from '../../wechat/xml.js';
import { DEFAULT_BACKOFF, nextAttemptAt, type BackoffPolicy } from './backoff.js';
import { UnprocessableEventError, handlerFor, type Handled, type HandlerInput } from './handlers/index.js';
import type { DbHandler, WeChatHandler } from './handlers/types.js';

export interface ProcessorDeps {
  db: Database;
  /** Made on first use: only authorization events need WeChat. */
  wechat: () => Promise<WeChatClient>;
  clock: Clock;
  logger: Logger;
  componentAppid: string;
}

export interface ProcessorOptions {
  /** Rows claimed at a time. */
  batchSize?: number;
  /**
   * Batches processed at once (MySQL: each its own connection and transaction, SKIP LOCKED keeps their
   * rows apart), so that one batch's statements run while the next is prepared: a backlog drains at
   * the database's pace rather than at the pace of database and worker taking turns. Only the first
   * works while the receiver is busy.
   */
  workers?: number;
  /**
   * How long a claim lasts before another worker may take the row: short, so that the rows a crashed
   * worker held are soon taken up again. A row whose handler calls WeChat gets `slowLeaseMs` first.
   */
  leaseMs?: number;
  slowLeaseMs?: number;
  /** How often an idle worker looks for due rows (it is also woken by every commit in this process). */
  idleMs?: number;
  /**
   * How long a woken worker lets new rows gather before it claims them: rows that arrive together are
   * then processed together, in one transaction, instead of a few at a time.
   */
  gatherMs?: number;
  /**
   * True while the receiver in this process is answering requests: processing then pauses `yieldMs`
   * between batches, so that WeChat's requests get the CPU first and a burst is received at full speed
   * (the inbox holds it), unless the rows it processes waited longer than `maxLagMs` already.
   */
  receiving?: () => boolean;
  yieldMs?: number;
  maxLagMs?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  /**
   * How often the worker links receipts that came before their send's msgid was stored (the sender
   * links them too, after storing msgids; this sweep catches a pair whose two transactions crossed).
   */
  sweepMs?: number;
}

export interface ProcessResult {
  id: number;
  route: InboxRoute;
  eventType: string;
  appid: string | null;
  state: InboxState;
  outcome: string | null;
  error: string | null;
  attempts: number;
  /** When it will be tried again (pending after a failure). */
  retryAt: Date | null;
}

type DbRow = { entry: ClaimedEntry; input: HandlerInput; handler: DbHandler };
type WeChatRow = { entry: ClaimedEntry; input: HandlerInput; handler: WeChatHandler };

class LeaseLostError extends Error {
  constructor(id: number) {
    super(`the claim on inbox row ${id} ran out before it was finished; another worker has it`);
  }
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^(ER_|SQLITE_)/.test(code) && !text.includes(code) ? `${code}: ${text}` : text;
}

const MAX_DECRYPTED = 1024 * 1024;

export class InboxProcessor {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly batchSize: number;
  private readonly workers: number;
  private readonly leaseMs: number;
  private readonly slowLeaseMs: number;
  private readonly idleMs: number;
  private readonly gatherMs: number;
  private readonly yieldMs: number;
  private readonly maxLagMs: number;
  private readonly receiving: () => boolean;
  /** When the oldest row of the last batch arrived. */
  private lastBatchFrom: Date | null = null;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly sweepMs: number;
  private lastSweep = 0;
  private seq = 0;
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  private readonly waiters = new Set<{ resolve: () => void; timer: NodeJS.Timeout }>();
  private woken = false;
  private readonly pauses = new Set<() => void>();
  /** Rows finished and failed since start, for the log and the tests. */
  readonly stats = { processed: 0, failed: 0 };

  constructor(
    private readonly deps: ProcessorDeps,
    options: ProcessorOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 100;
    this.workers = Math.max(1, options.workers ?? 1);
    this.leaseMs = options.leaseMs ?? 30_000;
    this.slowLeaseMs = options.slowLeaseMs ?? 5 * 60_000;
    this.idleMs = options.idleMs ?? 1_000;
    this.gatherMs = options.gatherMs ?? 50;
    this.yieldMs = options.yieldMs ?? 100;
    this.maxLagMs = options.maxLagMs ?? 30_000;
    this.receiving = options.receiving ?? (() => false);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    this.sweepMs = options.sweepMs ?? 5_000;
  }

  private get repo(): InboxRepository {
    return new InboxRepository(this.deps.db.knex, this.deps.db.dialect, this.deps.db);
  }

  private leaseFrom(now: Date): Date {
    return new Date(now.getTime() + this.leaseMs);
  }

  /** Starts the loop: claim due rows, process them, wait for more. */
  start(): void {
    if (this.loopDone) return;
    this.stopping = false;
    this.loopDone = Promise.all(Array.from({ length: this.workers }, (_, i) => this.loop(i))).then(() => undefined);
  }

  /** Finishes the batch in hand, then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    for (const end of [...this.pauses]) end();
    await this.loopDone;
    this.loopDone = null;
  }

  /** New rows were committed: look now rather than at the next poll. */
  wake(): void {
    if (this.waiters.size === 0) {
      this.woken = true;
      return;
    }
    for (const waiter of [...this.waiters]) {
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve();
    }
  }

  private async waitForWork(): Promise<void> {
    if (!this.woken && !this.stopping) {
      await new Promise<void>((resolve) => {
        const waiter = {
          resolve,
          timer: setTimeout(() => {
            this.waiters.delete(waiter);
            resolve();
          }, this.idleMs),
        };
        this.waiters.add(waiter);
      });
    }
    this.woken = false;
    if (this.gatherMs > 0) await this.pause(this.gatherMs);
  }

  private async loop(worker: number): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      if (worker > 0 && this.receiving() && !this.lagging()) {
        // A burst is being received: the extra workers wait, so that processing takes no more CPU
        // from the receiver than one worker yielding between its batches does.
        await this.pause(this.yieldMs);
        continue;
      }
      let claimed: number;
      try {
        claimed = await this.runOnce();
        await this.sweepWaitingReceipts();
        failures = 0;
      } catch (err) {
        // The database is away, most likely: say so, then wait longer each time (up to 30 s).
        failures++;
        const waitMs = Math.min(30_000, this.idleMs * 2 ** (failures - 1));
        this.deps.logger.error('inbox processing failed', { error: errorText(err), retry_in_ms: waitMs });
        await this.pause(waitMs);
        continue;
      }
      if (this.stopping) break;
      if (claimed === 0) await this.waitForWork();
      else if (this.receiving() && !this.lagging()) await this.pause(this.yieldMs);
      else if (claimed < this.batchSize) await this.waitForWork();
    }
  }

  /** Every `sweepMs`: receipts waiting for a msgid that has been stored since are linked to their sends. */
  private async sweepWaitingReceipts(): Promise<void> {
    const now = this.deps.clock.now();
    if (now.getTime() - this.lastSweep < this.sweepMs) return;
    this.lastSweep = now.getTime();
    await new SendRepository(this.deps.db).settleWaitingReceipts(now);
  }

  /** The last batch held rows older than maxLagMs: processing is falling behind, so it does not yield. */
  private lagging(): boolean {
    return this.lastBatchFrom !== null && this.deps.clock.now().getTime() - this.lastBatchFrom.getTime() > this.maxLagMs;
  }

  /** Waits `ms`, or less if stopped (a commit does not end it: the database is what failed). */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopping) return resolve();
      const end = () => {
        clearTimeout(timer);
        this.pauses.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.pauses.add(end);
    });
  }

  /**
   * Takes one batch of due rows and processes it; returns how many rows it took. The rows that only
   * touch the database are processed in the transaction that holds them (one commit for the batch, no
   * claim to write); rows whose handlers call WeChat are claimed in it and processed after it. If any
   * row fails, the batch is rolled back and its rows are claimed and processed one at a time.
   */
  async runOnce(): Promise<number> {
    const token = `${this.owner}/${++this.seq}`;
    const now = this.deps.clock.now();
    const { db } = this.deps;
    let taken: number[] | null = null;
    try {
      const batch = await this.repo.withDue(now, this.batchSize, async (trx, rows) => {
        taken = rows.map((r) => r.id);
        this.lastBatchFrom = rows.reduce<Date | null>((min, r) => (min === null || r.receivedAt < min ? r.receivedAt : min), null);
        const dbRows: DbRow[] = [];
        const slow: number[] = [];
        for (const entry of rows) {
          // An unreadable row fails the batch: the one-at-a-time path records it.
          const row = this.prepare({ ...entry, attempts: entry.attempts + 1 }, now);
          if (row.handler.kind === 'db') dbRows.push(row as DbRow);
          else slow.push(entry.id);
        }
        const handled = await this.runDbHandlers(trx, dbRows);
        const repo = new InboxRepository(trx, db.dialect, db);
        const finished = dbRows.map(({ entry }, i) => ({ id: entry.id, state: handled[i].state, outcome: handled[i].outcome }));
        if ((await repo.finishHeld(finished, now)) !== finished.length) throw new Error('a row of the batch changed under its lock');
        const claimed = await repo.claimIds(slow, token, now, this.leaseFrom(now));
        return { count: rows.length, dbRows, handled, claimed };
      });
      if (!batch) return 0;
      batch.dbRows.forEach(({ entry }, i) => this.succeeded(entry, batch.handled[i]));
      if (batch.claimed.length > 0) await this.processClaimed(batch.claimed, token);
      return batch.count;
    } catch (err) {
      const ids: number[] | null = taken;
      if (ids === null) throw err; // the rows could not even be read: the loop reports it
      const claimed = await this.repo.claimIds(ids, token, now, this.leaseFrom(now));
      await this.processClaimed(claimed, token);
      return (ids as number[]).length;
    }
  }

  /** Processes every due row until none is left (tests, `events` tooling). */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce();
      total += n;
      if (n === 0) break;
    }
    // Drained means the receipts are linked too, not at the next sweep.
    await new SendRepository(this.deps.db).settleWaitingReceipts(this.deps.clock.now());
    return total;
  }

  /**
   * Runs one row again whatever its state (`events replay`), unless a worker holds a live claim on it.
   * Null when there is no such row.
   */
  async replay(id: number): Promise<{ result: ProcessResult } | { heldBy: string; until: Date } | null> {
    const token = `${this.owner}/replay-${++this.seq}`;
    const now = this.deps.clock.now();
    const claim = await this.repo.claimOne(id, token, now, this.leaseFrom(now));
    if (!claim) return null;
    if (claim.held) return { heldBy: claim.entry.leaseOwner ?? 'another worker', until: claim.entry.nextAttemptAt };
    const [result] = await this.processClaimed([claim.entry], token);
    return { result: result };
  }

  private prepare(entry: ClaimedEntry, now: Date): DbRow | WeChatRow {
    const fields = parseFlatXml(entry.decryptedXml, { maxBytes: MAX_DECRYPTED });
    const input: HandlerInput = { entry, fields, componentAppid: this.deps.componentAppid, clock: this.deps.clock, now };
    const handler = handlerFor(entry.route, entry.eventType, entry.appid);
    return handler.kind === 'db' ? { entry, input, handler } : { entry, input, handler };
  }

  /** Processes rows this worker has claimed with `token`; returns their results in the order given. */
  async processClaimed(entries: readonly ClaimedEntry[], token: string): Promise<ProcessResult[]> {
    const results = new Map<number, ProcessResult>();
    const dbRows: DbRow[] = [];
    const wechatRows: WeChatRow[] = [];
    const now = this.deps.clock.now();
    for (const entry of entries) {
      let row: DbRow | WeChatRow;
      try {
        row = this.prepare(entry, now);
      } catch (err) {
        results.set(entry.id, await this.failed(entry, token, new UnprocessableEventError(`stored message unreadable: ${errorText(err)}`)));
        continue;
      }
      if (row.handler.kind === 'db') dbRows.push(row as DbRow);
      else wechatRows.push(row as WeChatRow);
    }

    for (const r of await this.processDbRows(dbRows, token)) results.set(r.id, r);

    const unstarted: number[] = [];
    for (const { entry, input, handler } of wechatRows) {
      if (this.stopping) {
        unstarted.push(entry.id);
        continue;
      }
      let result: ProcessResult;
      try {
        const now = this.deps.clock.now();
        if (!(await this.repo.extend(entry.id, token, new Date(now.getTime() + this.slowLeaseMs), now))) throw new LeaseLostError(entry.id);
        const handled = await handler.run({ db: this.deps.db, wechat: this.deps.wechat, clock: this.deps.clock }, input);
        if (!(await this.repo.finish(entry.id, token, handled.state, handled.outcome, this.deps.clock.now()))) {
          throw new LeaseLostError(entry.id);
        }
        result = this.succeeded(entry, handled);
      } catch (err) {
        result = await this.failed(entry, token, err);
      }
      results.set(entry.id, result);
    }
    if (unstarted.length > 0) {
      await this.repo.release(unstarted, token, this.deps.clock.now());
      for (const entry of wechatRows.filter((r) => unstarted.includes(r.entry.id)).map((r) => r.entry)) {
        results.set(entry.id, { ...this.base(entry), state: 'pending', outcome: null, error: 'not started: stopping', retryAt: null });
      }
    }
    return entries.map((e) => results.get(e.id)!);
  }

  /**
   * The database-only rows of a batch in one transaction (one commit); if any of them fails, the
   * transaction is rolled back and each row runs again in its own, so that one bad row does not hold
   * up the others.
   */
  private async processDbRows(rows: readonly DbRow[], token: string): Promise<ProcessResult[]> {
    if (rows.length === 0) return [];
    const { db } = this.deps;
    try {
      const handled = await writeTransaction(db, async (trx) => {
        const out = await this.runDbHandlers(trx, rows);
        const finished = rows.map(({ entry }, i) => ({ id: entry.id, state: out[i].state, outcome: out[i].outcome }));
        const changed = await new InboxRepository(trx, db.dialect).finishMany(token, finished, rows[0].input.now);
        if (changed !== rows.length) {
          if (rows.length === 1) throw new LeaseLostError(rows[0].entry.id);
          throw new Error('a claim in the batch was lost');
        }
        return out;
      });
      return rows.map(({ entry }, i) => this.succeeded(entry, handled[i]));
    } catch (err) {
      if (rows.length > 1) {
        const results: ProcessResult[] = [];
        for (const row of rows) results.push(...(await this.processDbRows([row], token)));
        return results;
      }
      return [await this.failed(rows[0].entry, token, err)];
    }
  }

  /** Runs the handlers of database-only rows in `trx`, a run of rows of one type together where it can. */
  private async runDbHandlers(trx: Knex.Transaction, rows: readonly DbRow[]): Promise<Handled[]> {
    const out: Handled[] = [];
    for (let i = 0; i < rows.length; ) {
      const { handler } = rows[i];
      if (handler.runMany) {
        let j = i + 1;
        while (j < rows.length && rows[j].handler === handler) j++;
        out.push(...(await handler.runMany(trx, this.deps.db.dialect, rows.slice(i, j).map((r) => r.input))));
        i = j;
      } else {
        out.push(await handler.run(trx, this.deps.db.dialect, rows[i].input));
        i++;
      }
    }
    return out;
  }

  private base(entry: ClaimedEntry) {
    return { id: entry.id, route: entry.route, eventType: entry.eventType, appid: entry.appid, attempts: entry.attempts };
  }

  private succeeded(entry: ClaimedEntry, handled: Handled): ProcessResult {
    this.stats.processed++;
    const fields = { id: entry.id, type: entry.eventType, appid: entry.appid ?? undefined, state: handled.state, outcome: handled.outcome };
    // Authorization events are rare and matter; account events come by the thousand.
    if (entry.route === 'component') this.deps.logger.info('processed', fields);
    else this.deps.logger.debug('processed', fields);
    return { ...this.base(entry), state: handled.state, outcome: handled.outcome, error: null, retryAt: null };
  }

  private async failed(entry: ClaimedEntry, token: string, err: unknown): Promise<ProcessResult> {
    this.stats.failed++;
    const error = errorText(err);
    const now = this.deps.clock.now();
    if (err instanceof LeaseLostError) {
      this.deps.logger.warn('processing abandoned', { id: entry.id, type: entry.eventType, error });
      return { ...this.base(entry), state: 'pending', outcome: null, error, retryAt: null };
    }
    const retryAt = err instanceof UnprocessableEventError ? null : nextAttemptAt(this.backoff, entry.attempts, now, this.random);
    try {
      await this.repo.fail(entry.id, token, error, retryAt, now);
    } catch (writeErr) {
      // The row stays claimed; it is due again when the lease runs out.
      this.deps.logger.error('could not record a processing failure', { id: entry.id, error: errorText(writeErr) });
    }
    this.deps.logger.warn('processing failed', {
      id: entry.id,
      type: entry.eventType,
      appid: entry.appid ?? undefined,
      attempt: entry.attempts,
      retry: retryAt ? retryAt.toISOString() : 'no (failed)',
      error,
    });
    return { ...this.base(entry), state: retryAt ? 'pending' : 'failed', outcome: null, error, retryAt };
  }
}
