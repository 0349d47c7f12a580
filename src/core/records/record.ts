// One line of `records tail`: what `--json` prints (camelCase, ISO times, msgids as strings) and what
// the human line is made from.
import type { EventTailRow, ForwardTailRow, ReceiptSendRow, ReceiptTailRow, SendTailRow } from '../../db/repositories/records.js';
import { isoOrNull } from '../../db/time.js';
import { explainErrcode, ridOf } from '../../wechat/errcodes.js';
import { RECEIPT_STATUSES, type ReceiptStatus } from './kinds.js';

interface Common {
  /** The moment the record is placed at: a send's or event's last change, a receipt's arrival. */
  time: string;
  id: number;
  accountId: number | null;
  appid: string | null;
  openid: string | null;
}

export interface SendRecord extends Common {
  kind: 'send';
  jobId: number;
  templateId: string | null;
  templateCode: string | null;
  state: string;
  msgid: string | null;
  errcode: number | null;
  errmsg: string | null;
  /** For a WeChat error: what it means and what to do (the errcode table), and its rid for `wxplat rid`. */
  error: { meaning: string; action: string; rid: string | null } | null;
  attempts: number;
  lastAttemptAt: string | null;
  receiptId: number | null;
  receiptStatus: string | null;
  receiptAt: string | null;
}

export interface ReceiptRecord extends Common {
  kind: 'receipt';
  /** In the send's words: delivered, blocked, system-failed, other-failure. */
  state: ReceiptStatus;
  /** WeChat's own Status text, e.g. `success`, `failed:user block`. */
  wechatStatus: string;
  msgid: string | null;
  /** When WeChat made the event (its CreateTime). */
  createTime: string | null;
  /** The send with this msgid, when wxplat made it. */
  sendId: number | null;
  jobId: number | null;
  templateId: string | null;
  templateCode: string | null;
}

export interface EventRecord extends Common {
  kind: 'event';
  route: string;
  eventType: string;
  state: string;
  /** Pending after a failed attempt, waiting for the next one. */
  retrying: boolean;
  attempts: number;
  outcome: string | null;
  error: string | null;
  receivedAt: string | null;
  processedAt: string | null;
}

export interface ForwardRecord extends Common {
  kind: 'forward';
  ruleId: number;
  ruleName: string | null;
  /** The rule's target (with `$APPID$` as configured). */
  target: string | null;
  /** The inbox row the push is, and the id the receiving service sees (X-Wxplat-Event-Id). */
  inboxId: number;
  eventId: string;
  eventType: string | null;
  mode: string;
  state: string;
  /** Pending after a failed attempt, waiting for the next one. */
  retrying: boolean;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  latencyMs: number | null;
  deliveredAt: string | null;
}

export type TailRecord = SendRecord | ReceiptRecord | EventRecord | ForwardRecord;

const iso = (value: string | null | undefined): string | null => isoOrNull(value ?? null);
const num = (value: number | string | null | undefined): number | null => (value === null || value === undefined ? null : Number(value));

export function sendRecord(row: SendTailRow): SendRecord {
  return {
    kind: 'send',
    time: iso(row.updated_at)!,
    id: Number(row.send_record_id),
    accountId: Number(row.official_account_id),
    appid: row.appid,
    openid: row.openid,
    jobId: Number(row.job_id),
    templateId: row.template_id,
    templateCode: row.template_code,
    state: row.state,
    msgid: row.msgid === null ? null : String(row.msgid),
    errcode: num(row.errcode),
    errmsg: row.errmsg,
    error: sendError(num(row.errcode), row.errmsg),
    attempts: Number(row.attempts),
    lastAttemptAt: iso(row.last_attempt_at),
    receiptId: num(row.receipt_record_id),
    receiptStatus: row.receipt_status,
    receiptAt: iso(row.receipt_at),
  };
}

function sendError(errcode: number | null, errmsg: string | null): SendRecord['error'] {
  if (!errcode) return null;
  const entry = explainErrcode(errcode);
  const rid = ridOf(errmsg);
  if (!entry && !rid) return null;
  return { meaning: entry?.meaning ?? 'an errcode wxplat has no sentence for', action: entry?.action ?? 'look it up with the rid', rid };
}

export function receiptStatusName(code: number | null): ReceiptStatus {
  const named = code !== null && code >= 1 && code <= 4 ? RECEIPT_STATUSES[code - 1] : undefined;
  return named ?? 'other-failure';
}

export function receiptRecord(row: ReceiptTailRow, send: ReceiptSendRow | undefined, accountId: number | null): ReceiptRecord {
  const statusCode = num(row.status);
  return {
    kind: 'receipt',
    // A receipt without created_at (written by something else) falls back to WeChat's own time.
    time: iso(row.created_at) ?? iso(row.create_time) ?? new Date(0).toISOString(),
    id: Number(row.id),
    accountId: send ? Number(send.official_account_id) : accountId,
    appid: row.appid,
    openid: row.from_user_name,
    state: receiptStatusName(statusCode),
    wechatStatus: row.content,
    msgid: row.msg_id === null ? null : String(row.msg_id),
    createTime: iso(row.create_time),
    sendId: send ? Number(send.send_record_id) : null,
    jobId: send ? Number(send.job_id) : null,
    templateId: send?.template_id ?? null,
    templateCode: send?.template_code ?? null,
  };
}

/** The openid WeChat put in an account callback's query string (rows stored before the openid column). */
function openidOf(queryString: string | null): string | null {
  if (!queryString) return null;
  try {
    return new URLSearchParams(queryString).get('openid');
  } catch {
    return null;
  }
}

export function eventRecord(row: EventTailRow, accountId: number | null): EventRecord {
  return {
    kind: 'event',
    time: iso(row.updated_at)!,
    id: Number(row.id),
    accountId,
    appid: row.appid,
    openid: row.openid ?? openidOf(row.query_string),
    route: row.route,
    eventType: row.event_type,
    state: row.state,
    retrying: row.state === 'pending' && row.last_error !== null && row.lease_owner === null,
    attempts: Number(row.attempts),
    outcome: row.outcome,
    error: row.last_error,
    receivedAt: iso(row.received_at),
    processedAt: iso(row.processed_at),
  };
}

const KIND_ORDER = { send: 0, receipt: 1, event: 2, forward: 3 } as const;

/** Time order; within one second sends before their receipts, then by id. */
export function compareRecords(a: TailRecord, b: TailRecord): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  return a.id - b.id;
}

export function forwardRecord(row: ForwardTailRow, accountId: number | null): ForwardRecord {
  const inboxId = Number(row.inbox_id);
  const ruleId = Number(row.rule_id);
  const retrying = row.state === 'pending' && Number(row.attempts) > 0 && row.lease_owner === null;
  return {
    kind: 'forward',
    time: iso(row.updated_at)!,
    id: Number(row.id),
    accountId,
    appid: row.appid,
    openid: null,
    ruleId,
    ruleName: row.rule_name,
    target: row.target,
    inboxId,
    eventId: `evt_${inboxId}_${ruleId}`,
    eventType: row.event_type,
    mode: row.mode,
    state: row.state,
    retrying,
    attempts: Number(row.attempts),
    nextAttemptAt: row.state === 'pending' ? iso(row.next_attempt_at) : null,
    lastStatus: num(row.last_status),
    lastError: row.last_error,
    latencyMs: num(row.latency_ms),
    deliveredAt: iso(row.delivered_at),
  };
}
