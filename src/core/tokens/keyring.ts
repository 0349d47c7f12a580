// The token listener's view of the keys: the valid keys' hashes, read from the database at most a
// second before a request is checked (so a key removed on any host is refused within a second, and a
// key just added works at once: an unknown key reloads the ring first). A presented key is hashed and
// compared with every stored hash in constant time, all of them, whichever matches.
//
// When a key was last used is written at most once a minute a key, after the answer, so that it costs
// requests nothing; `token keys list` and `doctor` read it.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { TokenKeyRepository, type KeyCredential } from '../../db/repositories/token-keys.js';
import { fromSqlDateTime, toSqlDateTime } from '../../db/time.js';
import type { Logger } from '../../logger.js';

/** A key that a request presented, as the listener needs it: never the key itself. */
export interface Caller {
  id: number;
  name: string;
  /** null: every account and the component token. */
  appids: ReadonlySet<string> | null;
}

interface Entry extends Caller {
  /** SHA-256 of the key (what `hashKey` stores as hex). */
  hash: Buffer;
  /** ms: when the database last heard this key was used (or we last told it). */
  lastUsed: number;
}

export interface KeyRingOptions {
  /** The ring is read again when older than this. */
  maxAgeMs?: number;
  /** An unknown key reloads the ring, unless it was loaded less than this ago. */
  missReloadMs?: number;
  /** last_used_at is written when it is older than this. */
  touchEveryMs?: number;
}

const BEARER = /^Bearer +(\S{1,200})$/i;

export class KeyRing {
  private entries: Entry[] = [];
  private loadedAt = -Infinity;
  private loading: Promise<void> | null = null;
  private readonly pendingTouch = new Set<number>();
  private touching: Promise<void> | null = null;
  private flushScheduled = false;
  private readonly maxAgeMs: number;
  private readonly missReloadMs: number;
  private readonly touchEveryMs: number;

  constructor(
    private readonly deps: { db: Database; clock: Clock; logger: Logger },
    options: KeyRingOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 1000;
    this.missReloadMs = options.missReloadMs ?? 100;
    this.touchEveryMs = options.touchEveryMs ?? 60_000;
  }

  private now(): number {
    return this.deps.clock.now().getTime();
  }

  private reload(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const startedAt = this.now();
        const rows = await new TokenKeyRepository(this.deps.db.knex).credentials();
        this.entries = rows.map((row: KeyCredential) => ({
          id: row.id,
          name: row.name,
          appids: row.appids === null ? null : new Set(row.appids.split(',').filter(Boolean)),
          hash: Buffer.from(row.key_hash, 'hex'),
          lastUsed: fromSqlDateTime(row.last_used_at)?.getTime() ?? -Infinity,
        }));
        this.loadedAt = startedAt;
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  private match(hash: Buffer): Entry | undefined {
    let found: Entry | undefined;
    for (const entry of this.entries) {
      if (entry.hash.length === hash.length && timingSafeEqual(entry.hash, hash)) found = entry;
    }
    return found;
  }

  /** The key an Authorization header presents, or null (no header, not Bearer, or no such key). */
  async authenticate(authorization: string | undefined): Promise<Caller | null> {
    if (this.now() - this.loadedAt > this.maxAgeMs) await this.reload();
    const presented = authorization === undefined ? null : BEARER.exec(authorization)?.[1];
    if (!presented) return null;
    const hash = createHash('sha256').update(presented, 'utf8').digest();
    let entry = this.match(hash);
    if (!entry && this.now() - this.loadedAt > this.missReloadMs) {
      await this.reload();
      entry = this.match(hash);
    }
    if (!entry) return null;
    this.used(entry);
    return { id: entry.id, name: entry.name, appids: entry.appids };
  }

  private used(entry: Entry): void {
    const now = this.now();
    if (now - entry.lastUsed < this.touchEveryMs) return;
    entry.lastUsed = now;
    this.pendingTouch.add(entry.id);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  /** Writes the pending last-used times (the listener calls it on stop, too). */
  async flush(): Promise<void> {
    while (this.touching) await this.touching;
    if (this.pendingTouch.size === 0) return;
    const ids = [...this.pendingTouch];
    this.pendingTouch.clear();
    this.touching = new TokenKeyRepository(this.deps.db.knex)
      .touch(ids, toSqlDateTime(this.deps.clock.now()))
      .catch((err: unknown) => {
        this.deps.logger.warn('could not record when token keys were last used', { error: (err as { code?: string }).code ?? (err as Error).message });
      })
      .finally(() => {
        this.touching = null;
      });
    await this.touching;
  }
}
