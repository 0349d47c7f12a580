// TEMPLATESENDJOBFINISH → a wechat_message_receipt_records row, linked to the send with that msgid,
// whose delivery state it settles (core/receipts/record.ts), in the transaction that marks the row.
import { recordTemplateReceipt } from '../../receipts/record.js';
import { UnprocessableEventError, required, type DbHandler } from './types.js';

export const templateReceiptHandler: DbHandler = {
  kind: 'db',
  async run(trx, _dialect, { entry, fields, now }) {
    const what = 'the TEMPLATESENDJOBFINISH event';
    const msgId = (fields.MsgID ?? fields.MsgId ?? '').trim();
    if (!/^\d{1,40}$/.test(msgId)) throw new UnprocessableEventError(`${what} has no numeric MsgID`);
    const status = required(fields, 'Status', what);
    const recorded = await recordTemplateReceipt(
      trx,
      {
        appid: entry.appid ?? '',
        toUserName: fields.ToUserName?.trim() ?? '',
        fromUserName: fields.FromUserName?.trim() ?? '',
        createTime: Number(fields.CreateTime?.trim()),
        msgType: fields.MsgType?.trim() ?? 'event',
        event: fields.Event?.trim() ?? 'TEMPLATESENDJOBFINISH',
        msgId,
        status,
      },
      now,
    );
    const link =
      recorded.sendRecordId === null ? `no send with msgid ${msgId}` : `send ${recorded.sendRecordId} ${recorded.state}`;
    return { state: 'done', outcome: `receipt ${recorded.receiptId}; ${link}` };
  },
};
