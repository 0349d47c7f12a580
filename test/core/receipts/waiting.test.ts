// A receipt can come back before the sender has stored its msgid: it waits, and is linked when the
// msgid is stored (and, the other way round, a receipt after the msgid links at once).
import t from 'tap';
import { recordTemplateReceipts } from '../../../src/core/receipts/record.js';
import { InboxProcessor } from '../../../src/core/callbacks/processor.js';
import type { Database } from '../../../src/db/database.js';
import { SendRepository } from '../../../src/db/repositories/sends.js';
import { systemClock } from '../../../src/clock.js';
import { eachDatabase, openTestDatabase } from '../../helpers/databases.js';
import { memoryLogger, until } from '../callbacks/helpers.js';

/** Account 7 and a job of its, with no recipients yet. */
async function oneJob(db: Database, now: Date) {
  await db.knex('official_accounts').insert({ official_account_id: 7, appid: 'wx7777777777777777', status: 1 });
  const repo = new SendRepository(db);
  const { job } = await repo.createJob(
    { idempotencyKey: null, officialAccountId: 7, appid: 'wx7777777777777777', templateId: 'tpl', templateCode: null, messageJson: '{"template_id":"tpl","data":{}}', content: 'x', source: 'test', clientMsgPrefix: 'abcdef', requestDigest: 'waiting-test' },
    now,
  );
  return { repo, job };
}

t.test('receipts before and after their msgid', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const now = new Date();
    const { repo, job } = await oneJob(db, now);
    const openids = ['oAAAAAAAAAAAAAAAAAAAAAAAAAA1', 'oAAAAAAAAAAAAAAAAAAAAAAAAAA2'];
    await repo.addRecipients(job, openids.map((openid, i) => ({ openid, clientMsgId: `c${i}` })), now);
    const { rows } = await repo.claim(Number(job.job_id), 'me', now, { limit: 10, leaseMs: 60_000, resendAfter: new Date(0) });
    t.equal(rows.length, 2);

    const receipt = (openid: string, msgId: string, status: string) => ({
      appid: 'wx7777777777777777', toUserName: 'gh_x', fromUserName: openid, createTime: 1, msgType: 'event', event: 'TEMPLATESENDJOBFINISH', msgId, status,
    });
    // The first receipt beats the sender's write.
    const early = await db.knex.transaction((trx) => recordTemplateReceipts(trx, [receipt(openids[0], '3717005636572528642', 'failed:user block')], now));
    t.equal(early[0].sendRecordId, null, 'no send has that msgid yet');
    t.equal(Number((await db.knex('wxplat_waiting_receipts').count({ n: '*' }))[0].n), 1, 'it waits');

    await repo.saveOutcomes('me', rows.map((row, i) => ({ row, state: 'sent' as const, msgid: `371700563657252864${2 + i}` })), now);
    const first = await db.knex('wxplat_send_deliveries').where('openid', openids[0]).first();
    t.match(first, { state: 'blocked', receipt_status: 'failed:user block', receipt_record_id: early[0].receiptId }, 'linked when the msgid was stored');
    t.equal(Number((await db.knex('wxplat_send_deliveries').where('openid', openids[1]).first()).receipt_record_id ?? 0), 0);
    t.equal(Number((await db.knex('wxplat_waiting_receipts').count({ n: '*' }))[0].n), 0, 'nothing waits any more');

    // The second comes after: linked at once.
    const late = await db.knex.transaction((trx) => recordTemplateReceipts(trx, [receipt(openids[1], '3717005636572528643', 'success')], now));
    t.ok(late[0].sendRecordId);
    t.match(await db.knex('wxplat_send_deliveries').where('openid', openids[1]).first(), { state: 'delivered', receipt_record_id: late[0].receiptId });
  }),
);

// The sender's transaction stored the msgid while the receiver's parked the receipt, neither seeing the
// other's row: the inbox processor's periodic sweep links them.
t.test('the processor links a receipt whose send stored its msgid without linking it', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const now = new Date();
    const { repo, job } = await oneJob(db, now);
    await repo.addRecipients(job, [{ openid: 'oAAAAAAAAAAAAAAAAAAAAAAAAAA1', clientMsgId: 'c0' }], now);
    const receipt = { appid: 'wx7777777777777777', toUserName: 'gh_x', fromUserName: 'oAAAAAAAAAAAAAAAAAAAAAAAAAA1', createTime: 1, msgType: 'event', event: 'TEMPLATESENDJOBFINISH', msgId: '3717005636572528650', status: 'success' };
    const [parked] = await db.knex.transaction((trx) => recordTemplateReceipts(trx, [receipt], now));
    t.equal(parked.sendRecordId, null, 'the receipt came first and waits');
    // The msgid lands as a crossing transaction leaves it: stored, the waiting receipt not linked.
    await db.knex('wxplat_send_deliveries').where('job_id', job.job_id).update({ state: 'sent', msgid: receipt.msgId });
    const linked = async () => Number((await db.knex('wxplat_send_deliveries').where('job_id', job.job_id).first()).receipt_record_id ?? 0) === parked.receiptId;
    t.notOk(await linked(), 'not linked before the processor runs');

    const processor = new InboxProcessor(
      { db, clock: systemClock, logger: memoryLogger(), componentAppid: 'wx0000000000000000', wechat: () => Promise.reject(new Error('no WeChat here')) },
      { idleMs: 20, sweepMs: 50 },
    );
    processor.start();
    t.teardown(() => processor.stop());
    await until(linked, 'the sweep to link the receipt');
    t.match(await db.knex('wxplat_send_deliveries').where('job_id', job.job_id).first(), { state: 'delivered', receipt_status: 'success' });
    t.equal(Number((await db.knex('wxplat_waiting_receipts').count({ n: '*' }))[0].n), 0, 'nothing waits any more');
  }),
);
