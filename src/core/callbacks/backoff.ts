// When a row whose processing failed is tried again: exponential backoff with jitter, capped, and a
// last attempt after which the row is `failed` (an operator can still run it with `events replay`).

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** Attempts (the first included) before a row is left `failed`. */
  maxAttempts: number;
}

/** 10 s, 20 s, 40 s … capped at 1 h; 15 attempts span about six hours. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 10_000, maxMs: 3_600_000, maxAttempts: 15 };

/** When to try again after `attempts` failed attempts, or null when that was the last one. */
export function nextAttemptAt(
  policy: BackoffPolicy,
  attempts: number,
  now: Date,
  random: () => number = Math.random,
): Date | null {
  if (attempts >= policy.maxAttempts) return null;
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  // ±20 %: workers that failed together do not come back together.
  const delay = cap * (0.8 + 0.4 * random());
  return new Date(now.getTime() + Math.round(delay));
}
