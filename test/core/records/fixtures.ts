// Rows written straight into the tables the tail reads, with the times a test chooses.
import type { Database } from '../../../src/db/database.js';
import { toSqlDateTime } from '../../../src/db/time.js';

export const APPID = 'wxaaaaaaaaaaaaaaaa';
export const OTHER_APPID = 'wxbbbbbbbbbbbbbbbb';

export const at = (base: Date, seconds: number): string => toSqlDateTime(new Date(base.getTime() + seconds * 1000));

export async function addAccounts(db: Database): Promise<{ accountId: number; otherId: number }> {
  const [accountId] = await db.knex('official_accounts').insert({ appid: APPID, nickname: 'A', original_id: 'gh_aaaaaaaaaaaa', status: 1 });
  const [otherId] = await db.knex('official_accounts').insert({ appid: OTHER_APPID, nickname: 'B', original_id: 'gh_bbbbbbbbbbbb', status: 1 });
  return { accountId: Number(accountId), otherId: Number(otherId) };
}

export async function addJob(db: Database, accountId: number, appid = APPID): Promise<number> {
  const [id] = await db.knex('wxplat_send_jobs').insert({
    official_account_id: accountId,
    appid,
    template_id: 'T'.repeat(43),
    template_code: 'TM0001',
    message_json: '{}',
    client_msg_prefix: 'abc',
    state: 'done',
    total: 0,
  });
  return Number(id);
}

export interface DeliveryInput {
  id: number;
  state: string;
  updatedAt: string;
  accountId: number;
  jobId: number;
  msgid?: string | null;
}

export async function addDeliveries(db: Database, rows: DeliveryInput[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db.knex('wxplat_send_deliveries').insert(
      rows.slice(i, i + 500).map((r) => ({
        send_record_id: r.id,
        job_id: r.jobId,
        official_account_id: r.accountId,
        openid: `o${String(r.id).padStart(27, '0')}`,
        client_msg_id: `c${r.id}`,
        state: r.state,
        msgid: r.msgid ?? null,
        updated_at: r.updatedAt,
      })),
    );
  }
}

export async function setDelivery(db: Database, id: number, state: string, updatedAt: string): Promise<void> {
  await db.knex('wxplat_send_deliveries').where('send_record_id', id).update({ state, updated_at: updatedAt });
}

export interface ReceiptInput {
  id: number;
  createdAt: string;
  appid?: string;
  status?: number;
  msgId?: string;
}

export async function addReceipts(db: Database, rows: ReceiptInput[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db.knex('wechat_message_receipt_records').insert(
      rows.slice(i, i + 500).map((r) => ({
        wechat_message_receipt_record_id: r.id,
        appid: r.appid ?? APPID,
        to_user_name: 'gh_aaaaaaaaaaaa',
        from_user_name: `o${String(r.id).padStart(27, '0')}`,
        create_time: r.createdAt,
        msg_type: 'event',
        event: 'TEMPLATESENDJOBFINISH',
        content: r.status === 2 ? 'failed:user block' : 'success',
        msg_id: r.msgId ?? String(3717005636572528642n + BigInt(r.id)),
        status: r.status ?? 1,
        created_at: r.createdAt,
      })),
    );
  }
}

export interface EventInput {
  id: number;
  state: string;
  updatedAt: string;
  appid?: string | null;
  lastError?: string | null;
  leaseOwner?: string | null;
}

export async function addEvents(db: Database, rows: EventInput[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db.knex('wxplat_callback_inbox').insert(
      rows.slice(i, i + 500).map((r) => ({
        id: r.id,
        dedupe_key: `k${r.id}`,
        route: 'account',
        appid: r.appid === undefined ? APPID : r.appid,
        event_type: 'TEMPLATESENDJOBFINISH',
        query_string: `openid=o${r.id}&timestamp=1`,
        raw_body: '<xml/>',
        decrypted_xml: '<xml/>',
        state: r.state,
        attempts: r.lastError ? 2 : 1,
        next_attempt_at: r.updatedAt,
        lease_owner: r.leaseOwner ?? null,
        last_error: r.lastError ?? null,
        outcome: r.state === 'done' ? `receipt ${r.id}` : null,
        received_at: r.updatedAt,
        updated_at: r.updatedAt,
      })),
    );
  }
}
