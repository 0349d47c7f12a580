// The retry policy, in one place (DESIGN §3):
//   token-invalid → expire exactly the token that was refused, get a fresh one, retry once;
//   transient     → exponential backoff with full jitter, a bounded number of times;
//   quota, permanent → no retry.
import { WeChatError } from './errors.js';

export interface RetryPolicy {
  /** Retries after the first attempt for transient failures. */
  transientRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** WeChat's "calls too frequent" (45011) wants a longer pause. */
  frequencyDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  transientRetries: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  frequencyDelayMs: 5_000,
};

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Full jitter: a random delay up to the exponential cap, so that retrying workers spread out. */
export function backoffDelay(policy: RetryPolicy, retry: number, err: WeChatError, random: () => number = Math.random): number {
  const floor = err.errcode === 45011 ? policy.frequencyDelayMs : 0;
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return floor + Math.floor(random() * cap);
}

/** A token the call needs, and how to throw it away when WeChat refuses it. */
export interface TokenSource {
  get(): Promise<string>;
  expire(token: string): Promise<void>;
}

export interface CallOptions {
  policy?: RetryPolicy;
  sleep?: Sleep;
  /** Whether transient failures are retried at all (default yes). */
  retryTransient?: boolean;
  /**
   * Whether repeating the call is harmless. When it is not (adding a template; a send without
   * client_msg_id), only failures WeChat itself reported (-1, 45011) are retried: after a timeout or a
   * dropped connection the call may have taken effect.
   */
  idempotent?: boolean;
  onRetry?: (err: WeChatError, retry: number, delayMs: number) => void;
}

export async function callWithPolicy<T>(
  call: (token: string) => Promise<T>,
  tokens: TokenSource | null,
  options: CallOptions = {},
): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const sleep = options.sleep ?? realSleep;
  let refreshedOnce = false;
  let transientRetries = 0;
  for (;;) {
    const token = tokens ? await tokens.get() : '';
    try {
      return await call(token);
    } catch (err) {
      if (!(err instanceof WeChatError)) throw err;
      if (err.errorClass === 'token-invalid' && tokens && !refreshedOnce) {
        refreshedOnce = true;
        await tokens.expire(token);
        continue;
      }
      const mayRepeat = options.idempotent !== false || err.errcode !== null;
      if (
        err.errorClass === 'transient' &&
        options.retryTransient !== false &&
        mayRepeat &&
        transientRetries < policy.transientRetries
      ) {
        const delay = backoffDelay(policy, transientRetries, err);
        options.onRetry?.(err, transientRetries + 1, delay);
        transientRetries++;
        await sleep(delay);
        continue;
      }
      throw err;
    }
  }
}
