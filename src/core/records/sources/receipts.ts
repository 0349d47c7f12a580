// Receipts (wechat_message_receipt_records): written once, never changed, read by primary key only —
// the production table has no other index and may get none.
//
// Following is by id. An auto-increment id is taken when a row is inserted but seen only when its
// transaction commits, so a lower id can appear after a higher one (two receivers processing at once).
// Ids skipped over by a poll are kept as holes and looked up again for a while.
import type { Clock } from '../../../clock.js';
import type { ReceiptFilter, ReceiptSendRow, ReceiptTailRow, RecordsRepository } from '../../../db/repositories/records.js';
import type { AccountDirectory } from '../directory.js';
import { RECEIPT_STATUS_CODES, RECEIPT_STATUSES, type ReceiptStatus } from '../kinds.js';
import { receiptRecord, type TailRecord } from '../record.js';
import type { Bound, Source } from './source.js';

/** Ids scanned per query when a filter has to skip rows (a rare account, a rare status). */
const WINDOW = 20_000;
/** Rows read per query when following. */
const PAGE = 5_000;
/** A hole not filled by then was a rolled-back insert (or an id the server skipped). */
const HOLE_TTL_MS = 60_000;
/** At most this many ids of one gap are remembered (servers may skip whole blocks of ids). */
const MAX_NEW_HOLES = 1_000;
/** At start, ids this far below the newest are checked for holes. */
const PRIME_LOOKBACK = 200;

export interface ReceiptsOptions {
  statuses: readonly ReceiptStatus[];
  appid?: string;
  bound: Bound;
}

export class ReceiptsSource implements Source {
  private lastId: number | null = null;
  private readonly holes = new Map<number, number>();
  private readonly statusCodes: number[] | undefined;

  constructor(
    private readonly repo: RecordsRepository,
    private readonly directory: AccountDirectory,
    private readonly options: ReceiptsOptions,
    private readonly clock: Clock,
  ) {
    // All four statuses: no filter at all (a row with another status code still shows).
    this.statusCodes = options.statuses.length === RECEIPT_STATUSES.length ? undefined : options.statuses.map((s) => RECEIPT_STATUS_CODES[s]);
  }

  async prime(): Promise<void> {
    this.lastId = await this.repo.maxReceiptId();
    const from = Math.max(0, this.lastId - PRIME_LOOKBACK);
    const present = new Set((await this.repo.receipts({ above: from, upTo: this.lastId }, PRIME_LOOKBACK, 'asc')).map((r) => r.id));
    for (let id = from + 1; id < this.lastId; id++) if (!present.has(id)) this.holes.set(id, this.clock.now().getTime());
  }

  async latest(limit: number): Promise<TailRecord[]> {
    // After prime(), newer rows are poll()'s.
    const top = this.lastId ?? (await this.repo.maxReceiptId());
    const floor = await this.lowerBound();
    const filter: ReceiptFilter = { appid: this.options.appid, statuses: this.statusCodes };
    const rows: ReceiptTailRow[] = [];
    if (filter.appid === undefined && filter.statuses === undefined) {
      rows.push(...(await this.repo.receipts({ above: floor, upTo: top }, limit, 'desc')));
    } else {
      // Walk down the primary key in windows, so that no single statement scans the whole table.
      for (let upTo = top; upTo > floor && rows.length < limit; upTo -= WINDOW) {
        const above = Math.max(floor, upTo - WINDOW);
        rows.push(...(await this.repo.receipts({ ...filter, above, upTo }, limit - rows.length, 'desc')));
      }
    }
    return this.toRecords(rows);
  }

  async poll(): Promise<TailRecord[]> {
    if (this.lastId === null) await this.prime();
    const now = this.clock.now().getTime();
    const top = await this.repo.maxReceiptId();
    const rows: ReceiptTailRow[] = [];
    if (this.holes.size > 0) {
      const filled = await this.repo.receiptsByIds([...this.holes.keys()]);
      for (const r of filled) this.holes.delete(r.id);
      rows.push(...filled);
      for (const [id, since] of this.holes) if (now - since > HOLE_TTL_MS) this.holes.delete(id);
    }
    let from = this.lastId!;
    while (from < top) {
      // Unfiltered, so that a missing id is known to be a hole rather than another account's row.
      const page = await this.repo.receipts({ above: from, upTo: top }, PAGE, 'asc');
      let expected = from + 1;
      let newHoles = 0;
      for (const r of page) {
        for (; expected < r.id && newHoles < MAX_NEW_HOLES; expected++, newHoles++) this.holes.set(expected, now);
        expected = r.id + 1;
      }
      rows.push(...page);
      if (page.length < PAGE) {
        for (; expected <= top && newHoles < MAX_NEW_HOLES; expected++, newHoles++) this.holes.set(expected, now);
        from = top;
      } else {
        from = page[page.length - 1].id;
      }
    }
    this.lastId = Math.max(this.lastId!, top);
    return this.toRecords(rows.filter((r) => this.matches(r)));
  }

  private matches(r: ReceiptTailRow): boolean {
    if (this.options.appid !== undefined && r.appid !== this.options.appid) return false;
    if (this.statusCodes !== undefined && !this.statusCodes.includes(Number(r.status))) return false;
    return true;
  }

  /** The id just below the first receipt inside the bound. */
  private async lowerBound(): Promise<number> {
    const { since, after } = this.options.bound;
    if (after !== undefined) return after.id;
    if (since !== undefined) return (await this.repo.receiptIdAt(since)) - 1;
    return 0;
  }

  private async toRecords(rows: ReceiptTailRow[]): Promise<TailRecord[]> {
    if (rows.length === 0) return [];
    await this.directory.ensure([], rows.map((r) => r.appid));
    const msgids = rows.map((r) => r.msg_id).filter((m): m is string => Boolean(m));
    const sends = new Map<string, ReceiptSendRow[]>();
    for (const s of msgids.length ? await this.repo.sendsByMsgid(msgids) : []) {
      const key = String(s.msgid);
      sends.set(key, [...(sends.get(key) ?? []), s]);
    }
    return rows.map((r) => {
      const accountId = this.directory.id(r.appid);
      const candidates = r.msg_id ? (sends.get(r.msg_id) ?? []) : [];
      // msgids are WeChat's, unique per account: prefer the send of the receipt's own account.
      const send = candidates.find((s) => Number(s.official_account_id) === accountId) ?? candidates[0];
      return receiptRecord(r, send, accountId);
    });
  }
}
