// Injected trouble: added latency, a share of API calls answered -1 (system error), and send quota
// exhausted for one account or all. The rate decisions come from their own seeded stream, so a seed
// reproduces which calls fail.
import { SandboxError } from './errors.js';
import type { Random } from './random.js';

export interface FaultSettings {
  /** Added to every API answer, in ms. */
  latencyMs: number;
  /** 0 to 1: the share of API calls answered {"errcode":-1,"errmsg":"system error"}. */
  errorRate: number;
  /** An appid whose sends get 45009, or true for every account. */
  quotaExhausted: string | boolean;
}

export interface FaultChange {
  latencyMs?: number;
  errorRate?: number;
  quotaExhausted?: string | boolean | null;
  /** Kill this account's access token now (or the component token, given the component appid). */
  revokeToken?: string;
}

export class Faults {
  #settings: FaultSettings;
  readonly #initialLatency: number;

  constructor(
    private readonly random: Random,
    latencyMs: number,
  ) {
    this.#initialLatency = latencyMs;
    this.#settings = { latencyMs, errorRate: 0, quotaExhausted: false };
  }

  get settings(): FaultSettings {
    return { ...this.#settings };
  }

  get latencyMs(): number {
    return this.#settings.latencyMs;
  }

  /** Merges `change` (revokeToken is an action, handled by the caller). */
  set(change: FaultChange): FaultSettings {
    const next = { ...this.#settings };
    if (change.latencyMs !== undefined) {
      if (typeof change.latencyMs !== 'number' || !Number.isFinite(change.latencyMs) || change.latencyMs < 0) {
        throw new SandboxError('latencyMs must be a number of milliseconds, 0 or more');
      }
      next.latencyMs = change.latencyMs;
    }
    if (change.errorRate !== undefined) {
      if (typeof change.errorRate !== 'number' || !(change.errorRate >= 0 && change.errorRate <= 1)) {
        throw new SandboxError('errorRate must be a number from 0 to 1');
      }
      next.errorRate = change.errorRate;
    }
    if (change.quotaExhausted !== undefined) {
      const q = change.quotaExhausted;
      if (q !== null && typeof q !== 'boolean' && typeof q !== 'string') {
        throw new SandboxError('quotaExhausted must be an appid, true, or false');
      }
      next.quotaExhausted = q ?? false;
    }
    this.#settings = next;
    return this.settings;
  }

  clear(): FaultSettings {
    this.#settings = { latencyMs: this.#initialLatency, errorRate: 0, quotaExhausted: false };
    return this.settings;
  }

  /** Whether this API call is to be answered -1. */
  failNow(): boolean {
    const rate = this.#settings.errorRate;
    return rate > 0 && (rate >= 1 || this.random.next() < rate);
  }

  quotaExhaustedFor(appid: string): boolean {
    const q = this.#settings.quotaExhausted;
    return q === true || q === appid;
  }
}
