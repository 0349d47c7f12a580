// wechat_message_receipt_records and what a receipt settles: the rows TEMPLATESENDJOBFINISH writes, in
// the caller's transaction.
import type { Knex } from 'knex';
import { insertWithIds } from '../insert-ids.js';
import type { DeliveryState, OfficialAccountRow, SendDeliveryRow } from '../rows.js';
import { isMysql } from '../schema/extension.js';

const RECEIPTS = 'wechat_message_receipt_records';
const DELIVERIES = 'wxplat_send_deliveries';

export interface ReceiptRecordRow extends Record<string, unknown> {
  appid: string;
  to_user_name: string;
  from_user_name: string;
  create_time: string | null;
  msg_type: string;
  event: string;
  content: string;
  msg_id: string;
  status: number;
  created_at: string;
}

export class ReceiptRepository {
  constructor(private readonly trx: Knex) {}

  /** The account id of each appid (the lowest id where two rows share one). */
  async accountIds(appids: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const rows = await this.trx<OfficialAccountRow>('official_accounts')
      .select('official_account_id', 'appid')
      .whereIn('appid', appids)
      .orderBy('official_account_id');
    for (const row of rows) if (row.appid !== null && !out.has(row.appid)) out.set(row.appid, Number(row.official_account_id));
    return out;
  }

  /** The deliveries that carry these msgids. */
  deliveriesByMsgid(msgIds: readonly string[]): Promise<Array<Pick<SendDeliveryRow, 'send_record_id' | 'official_account_id' | 'msgid'>>> {
    return this.trx<SendDeliveryRow>(DELIVERIES).select('send_record_id', 'official_account_id', 'msgid').whereIn('msgid', msgIds).orderBy('send_record_id');
  }

  /** Receipt rows, their ids in order. */
  insert(rows: readonly ReceiptRecordRow[]): Promise<number[]> {
    return insertWithIds(this.trx, isMysql(this.trx) ? 'mysql' : 'sqlite', rows, { table: RECEIPTS, idColumn: 'wechat_message_receipt_record_id', key: ['msg_id', 'from_user_name'] });
  }

  /** The delivery's state as its receipt says. */
  async settleDelivery(sendRecordId: number, settled: { state: DeliveryState; receiptStatus: string; receiptRecordId: number; stamp: string }): Promise<void> {
    await this.trx(DELIVERIES).where('send_record_id', sendRecordId).update({
      state: settled.state,
      receipt_status: settled.receiptStatus.slice(0, 64),
      receipt_record_id: settled.receiptRecordId,
      receipt_at: settled.stamp,
      updated_at: settled.stamp,
    });
  }
}
