// official_account_id ↔ appid for the tail's lines: sends know the id, receipts and inbox rows the
// appid. Loaded once, and again when a row names an account that was authorized since.
import type { Database } from '../../db/database.js';
import { AccountRepository } from '../../db/repositories/accounts.js';

export class AccountDirectory {
  private byId = new Map<number, string | null>();
  private byAppid = new Map<string, number>();
  private loaded = false;
  private readonly missedIds = new Set<number>();
  private readonly missedAppids = new Set<string>();

  constructor(private readonly db: Database) {}

  async load(): Promise<void> {
    const rows = await new AccountRepository(this.db.knex).list(true);
    this.byId = new Map(rows.map((r) => [Number(r.official_account_id), r.appid]));
    // Production may hold a removed duplicate of an appid: the valid, then the oldest row names it.
    this.byAppid = new Map();
    for (const r of [...rows].sort((a, b) => Number(b.status === 1) - Number(a.status === 1) || a.official_account_id - b.official_account_id)) {
      if (r.appid && !this.byAppid.has(r.appid)) this.byAppid.set(r.appid, Number(r.official_account_id));
    }
    this.loaded = true;
  }

  /**
   * Reloads when one of these is not known yet; a name still unknown after that (a receipt for an
   * account this platform never had) does not cause another reload.
   */
  async ensure(ids: Iterable<number>, appids: Iterable<string | null>): Promise<void> {
    const newIds = [...ids].filter((id) => !this.byId.has(id) && !this.missedIds.has(id));
    const newAppids = [...appids].filter((a): a is string => Boolean(a) && !this.byAppid.has(a!) && !this.missedAppids.has(a!));
    if (this.loaded && newIds.length === 0 && newAppids.length === 0) return;
    await this.load();
    for (const id of newIds) if (!this.byId.has(id)) this.missedIds.add(id);
    for (const a of newAppids) if (!this.byAppid.has(a)) this.missedAppids.add(a);
  }

  appid(id: number): string | null {
    return this.byId.get(id) ?? null;
  }

  id(appid: string | null): number | null {
    return appid ? (this.byAppid.get(appid) ?? null) : null;
  }
}
