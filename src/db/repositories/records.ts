// The reads behind `records tail`: send rows and inbox rows as logs of changes ordered by updated_at —
// send rows on (updated_at) or (official_account_id, updated_at), inbox rows one state at a time on
// (state, updated_at) — and receipts by primary key: the production receipts table has no other index
// and may get none, so time bounds become id bounds (receiptIdAt).
//
// Every builder is exposed so that a test can EXPLAIN exactly the statement that runs.
import type { Knex } from 'knex';
import type { Database } from '../database.js';
import type { SqlDateTime } from '../rows.js';

const DELIVERIES = 'wxplat_send_deliveries';
const JOBS = 'wxplat_send_jobs';
const INBOX = 'wxplat_callback_inbox';
const RECEIPTS = 'wechat_message_receipt_records';
const FORWARDS = 'wxplat_forward_deliveries';
const RULES = 'wxplat_forward_rules';
const RECEIPT_ID = 'wechat_message_receipt_record_id';

/** A row's place in a change log: it changed to `state` at `updated_at`. */
export interface ChangeKey {
  id: number;
  state: string;
  updatedAt: SqlDateTime;
}

/** Which rows: of these states (the inbox is asked one state at a time, to stay in index order). */
export interface ChangeFilter {
  states: string[];
  /** Sends: official_account_id. */
  accountId?: number;
  /** Inbox rows: appid. */
  appid?: string;
  /** Inbox rows: only pending rows whose last attempt failed and that no worker holds. */
  retryingOnly?: boolean;
  /** updated_at at or after this. */
  since?: SqlDateTime;
  /** Strictly after this row in (updated_at, id) order. */
  after?: { time: SqlDateTime; id: number };
}

export interface SendTailRow {
  send_record_id: number;
  job_id: number | string;
  official_account_id: number;
  openid: string;
  state: string;
  msgid: string | null;
  errcode: number | null;
  errmsg: string | null;
  attempts: number;
  last_attempt_at: SqlDateTime | null;
  receipt_status: string | null;
  receipt_record_id: number | null;
  receipt_at: SqlDateTime | null;
  updated_at: SqlDateTime;
  appid: string | null;
  template_id: string | null;
  template_code: string | null;
}

export interface EventTailRow {
  id: number | string;
  route: string;
  appid: string | null;
  event_type: string;
  state: string;
  attempts: number;
  lease_owner: string | null;
  last_error: string | null;
  outcome: string | null;
  openid: string | null;
  query_string: string | null;
  message_time: SqlDateTime | null;
  received_at: SqlDateTime;
  processed_at: SqlDateTime | null;
  updated_at: SqlDateTime;
}

export interface ForwardTailRow {
  id: number | string;
  rule_id: number;
  inbox_id: number | string;
  mode: string;
  state: string;
  attempts: number;
  next_attempt_at: SqlDateTime;
  lease_owner: string | null;
  last_status: number | null;
  last_error: string | null;
  latency_ms: number | null;
  delivered_at: SqlDateTime | null;
  updated_at: SqlDateTime;
  target: string | null;
  rule_name: string | null;
  appid: string | null;
  event_type: string | null;
}

export interface ReceiptTailRow {
  id: number;
  appid: string | null;
  from_user_name: string | null;
  create_time: SqlDateTime | null;
  event: string | null;
  content: string;
  msg_id: string | null;
  status: number | null;
  created_at: SqlDateTime | null;
}

/** The send a receipt belongs to (matched by msgid). */
export interface ReceiptSendRow {
  msgid: string;
  send_record_id: number;
  official_account_id: number;
  job_id: number | string;
  template_id: string | null;
  template_code: string | null;
}

export interface ReceiptFilter {
  /** id above this. */
  above?: number;
  /** id at most this. */
  upTo?: number;
  appid?: string;
  statuses?: number[];
}

const SEND_COLUMNS = [
  'd.send_record_id',
  'd.job_id',
  'd.official_account_id',
  'd.openid',
  'd.state',
  'd.msgid',
  'd.errcode',
  'd.errmsg',
  'd.attempts',
  'd.last_attempt_at',
  'd.receipt_status',
  'd.receipt_record_id',
  'd.receipt_at',
  'd.updated_at',
  'j.appid',
  'j.template_id',
  'j.template_code',
];

const EVENT_COLUMNS = [
  'id',
  'route',
  'appid',
  'event_type',
  'state',
  'attempts',
  'lease_owner',
  'last_error',
  'outcome',
  'openid',
  'query_string',
  'message_time',
  'received_at',
  'processed_at',
  'updated_at',
];

const FORWARD_COLUMNS = [
  'f.id',
  'f.rule_id',
  'f.inbox_id',
  'f.mode',
  'f.state',
  'f.attempts',
  'f.next_attempt_at',
  'f.lease_owner',
  'f.last_status',
  'f.last_error',
  'f.latency_ms',
  'f.delivered_at',
  'f.updated_at',
  'r.target',
  'r.name as rule_name',
  'i.appid',
  'i.event_type',
];

const RECEIPT_COLUMNS = [
  `${RECEIPT_ID} as id`,
  'appid',
  'from_user_name',
  'create_time',
  'event',
  'content',
  'msg_id',
  'status',
  'created_at',
];

/** Bound parameters per IN list: far under every driver's limit. */
const CHUNK = 500;

function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

/** The filter on one change-log table; `prefix` is the alias ('d.' or ''). */
function whereChange(q: Knex.QueryBuilder, f: ChangeFilter, prefix: string, idColumn: string): Knex.QueryBuilder {
  if (f.states.length === 1) q.where(`${prefix}state`, f.states[0]);
  else q.whereIn(`${prefix}state`, f.states);
  if (f.accountId !== undefined) q.andWhere(`${prefix}official_account_id`, f.accountId);
  if (f.appid !== undefined) q.andWhere(`${prefix}appid`, f.appid);
  if (f.retryingOnly) q.whereNotNull(`${prefix}last_error`).whereNull(`${prefix}lease_owner`);
  if (f.since !== undefined) q.andWhere(`${prefix}updated_at`, '>=', f.since);
  if (f.after !== undefined) {
    const { time, id } = f.after;
    // Written as a range on updated_at plus a tie-break, so that the index range still applies.
    q.andWhere(`${prefix}updated_at`, '>=', time).andWhere((w) => w.where(`${prefix}updated_at`, '>', time).orWhere(idColumn, '>', id));
  }
  return q;
}

export class RecordsRepository {
  constructor(private readonly db: Database) {}

  private get knex(): Knex {
    return this.db.knex;
  }

  // --- sends -------------------------------------------------------------------------------------

  /**
   * The newest `limit` rows, newest first: read backwards along (updated_at) — or (official_account_id,
   * updated_at) for one account — until `limit` rows of the states match.
   */
  latestSendsQuery(f: ChangeFilter, limit: number): Knex.QueryBuilder {
    const q = this.knex(`${DELIVERIES} as d`).leftJoin(`${JOBS} as j`, 'j.job_id', 'd.job_id').select(SEND_COLUMNS);
    return whereChange(q, f, 'd.', 'd.send_record_id')
      .orderBy([
        { column: 'd.updated_at', order: 'desc' },
        { column: 'd.send_record_id', order: 'desc' },
      ])
      .limit(limit);
  }

  latestSends(f: ChangeFilter, limit: number): Promise<SendTailRow[]> {
    return this.latestSendsQuery(f, limit);
  }

  /** Keys changed since f.since, oldest first, along (updated_at) or (official_account_id, updated_at). */
  sendKeysQuery(f: ChangeFilter, limit: number): Knex.QueryBuilder {
    const q = this.knex(DELIVERIES).select('send_record_id as id', 'state', 'updated_at');
    return whereChange(q, f, '', 'send_record_id')
      .orderBy([{ column: 'updated_at' }, { column: 'send_record_id' }])
      .limit(limit);
  }

  async sendKeys(f: ChangeFilter, limit: number): Promise<ChangeKey[]> {
    const rows = (await this.sendKeysQuery(f, limit)) as Array<{ id: number; state: string; updated_at: SqlDateTime }>;
    return rows.map((r) => ({ id: Number(r.id), state: r.state, updatedAt: r.updated_at }));
  }

  async sendsByIds(ids: readonly number[]): Promise<SendTailRow[]> {
    const out: SendTailRow[] = [];
    for (const part of chunks(ids)) {
      out.push(
        ...((await this.knex(`${DELIVERIES} as d`)
          .leftJoin(`${JOBS} as j`, 'j.job_id', 'd.job_id')
          .select(SEND_COLUMNS)
          .whereIn('d.send_record_id', part)) as SendTailRow[]),
      );
    }
    return out;
  }

  /** When a row last changed (in any state: this only places the follow window). */
  async newestSendChange(): Promise<SqlDateTime | null> {
    const row = await this.knex(DELIVERIES).select('updated_at').orderBy('updated_at', 'desc').first();
    return row?.updated_at ?? null;
  }

  async findSendKey(id: number): Promise<ChangeKey | null> {
    const row = await this.knex(DELIVERIES).select('send_record_id', 'state', 'updated_at').where('send_record_id', id).first();
    return row ? { id: Number(row.send_record_id), state: row.state, updatedAt: row.updated_at } : null;
  }

  // --- inbox -------------------------------------------------------------------------------------

  latestEventsQuery(f: ChangeFilter, limit: number): Knex.QueryBuilder {
    const q = this.knex(INBOX).select(EVENT_COLUMNS);
    return whereChange(q, f, '', 'id')
      .orderBy([
        { column: 'updated_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
  }

  latestEvents(f: ChangeFilter, limit: number): Promise<EventTailRow[]> {
    return this.latestEventsQuery(f, limit);
  }

  eventKeysQuery(f: ChangeFilter, limit: number): Knex.QueryBuilder {
    const q = this.knex(INBOX).select('id', 'state', 'updated_at');
    return whereChange(q, f, '', 'id')
      .orderBy([{ column: 'updated_at' }, { column: 'id' }])
      .limit(limit);
  }

  async eventKeys(f: ChangeFilter, limit: number): Promise<ChangeKey[]> {
    const rows = (await this.eventKeysQuery(f, limit)) as Array<{ id: number | string; state: string; updated_at: SqlDateTime }>;
    return rows.map((r) => ({ id: Number(r.id), state: r.state, updatedAt: r.updated_at }));
  }

  async eventsByIds(ids: readonly number[]): Promise<EventTailRow[]> {
    const out: EventTailRow[] = [];
    for (const part of chunks(ids)) out.push(...((await this.knex(INBOX).select(EVENT_COLUMNS).whereIn('id', part)) as EventTailRow[]));
    return out;
  }

  async newestEventChange(states: readonly string[]): Promise<SqlDateTime | null> {
    let newest: SqlDateTime | null = null;
    for (const state of states) {
      const row = await this.knex(INBOX).select('updated_at').where('state', state).orderBy('updated_at', 'desc').first();
      if (row && (newest === null || row.updated_at > newest)) newest = row.updated_at;
    }
    return newest;
  }

  async findEventKey(id: number): Promise<ChangeKey | null> {
    const row = await this.knex(INBOX).select('id', 'state', 'updated_at').where('id', id).first();
    return row ? { id: Number(row.id), state: row.state, updatedAt: row.updated_at } : null;
  }

  // --- forward deliveries -------------------------------------------------------------------------
  // Read along (updated_at) with the states as a filter, like the send rows; `retrying` is pending with
  // an attempt made and no forwarder holding it.

  private forwardsWithDetails(): Knex.QueryBuilder {
    return this.knex(`${FORWARDS} as f`)
      .leftJoin(`${RULES} as r`, 'r.id', 'f.rule_id')
      .leftJoin(`${INBOX} as i`, 'i.id', 'f.inbox_id')
      .select(FORWARD_COLUMNS);
  }

  private whereForward(q: Knex.QueryBuilder, f: ChangeFilter, prefix: string, idColumn: string): Knex.QueryBuilder {
    whereChange(q, { ...f, appid: undefined, retryingOnly: false }, prefix, idColumn);
    if (f.retryingOnly) q.andWhere(`${prefix}attempts`, '>', 0).whereNull(`${prefix}lease_owner`);
    return q;
  }

  latestForwardsQuery(f: ChangeFilter, limit: number): Knex.QueryBuilder {
    return this.whereForward(this.forwardsWithDetails(), f, 'f.', 'f.id')
      .orderBy([
        { column: 'f.updated_at', order: 'desc' },
        { column: 'f.id', order: 'desc' },
      ])
      .limit(limit);
  }

  latestForwards(f: ChangeFilter, limit: number): Promise<ForwardTailRow[]> {
    return this.latestForwardsQuery(f, limit);
  }

  forwardKeysQuery(f: ChangeFilter, limit: number): Knex.QueryBuilder {
    return this.whereForward(this.knex(FORWARDS).select('id', 'state', 'updated_at'), f, '', 'id')
      .orderBy([{ column: 'updated_at' }, { column: 'id' }])
      .limit(limit);
  }

  async forwardKeys(f: ChangeFilter, limit: number): Promise<ChangeKey[]> {
    const rows = (await this.forwardKeysQuery(f, limit)) as Array<{ id: number | string; state: string; updated_at: SqlDateTime }>;
    return rows.map((r) => ({ id: Number(r.id), state: r.state, updatedAt: r.updated_at }));
  }

  async forwardsByIds(ids: readonly number[]): Promise<ForwardTailRow[]> {
    const out: ForwardTailRow[] = [];
    for (const part of chunks(ids)) out.push(...((await this.forwardsWithDetails().whereIn('f.id', part)) as ForwardTailRow[]));
    return out;
  }

  async newestForwardChange(): Promise<SqlDateTime | null> {
    const row = await this.knex(FORWARDS).select('updated_at').orderBy('updated_at', 'desc').first();
    return row?.updated_at ?? null;
  }

  async findForwardKey(id: number): Promise<ChangeKey | null> {
    const row = await this.knex(FORWARDS).select('id', 'state', 'updated_at').where('id', id).first();
    return row ? { id: Number(row.id), state: row.state, updatedAt: row.updated_at } : null;
  }

  // --- receipts (primary key only) ---------------------------------------------------------------

  async receiptIdRange(): Promise<{ min: number; max: number } | null> {
    const row = (await this.knex(RECEIPTS).min({ min: RECEIPT_ID }).max({ max: RECEIPT_ID }).first()) as
      | { min: number | null; max: number | null }
      | undefined;
    if (!row || row.min === null || row.max === null) return null;
    return { min: Number(row.min), max: Number(row.max) };
  }

  async maxReceiptId(): Promise<number> {
    const row = (await this.knex(RECEIPTS).max({ max: RECEIPT_ID }).first()) as { max: number | null } | undefined;
    return row?.max === null || row?.max === undefined ? 0 : Number(row.max);
  }

  /** The first receipt at or after this id. */
  firstReceiptFromQuery(id: number): Knex.QueryBuilder {
    return this.knex(RECEIPTS).select(`${RECEIPT_ID} as id`, 'created_at').where(RECEIPT_ID, '>=', id).orderBy(RECEIPT_ID).limit(1);
  }

  async firstReceiptFrom(id: number): Promise<{ id: number; createdAt: SqlDateTime | null } | null> {
    const [row] = (await this.firstReceiptFromQuery(id)) as Array<{ id: number; created_at: SqlDateTime | null }>;
    return row ? { id: Number(row.id), createdAt: row.created_at } : null;
  }

  /**
   * The first id whose receipt was stored at or after `at` (max id + 1 when none was). Receipt ids grow
   * with created_at, so a binary search over the primary key finds it in about log2(rows) lookups.
   */
  async receiptIdAt(at: SqlDateTime): Promise<number> {
    const range = await this.receiptIdRange();
    if (!range) return 1;
    let lo = range.min;
    let hi = range.max + 1;
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const row = await this.firstReceiptFrom(mid);
      // A missing created_at counts as old: it cannot be placed in time.
      if (!row || (row.createdAt !== null && row.createdAt >= at)) hi = mid;
      else lo = row.id + 1;
    }
    return lo;
  }

  /** Receipts in an id range, with filters; ascending or descending by id. */
  receiptsQuery(f: ReceiptFilter, limit: number, order: 'asc' | 'desc'): Knex.QueryBuilder {
    const q = this.knex(RECEIPTS).select(RECEIPT_COLUMNS);
    if (f.above !== undefined) q.where(RECEIPT_ID, '>', f.above);
    if (f.upTo !== undefined) q.andWhere(RECEIPT_ID, '<=', f.upTo);
    if (f.appid !== undefined) q.andWhere('appid', f.appid);
    if (f.statuses !== undefined) q.whereIn('status', f.statuses);
    return q.orderBy(RECEIPT_ID, order).limit(limit);
  }

  async receipts(f: ReceiptFilter, limit: number, order: 'asc' | 'desc'): Promise<ReceiptTailRow[]> {
    const rows = (await this.receiptsQuery(f, limit, order)) as ReceiptTailRow[];
    return rows.map((r) => ({ ...r, id: Number(r.id), msg_id: r.msg_id === null ? null : String(r.msg_id) }));
  }

  async receiptsByIds(ids: readonly number[]): Promise<ReceiptTailRow[]> {
    const out: ReceiptTailRow[] = [];
    for (const part of chunks(ids)) {
      const rows = (await this.knex(RECEIPTS).select(RECEIPT_COLUMNS).whereIn(RECEIPT_ID, part)) as ReceiptTailRow[];
      out.push(...rows.map((r) => ({ ...r, id: Number(r.id) })));
    }
    return out;
  }

  async findReceipt(id: number): Promise<{ id: number; createdAt: SqlDateTime | null } | null> {
    const row = await this.knex(RECEIPTS).select(RECEIPT_ID, 'created_at').where(RECEIPT_ID, id).first();
    return row ? { id: Number(row[RECEIPT_ID]), createdAt: row.created_at } : null;
  }

  /** The sends these msgids belong to (wxplat_send_deliveries_msgid), with their job's template. */
  sendsByMsgidQuery(msgids: readonly string[]): Knex.QueryBuilder {
    return this.knex(`${DELIVERIES} as d`)
      .leftJoin(`${JOBS} as j`, 'j.job_id', 'd.job_id')
      .select('d.msgid', 'd.send_record_id', 'd.official_account_id', 'd.job_id', 'j.template_id', 'j.template_code')
      .whereIn('d.msgid', msgids as string[]);
  }

  async sendsByMsgid(msgids: readonly string[]): Promise<ReceiptSendRow[]> {
    const out: ReceiptSendRow[] = [];
    for (const part of chunks([...new Set(msgids)])) out.push(...((await this.sendsByMsgidQuery(part)) as ReceiptSendRow[]));
    return out;
  }
}
