// What `records tail` can show: the nouns, the statuses each one can be filtered by, and which of
// them are shown when no --status is given.
import { UsageError } from '../../errors.js';

export type Noun = 'sends' | 'receipts' | 'events' | 'forwards';
export const NOUNS: readonly Noun[] = ['sends', 'receipts', 'events', 'forwards'];

export type RecordKind = 'send' | 'receipt' | 'event' | 'forward';

/** The delivery states of a send row (wxplat_send_deliveries.state). */
export const SEND_STATES = ['pending', 'sending', 'sent', 'failed', 'unknown', 'delivered', 'blocked', 'system-failed'] as const;
export type SendState = (typeof SEND_STATES)[number];

/**
 * What a receipt says (wechat_message_receipt_records.status 1…4), in the words a send's delivery
 * state uses for the same outcome (a receipt of WeChat's `success` makes the send `delivered`, and so
 * both say `delivered`); WeChat's own text is the receipt's `wechatStatus`.
 */
export const RECEIPT_STATUSES = ['delivered', 'blocked', 'system-failed', 'other-failure'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];
export const RECEIPT_STATUS_CODES: Record<ReceiptStatus, number> = {
  delivered: 1,
  blocked: 2,
  'system-failed': 3,
  'other-failure': 4,
};

/**
 * Inbox rows: the stored states, plus `retrying` — a pending row whose last attempt failed and that no
 * worker holds now (the ones worth seeing; a fresh pending row is processed within milliseconds).
 */
export const EVENT_STATUSES = ['pending', 'retrying', 'done', 'ignored', 'failed'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/**
 * In-flight rows (pending, sending; a fresh inbox row) change within milliseconds and would flood a
 * tail during a bulk send: they are shown only when asked for by --status.
 */
/**
 * Forward deliveries: the stored states, plus `retrying` — pending after a failed attempt and not held
 * by a forwarder now (a fresh pending delivery is sent within moments).
 */
export const FORWARD_STATUSES = ['pending', 'retrying', 'delivered', 'dead', 'failed'] as const;
export type ForwardStatus = (typeof FORWARD_STATUSES)[number];
export const DEFAULT_FORWARD_STATUSES: readonly ForwardStatus[] = ['retrying', 'delivered', 'dead', 'failed'];

export const DEFAULT_SEND_STATES: readonly SendState[] = ['sent', 'failed', 'unknown', 'delivered', 'blocked', 'system-failed'];
export const DEFAULT_EVENT_STATUSES: readonly EventStatus[] = ['retrying', 'done', 'ignored', 'failed'];

/**
 * Without a noun, sends and receipts together: a send shows how WeChat answered the call (sent, failed,
 * unknown) and its receipt shows what happened next, so each event appears once. The states a receipt
 * gives a send (delivered, blocked, system-failed) are seen through `records tail sends`.
 */
export const MIXED_SEND_STATES: readonly SendState[] = ['sent', 'failed', 'unknown'];

export interface StatusFilter {
  sends: SendState[];
  receipts: ReceiptStatus[];
  events: EventStatus[];
  forwards: ForwardStatus[];
}

function validFor(noun: Noun | undefined): string[] {
  if (noun === 'sends') return [...SEND_STATES];
  if (noun === 'receipts') return [...RECEIPT_STATUSES];
  if (noun === 'events') return [...EVENT_STATUSES];
  if (noun === 'forwards') return [...FORWARD_STATUSES];
  return [...MIXED_SEND_STATES, ...RECEIPT_STATUSES];
}

/** The receipt words before they were made the send's (scripts may still say them). */
const FORMER_WORDS: Record<string, string> = { success: 'delivered', 'user-block': 'blocked' };

/** `--status a,b` for this noun; nothing given = the defaults above. */
export function parseStatuses(noun: Noun | undefined, given: string | undefined): StatusFilter {
  if (given === undefined) {
    return {
      sends: noun === 'sends' ? [...DEFAULT_SEND_STATES] : noun === undefined ? [...MIXED_SEND_STATES] : [],
      receipts: noun === 'receipts' || noun === undefined ? [...RECEIPT_STATUSES] : [],
      events: noun === 'events' ? [...DEFAULT_EVENT_STATUSES] : [],
      forwards: noun === 'forwards' ? [...DEFAULT_FORWARD_STATUSES] : [],
    };
  }
  const valid = validFor(noun);
  const wanted = given
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .map((s) => FORMER_WORDS[s] ?? s);
  const unknown = wanted.filter((s) => !valid.includes(s));
  if (wanted.length === 0 || unknown.length > 0) {
    const what = noun ?? 'sends and receipts';
    throw new UsageError(
      `${unknown.length ? `unknown status "${unknown.join(',')}"` : '--status names no status'} for ${what}: use one or more of ${valid.join(', ')}`,
      'several at once: --status failed,unknown',
    );
  }
  const pick = <T extends string>(list: readonly T[]) => list.filter((s) => wanted.includes(s));
  if (noun === undefined) {
    // system-failed names the receipt here: the mixed view shows sends only as far as WeChat's answer.
    return { sends: pick(MIXED_SEND_STATES), receipts: pick(RECEIPT_STATUSES), events: [], forwards: [] };
  }
  return {
    sends: noun === 'sends' ? pick(SEND_STATES) : [],
    receipts: noun === 'receipts' ? pick(RECEIPT_STATUSES) : [],
    events: noun === 'events' ? pick(EVENT_STATUSES) : [],
    forwards: noun === 'forwards' ? pick(FORWARD_STATUSES) : [],
  };
}

export function parseNoun(value: string | undefined): Noun | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  // The singular reads naturally too (`records tail send`).
  const noun = NOUNS.find((n) => n === v || n === `${v}s`);
  if (!noun) throw new UsageError(`"${value}" is not something records tail shows: use sends, receipts, events or forwards (or nothing, for sends and receipts)`);
  return noun;
}
