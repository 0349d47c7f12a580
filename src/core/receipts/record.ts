// TEMPLATESENDJOBFINISH → a wechat_message_receipt_records row, linked to the send with that msgid,
// whose delivery state it settles. Runs inside the caller's transaction, so that the receipt, the
// delivery update and the inbox row's state commit together.
import type { Knex } from 'knex';
import { ReceiptRepository } from '../../db/repositories/receipts.js';
import type { DeliveryState } from '../../db/rows.js';
import { toSqlDateTime } from '../../db/time.js';
import { parkReceipts, type WaitingReceipt } from '../../db/repositories/waiting-receipts.js';

/** `wechat_message_receipt_records.status`: what the Status text says. */
export const RECEIPT_STATUS = {
  success: 1,
  userBlock: 2,
  systemFailed: 3,
  otherFailure: 4,
} as const;

export interface TemplateReceipt {
  /** The account's appid (from the callback URL). */
  appid: string;
  toUserName: string;
  fromUserName: string;
  /** Seconds since the epoch, as WeChat sends it. */
  createTime: number;
  msgType: string;
  event: string;
  /** The exact digits of MsgID. */
  msgId: string;
  status: string;
}

/** Normalised by prefix: WeChat writes `failed: system failed` with a space and has undocumented variants. */
export function classifyReceiptStatus(status: string): { code: number; state: DeliveryState } {
  const s = status.trim().toLowerCase();
  if (s === 'success') return { code: RECEIPT_STATUS.success, state: 'delivered' };
  const reason = s.replace(/^failed\s*:\s*/, '');
  if (reason === 'user block') return { code: RECEIPT_STATUS.userBlock, state: 'blocked' };
  if (reason === 'system failed') return { code: RECEIPT_STATUS.systemFailed, state: 'system-failed' };
  return { code: RECEIPT_STATUS.otherFailure, state: 'system-failed' };
}

export interface RecordedReceipt {
  receiptId: number;
  sendRecordId: number | null;
  state: DeliveryState;
}

/** One receipt: the batch below with a batch of one. */
export async function recordTemplateReceipt(trx: Knex, receipt: TemplateReceipt, now: Date): Promise<RecordedReceipt> {
  const [recorded] = await recordTemplateReceipts(trx, [receipt], now);
  return recorded;
}

/**
 * Receipts in the caller's transaction: one receipt row each, and the delivery of the send with that
 * msgid settled (or the receipt left waiting for it). The accounts and the sends are looked up once for
 * all and, where the store numbers a multi-row INSERT consecutively, the receipts inserted by one statement
 * (the callback receiver records receipts by the hundred). Results are in the order given.
 */
export async function recordTemplateReceipts(trx: Knex, receipts: readonly TemplateReceipt[], now: Date): Promise<RecordedReceipt[]> {
  if (receipts.length === 0) return [];
  const stamp = toSqlDateTime(now);
  const repo = new ReceiptRepository(trx);
  const accountOf = await repo.accountIds([...new Set(receipts.map((r) => r.appid))]);
  const deliveries = await repo.deliveriesByMsgid([...new Set(receipts.map((r) => r.msgId))]);

  const rows = receipts.map((receipt) => ({
    appid: receipt.appid.slice(0, 50),
    to_user_name: receipt.toUserName.slice(0, 50),
    from_user_name: receipt.fromUserName.slice(0, 50),
    create_time: Number.isFinite(receipt.createTime) ? toSqlDateTime(new Date(receipt.createTime * 1000)) : null,
    msg_type: receipt.msgType.slice(0, 50),
    event: receipt.event.slice(0, 50),
    content: receipt.status.slice(0, 1000),
    msg_id: receipt.msgId.slice(0, 50),
    status: classifyReceiptStatus(receipt.status).code,
    created_at: stamp,
  }));
  const ids = await repo.insert(rows);

  const out: RecordedReceipt[] = [];
  const waiting: WaitingReceipt[] = [];
  for (const [i, receipt] of receipts.entries()) {
    const { state } = classifyReceiptStatus(receipt.status);
    const receiptId = ids[i];
    const account = accountOf.get(receipt.appid);
    const delivery = deliveries.find(
      (d) => d.msgid === receipt.msgId && (account === undefined || Number(d.official_account_id) === account),
    );
    if (!delivery) {
      waiting.push({ receiptRecordId: receiptId, msgid: receipt.msgId, officialAccountId: account ?? null, status: receipt.status, state });
      out.push({ receiptId, sendRecordId: null, state });
      continue;
    }
    await repo.settleDelivery(Number(delivery.send_record_id), { state, receiptStatus: receipt.status, receiptRecordId: receiptId, stamp });
    out.push({ receiptId, sendRecordId: Number(delivery.send_record_id), state });
  }
  // Earlier receipts whose sends have stored their msgids since are linked by the processor's sweep
  // (every few seconds), not here: a sweep after every batch cost more than the batch's own writes.
  await parkReceipts(trx, waiting, now);
  return out;
}
