// What the tail asks of each kind of record.
import type { SqlDateTime } from '../../../db/rows.js';
import type { TailRecord } from '../record.js';

export interface Source {
  /**
   * Remembers what exists now, so that poll() returns only what comes after. Called before latest()
   * when following, so that a row changing in between is printed once, not lost.
   */
  prime(): Promise<void>;
  /** The newest `limit` records inside the bound, in any order. */
  latest(limit: number): Promise<TailRecord[]>;
  /** What is new since the last call (or since prime()). */
  poll(): Promise<TailRecord[]>;
}

/** Where a tail starts: a time, or just after one record of this source's own kind. */
export interface Bound {
  since?: SqlDateTime;
  after?: { time: SqlDateTime; id: number };
}
