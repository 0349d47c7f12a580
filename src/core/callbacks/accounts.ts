// Which accounts the receiver takes pushes for. A push on `/wechat/accounts/:appid` is stored only when
// that appid is an authorized account (status 1) and the signed message's ToUserName is that account's
// original id: the URL's appid is not covered by any signature, so without the second check a genuine
// push for one account could be posted again under another account's URL.
//
// Looked up in the database once and then kept in memory: a found account for a minute (an original id
// never changes, and a revoked account's genuine pushes arriving a little longer are harmless), a
// missing one for a few seconds (an account authorized on another host is soon seen). The cache is
// bounded, so that a flood of made-up appids cannot grow it without end.
import type { Clock } from '../../clock.js';

export interface CallbackAccount {
  appid: string;
  /** The account's original id (gh_…): the ToUserName of every push for it. Null when not on record. */
  originalId: string | null;
}

/** Finds an authorized account by appid (null when there is none, or it is no longer authorized). */
export type AccountLookup = (appid: string) => Promise<CallbackAccount | null>;

export interface CallbackAccountsOptions {
  foundTtlMs?: number;
  missingTtlMs?: number;
  maxEntries?: number;
}

interface Entry {
  value: CallbackAccount | null;
  until: number;
}

export class CallbackAccounts {
  private readonly cache = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<CallbackAccount | null>>();
  private readonly foundTtlMs: number;
  private readonly missingTtlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly lookup: AccountLookup,
    private readonly clock: Clock,
    options: CallbackAccountsOptions = {},
  ) {
    this.foundTtlMs = options.foundTtlMs ?? 60_000;
    this.missingTtlMs = options.missingTtlMs ?? 5_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** The authorized account with this appid, or null. A database error is thrown (nothing is cached). */
  get(appid: string): Promise<CallbackAccount | null> | CallbackAccount | null {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(appid);
    if (hit && hit.until > now) return hit.value;
    const inFlight = this.pending.get(appid);
    if (inFlight) return inFlight;
    const p = this.lookup(appid).then(
      (value) => {
        this.pending.delete(appid);
        this.remember(appid, value, now);
        return value;
      },
      (err: unknown) => {
        this.pending.delete(appid);
        throw err;
      },
    );
    this.pending.set(appid, p);
    return p;
  }

  private remember(appid: string, value: CallbackAccount | null, now: number): void {
    this.cache.delete(appid);
    if (this.cache.size >= this.maxEntries) {
      // The oldest entry goes first (a Map keeps insertion order).
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(appid, { value, until: now + (value ? this.foundTtlMs : this.missingTtlMs) });
  }
}
