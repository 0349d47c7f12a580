// wxplat_waiting_receipts: receipts that came before their send's msgid was stored (migration 20261128000500). The receiver
// parks them; the sender, after storing msgids, and the inbox processor, every few seconds, settle whatever
// now matches. Both sides running the match means no interleaving of the two transactions can leave
// a pair unlinked for good. Receipts for messages wxplat did not send are dropped after two days.
import type { Knex } from 'knex';
import type { DeliveryState } from '../rows.js';
import { toSqlDateTime } from '../time.js';

const WAITING = 'wxplat_waiting_receipts';
const KEEP_MS = 2 * 24 * 3600_000;

export interface WaitingReceipt {
  receiptRecordId: number;
  msgid: string;
  officialAccountId: number | null;
  /** The receipt's Status text, and the delivery state it settles. */
  status: string;
  state: DeliveryState;
}

export async function parkReceipts(trx: Knex, receipts: readonly WaitingReceipt[], now: Date): Promise<void> {
  if (receipts.length === 0) return;
  await trx(WAITING)
    .insert(
      receipts.map((r) => ({
        receipt_record_id: r.receiptRecordId,
        msgid: r.msgid,
        official_account_id: r.officialAccountId,
        status: r.status.slice(0, 64),
        state: r.state,
        received_at: toSqlDateTime(now),
      })),
    )
    .onConflict('receipt_record_id')
    .ignore();
}

/**
 * Links waiting receipts to sends that now have their msgid: all of them, or those of the given msgids.
 * Returns how many were settled.
 */
export async function settleWaitingReceipts(trx: Knex, now: Date, msgids?: readonly string[]): Promise<number> {
  const q = trx(`${WAITING} as w`)
    .join('wxplat_send_deliveries as d', 'd.msgid', 'w.msgid')
    .select('w.receipt_record_id', 'w.status', 'w.state', 'w.official_account_id as account', 'd.send_record_id', 'd.official_account_id as sendAccount')
    .limit(1000);
  if (msgids) {
    if (msgids.length === 0) return 0;
    q.whereIn('w.msgid', msgids as string[]);
  }
  const matches = (await q) as Array<{ receipt_record_id: number; status: string; state: DeliveryState; account: number | null; send_record_id: number; sendAccount: number }>;
  const stamp = toSqlDateTime(now);
  let settled = 0;
  for (const m of matches) {
    if (m.account !== null && Number(m.account) !== Number(m.sendAccount)) continue;
    await trx('wxplat_send_deliveries').where('send_record_id', m.send_record_id).update({
      state: m.state,
      receipt_status: m.status,
      receipt_record_id: m.receipt_record_id,
      receipt_at: stamp,
      updated_at: stamp,
    });
    await trx(WAITING).where('receipt_record_id', m.receipt_record_id).delete();
    settled++;
  }
  if (!msgids) await trx(WAITING).where('received_at', '<', toSqlDateTime(new Date(now.getTime() - KEEP_MS))).delete();
  return settled;
}
