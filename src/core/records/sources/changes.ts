// Following a table as a log of changes ordered by updated_at (send rows, inbox rows): a row is
// printed each time it is seen in a new state, so a send that later becomes `delivered` appears again
// with that state.
//
// updated_at has whole seconds and is stamped before the writing transaction commits, so a row may
// become visible with a time the tail has already passed. Each poll therefore reads again the keys (id,
// state, updated_at) of the last OVERLAP and prints only keys it has not printed; remembered keys are
// forgotten once they fall out of that window. Full rows are read only for new keys.
import type { ChangeFilter, ChangeKey } from '../../../db/repositories/records.js';
import type { SqlDateTime } from '../../../db/rows.js';
import { fromSqlDateTime, toSqlDateTime } from '../../../db/time.js';
import type { TailRecord } from '../record.js';
import type { Bound, Source } from './source.js';

/** How far back each poll looks again for rows committed late. Writers' clocks must agree within this. */
export const OVERLAP_MS = 5_000;
/** Keys read per query. */
const PAGE = 5_000;
/** Keys taken in one poll per state; the rest waits for the next poll. */
const MAX_KEYS_PER_POLL = 50_000;
const EPOCH: SqlDateTime = '1970-01-01 00:00:00';

export interface ChangeTable<Row> {
  latest(f: ChangeFilter, limit: number): Promise<Row[]>;
  keys(f: ChangeFilter, limit: number): Promise<ChangeKey[]>;
  byIds(ids: readonly number[]): Promise<Row[]>;
  /** When a row the filter could match last changed (places the window at the start). */
  newest(f: ChangeFilter): Promise<SqlDateTime | null>;
  keyOf(row: Row): ChangeKey;
  /** Whether the row, read again by id, still passes the filter it was found by. */
  stillMatches(row: Row, f: ChangeFilter): boolean;
  toRecords(rows: Row[]): Promise<TailRecord[]>;
}

const keyString = (k: ChangeKey): string => `${k.id}|${k.state}|${k.updatedAt}`;

function minus(time: SqlDateTime, ms: number): SqlDateTime {
  const d = fromSqlDateTime(time)!;
  return toSqlDateTime(new Date(Math.max(0, d.getTime() - ms)));
}

export class ChangeLogSource<Row> implements Source {
  /** Printed (or primed) keys still inside the overlap window → their updated_at. */
  private readonly seen = new Map<string, SqlDateTime>();
  private since: SqlDateTime = EPOCH;
  private newestSeen: SqlDateTime = EPOCH;

  constructor(
    private readonly table: ChangeTable<Row>,
    /** The rows shown, as one or more filters (account and retrying conditions included). */
    private readonly filters: readonly ChangeFilter[],
    private readonly bound: Bound,
  ) {}

  async prime(): Promise<void> {
    let newest: SqlDateTime | null = null;
    for (const f of this.filters) {
      const t = await this.table.newest(f);
      if (t !== null && (newest === null || t > newest)) newest = t;
    }
    // An empty table: everything that appears is new.
    if (newest === null) return;
    this.newestSeen = newest;
    this.since = minus(newest, OVERLAP_MS);
    for (const key of await this.readKeys()) this.seen.set(keyString(key), key.updatedAt);
  }

  async latest(limit: number): Promise<TailRecord[]> {
    const rows: Row[] = [];
    for (const f of this.filters) rows.push(...(await this.table.latest({ ...f, since: this.bound.since, after: this.bound.after }, limit)));
    for (const row of rows) this.remember(this.table.keyOf(row));
    return this.table.toRecords(rows);
  }

  async poll(): Promise<TailRecord[]> {
    const keys = await this.readKeys();
    const fresh = keys.filter((k) => !this.seen.has(keyString(k)));
    for (const k of keys) this.remember(k);
    if (fresh.length === 0) {
      this.slide();
      return [];
    }
    // Read again by id: the row may have moved on meanwhile; it is shown as it is now.
    const rows = await this.table.byIds([...new Set(fresh.map((k) => k.id))]);
    const shown: Row[] = [];
    for (const row of rows) {
      this.remember(this.table.keyOf(row));
      if (this.filters.some((f) => this.table.stillMatches(row, f))) shown.push(row);
    }
    this.slide();
    return this.table.toRecords(shown);
  }

  /** Every key changed since `since`, for each filter, page by page. */
  private async readKeys(): Promise<ChangeKey[]> {
    const all: ChangeKey[] = [];
    let cutoff: SqlDateTime | null = null;
    for (const f of this.filters) {
      let after: ChangeFilter['after'];
      let taken = 0;
      for (;;) {
        const page = await this.table.keys({ ...f, since: this.since, after }, PAGE);
        all.push(...page);
        taken += page.length;
        if (page.length < PAGE) break;
        const last = page[page.length - 1];
        if (taken >= MAX_KEYS_PER_POLL) {
          // The window moves no further than what this filter was read up to.
          if (cutoff === null || last.updatedAt < cutoff) cutoff = last.updatedAt;
          break;
        }
        after = { time: last.updatedAt, id: last.id };
      }
    }
    let newest = this.newestSeen;
    for (const k of all) if (k.updatedAt > newest) newest = k.updatedAt;
    this.newestSeen = cutoff !== null && cutoff < newest ? cutoff : newest;
    return all;
  }

  private remember(key: ChangeKey): void {
    this.seen.set(keyString(key), key.updatedAt);
  }

  /** Moves the window to just behind the newest change seen and forgets keys that fell out of it. */
  private slide(): void {
    if (this.newestSeen === EPOCH) return;
    const since = minus(this.newestSeen, OVERLAP_MS);
    if (since > this.since) this.since = since;
    for (const [key, time] of this.seen) if (time < this.since) this.seen.delete(key);
  }

  /** How many keys are remembered (bounded by the overlap window). */
  get remembered(): number {
    return this.seen.size;
  }
}
