// TEMPLATESENDJOBFINISH → a wechat_message_receipt_records row, linked to the send with that msgid,
// whose delivery state it settles (core/receipts/record.ts), in the transaction that marks the row.
// Receipts come by the hundred: a batch of them is recorded together.
import { recordTemplateReceipts, type TemplateReceipt } from '../../receipts/record.js';
import { messageTimeOf } from '../message.js';
import { UnprocessableEventError, required, type DbHandler, type HandlerInput } from './types.js';

function receiptOf({ entry, fields, now }: HandlerInput): TemplateReceipt {
  const what = 'the TEMPLATESENDJOBFINISH event';
  const msgId = (fields.MsgID ?? fields.MsgId ?? '').trim();
  if (!/^\d{1,40}$/.test(msgId)) throw new UnprocessableEventError(`${what} has no numeric MsgID`);
  return {
    appid: entry.appid ?? '',
    toUserName: fields.ToUserName?.trim() ?? '',
    fromUserName: fields.FromUserName?.trim() ?? '',
    // An implausible CreateTime (year 33658) is no time: the database would refuse the whole batch.
    createTime: (messageTimeOf(fields.CreateTime, now)?.getTime() ?? NaN) / 1000,
    msgType: fields.MsgType?.trim() ?? 'event',
    event: fields.Event?.trim() ?? 'TEMPLATESENDJOBFINISH',
    msgId,
    status: required(fields, 'Status', what),
  };
}

export const templateReceiptHandler: DbHandler = {
  kind: 'db',
  async run(trx, dialect, input) {
    return (await this.runMany!(trx, dialect, [input]))[0];
  },
  async runMany(trx, _dialect, inputs) {
    const receipts = inputs.map(receiptOf);
    const recorded = await recordTemplateReceipts(trx, receipts, inputs[0].now);
    return recorded.map((r, i) => ({
      state: 'done' as const,
      outcome: `receipt ${r.receiptId}; ${r.sendRecordId === null ? `no send with msgid ${receipts[i].msgId}` : `send ${r.sendRecordId} ${r.state}`}`,
    }));
  },
};
