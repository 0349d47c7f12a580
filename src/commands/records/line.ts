// One human line a record: time, id, account, openid, template (or event type), state, detail. Fixed
// widths, because a followed tail cannot measure the lines still to come.
import type { ChalkInstance } from 'chalk';
import type { EventRecord, ForwardRecord, ReceiptRecord, SendRecord, TailRecord } from '../../core/records/record.js';
import { escapeControl } from '../../output/escape.js';
import { localWallClock } from '../../output/time.js';
import { describeWeChatError } from '../../core/errcodes.js';

const GOOD = new Set(['sent', 'delivered', 'success', 'done']);
const BAD = new Set(['failed', 'blocked', 'system-failed', 'other-failure', 'dead']);

export function stateWord(r: TailRecord): string {
  if ((r.kind === 'event' || r.kind === 'forward') && r.retrying) return 'retrying';
  return r.state;
}

export function styleState(word: string, text: string, c: ChalkInstance): string {
  if (GOOD.has(word)) return c.green(text);
  if (BAD.has(word)) return c.red(text);
  if (word === 'ignored') return c.dim(text);
  return c.yellow(text);
}

function sendDetail(r: SendRecord): string {
  const parts: string[] = [];
  if (r.msgid) parts.push(`msgid ${r.msgid}`);
  // errcode 0 is WeChat's "ok": only an error is worth a word.
  if (r.errcode) parts.push(describeWeChatError(r.errcode, r.errmsg, { action: r.state === 'failed' || r.state === 'unknown' }));
  else if (r.errmsg && r.errmsg !== 'ok') parts.push(r.errmsg);
  if (r.receiptStatus && r.state !== 'delivered') parts.push(r.receiptStatus);
  if (r.state === 'pending' || r.state === 'sending') parts.push(`attempts ${r.attempts}`);
  parts.push(`job ${r.jobId}`);
  return parts.join(' · ');
}

function receiptDetail(r: ReceiptRecord): string {
  const parts: string[] = [];
  if (r.msgid) parts.push(`msgid ${r.msgid}`);
  if (r.state !== 'delivered') parts.push(r.wechatStatus);
  parts.push(r.sendId === null ? 'no send of ours' : `send:${r.sendId}`);
  return parts.join(' · ');
}

function eventDetail(r: EventRecord): string {
  const text = r.error && r.state !== 'done' && r.state !== 'ignored' ? r.error : (r.outcome ?? r.error ?? '');
  return r.attempts > 1 ? `${text} (attempt ${r.attempts})` : text;
}

function forwardDetail(r: ForwardRecord): string {
  const parts = [`rule ${r.ruleName ?? r.ruleId}`, `${r.mode} → ${r.target ?? '?'}`, r.eventId];
  if (r.lastStatus !== null || r.lastError) parts.push(r.lastError ?? `HTTP ${r.lastStatus}`);
  if (r.latencyMs !== null) parts.push(`${r.latencyMs} ms`);
  if (r.attempts > 1) parts.push(`attempt ${r.attempts}`);
  if (r.retrying && r.nextAttemptAt) parts.push(`next ${r.nextAttemptAt.slice(11, 19)}Z`);
  return parts.join(' · ');
}

function template(r: TailRecord): string {
  if (r.kind === 'event') return r.eventType;
  if (r.kind === 'forward') return r.eventType ?? '—';
  return r.templateCode ?? r.templateId ?? '—';
}

/** The columns' names over the lines, on a terminal: the same widths as formatLine's. */
export function headerLine(mixed: boolean, c: ChalkInstance, zone = 'UTC'): string {
  const parts = [`time (${zone})`.padEnd(20), (mixed ? 'kind:id' : 'id').padEnd(mixed ? 14 : 8), 'account'.padEnd(18), 'openid'.padEnd(28), 'template'.padEnd(12), 'state'.padEnd(13), 'detail'];
  return c.bold(parts.join('  '));
}

/** `local`: the time in the machine's zone, which the header names (on a terminal); else ISO UTC. */
export function formatLine(r: TailRecord, mixed: boolean, c: ChalkInstance, local = false): string {
  const time = local ? localWallClock(r.time).padEnd(20) : `${r.time.slice(0, 19)}Z`;
  const id = mixed ? `${r.kind}:${r.id}`.padEnd(14) : String(r.id).padEnd(8);
  // Every field but the time and id came from outside (WeChat's pushes and answers): escaped.
  const account = escapeControl(r.appid ?? (r.accountId !== null ? `account ${r.accountId}` : '—')).padEnd(18);
  const openid = escapeControl(r.openid ?? '—').padEnd(28);
  const word = escapeControl(stateWord(r));
  const state = styleState(word, word.padEnd(13), c);
  const detail = escapeControl(r.kind === 'send' ? sendDetail(r) : r.kind === 'receipt' ? receiptDetail(r) : r.kind === 'forward' ? forwardDetail(r) : eventDetail(r));
  return `${c.dim(time)}  ${id}  ${account}  ${openid}  ${escapeControl(template(r)).padEnd(12)}  ${state}  ${detail}`.trimEnd();
}
