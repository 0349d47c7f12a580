// Group commit for the inbox. Requests that arrive together are stored by one multi-row INSERT — one
// commit — and each is answered only once that commit is done. While a batch is being written the next
// one gathers, so a busy receiver writes big batches and an idle one writes single rows at once.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { InboxRepository, NewInboxEntry, StoredEntry } from '../../db/repositories/inbox.js';

export interface InboxWriterOptions {
  repo: InboxRepository;
  clock: Clock;
  /** Most rows in one INSERT. */
  maxBatch?: number;
  /** Batches written at the same time (1 on SQLite, a few on MySQL, whose commits overlap). */
  concurrency?: number;
  /** Called after each committed batch (the processor wakes up). */
  onCommit?: (stored: number) => void;
}

/** A lock conflict with another writer (another process on the same database). */
const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY']);

/**
 * The database refused a value of some row (SQLSTATE class 22, data exception; 23, integrity) rather
 * than the batch as a whole: the batch is split so that one bad row fails alone.
 */
function refusedARow(err: unknown): boolean {
  const e = err as { sqlState?: string; code?: string };
  if (typeof e.sqlState === 'string') return e.sqlState.startsWith('22') || e.sqlState.startsWith('23');
  return typeof e.code === 'string' && /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(e.code);
}

interface Waiting {
  entry: NewInboxEntry;
  resolve: (stored: StoredEntry) => void;
  reject: (err: unknown) => void;
}

export class InboxWriter {
  private queue: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;
  private seq = 0;
  private readonly prefix = randomBytes(6).toString('hex');
  private readonly maxBatch: number;
  private readonly concurrency: number;
  private idle: Array<() => void> = [];
  /** Batches and rows written, for the log and the tests. */
  readonly stats = { batches: 0, rows: 0, largestBatch: 0 };

  constructor(private readonly o: InboxWriterOptions) {
    this.maxBatch = o.maxBatch ?? 500;
    this.concurrency = o.concurrency ?? 1;
  }

  /** Resolves once the entry is committed (or was already in the inbox). */
  submit(entry: NewInboxEntry): Promise<StoredEntry> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Everything that arrives in this turn of the event loop joins the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        if (this.queue.length > 0) this.pump();
        else if (this.inFlight === 0) for (const done of this.idle.splice(0)) done();
      });
    }
  }

  private async write(batch: Waiting[]): Promise<void> {
    const tag = `${this.prefix}-${++this.seq}`;
    try {
      const entries = batch.map((w) => w.entry);
      let stored: StoredEntry[];
      for (let attempt = 1; ; attempt++) {
        try {
          stored = await this.o.repo.store(entries, tag, this.o.clock.now());
          break;
        } catch (err) {
          if (batch.length > 1 && refusedARow(err)) {
            // One row's value was refused: the others must not fail with it. Halves, until the bad one is alone.
            const half = Math.ceil(batch.length / 2);
            await this.write(batch.slice(0, half));
            await this.write(batch.slice(half));
            return;
          }
          // Storing is idempotent (the dedupe key), so a batch that lost a lock race is simply stored again.
          if (attempt >= 3 || !RETRYABLE.has((err as { code?: string }).code ?? '')) throw err;
        }
      }
      this.stats.batches++;
      this.stats.rows += batch.length;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
      batch.forEach((w, i) => w.resolve(stored[i]));
      if (stored.some((s) => !s.duplicate)) this.o.onCommit?.(stored.length);
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }

  /** Resolves when everything submitted so far is written (or failed). */
  drain(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}
