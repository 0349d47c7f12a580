// Injected trouble: added latency, a share of API calls answered -1 (system error), and send quota
// exhausted for one account or all, an account's refresh token refused. The rate decisions come from their own seeded stream, so a seed
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
  /**
   * An appid whose refresh token api_authorizer_token refuses (61023), as after the admin withdrew the
   * authorization and api_get_authorizer_list has not caught up.
   */
  refuseRefreshToken: string | null;
}

export interface FaultChange {
  latencyMs?: number;
  errorRate?: number;
  quotaExhausted?: string | boolean | null;
  refuseRefreshToken?: string | null;
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
    this.#settings = { latencyMs, errorRate: 0, quotaExhausted: false, refuseRefreshToken: null };
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
    if (change.refuseRefreshToken !== undefined) {
      const r = change.refuseRefreshToken;
      if (r !== null && typeof r !== 'string') throw new SandboxError('refuseRefreshToken must be an appid, or null');
      next.refuseRefreshToken = r;
    }
    this.#settings = next;
    return this.settings;
  }

  clear(): FaultSettings {
    this.#settings = { latencyMs: this.#initialLatency, errorRate: 0, quotaExhausted: false, refuseRefreshToken: null };
    return this.settings;
  }

  /** Whether this API call is to be answered -1. */
  failNow(): boolean {
    const rate = this.#settings.errorRate;
    return rate > 0 && (rate >= 1 || this.random.next() < rate);
  }

  refusesRefreshToken(appid: unknown): boolean {
    return this.#settings.refuseRefreshToken !== null && this.#settings.refuseRefreshToken === appid;
  }

  quotaExhaustedFor(appid: string): boolean {
    const q = this.#settings.quotaExhausted;
    return q === true || q === appid;
  }
}
