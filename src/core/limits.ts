// The bounds of every number an operator gives on the command line, in one place: core checks
// against them, and the command layer parses flags with them (commands/define.ts), so that a help
// page, a parse error and core never disagree. Constants only: the command-line front loads this.

export interface IntLimits {
  readonly min: number;
  readonly max: number;
  /** What an absent flag means; absent here: the flag is optional and has no number of its own. */
  readonly default?: number;
}

export const LIMITS = {
  send: {
    concurrency: { min: 1, max: 512, default: 16 },
    rate: { min: 1, max: 100_000 },
    leaseSeconds: { min: 1, max: 3600 },
  },
  followers: {
    syncConcurrency: { min: 1, max: 64, default: 8 },
    listLimit: { min: 1, max: 10_000, default: 100 },
  },
  records: {
    tailLimit: { min: 0, max: 100_000, default: 50 },
  },
  /** Seconds `db migrate`/`db rollback` wait for another run's lock. */
  migrationWait: { min: 0, max: 86_400, default: 600 },
  /** Seconds `platform ticket restart --wait` waits for the new ticket. */
  ticketWait: { min: 1, max: 3600 },
  port: { min: 0, max: 65_535 },
  /** Inbox batches `serve` writes at once (bench/serve compares them; 1 on SQLite whatever is asked). */
  writeConcurrency: { min: 1, max: 64 },
  sandbox: {
    ticketIntervalSeconds: { min: 0, max: 86_400, default: 600 },
    latencyMs: { min: 0, max: 60_000, default: 0 },
    followers: { min: 0, max: 10_000_000, default: 100 },
  },
  demoFollowers: { min: 10, max: 1_000_000, default: 300 },
  /** An inbox row id (`events replay`). */
  rowId: { min: 1, max: 999_999_999_999_999 },
} as const satisfies Record<string, IntLimits | Record<string, IntLimits>>;
