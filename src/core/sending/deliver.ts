// The delivery loop of one process: a claimer takes batches of rows with a lease, `concurrency` senders
// post them to WeChat, and a flusher writes the outcomes back in bulk. What stops the loop:
//   45009 (quota) — the account is done for the day; unsent rows go back to pending;
//   an error that every recipient would get (template gone, permission missing, re-authorization) —
//     stop at once rather than fail every row;
//   a run of transient failures (WeChat unreachable) — stop, rows left pending;
//   Ctrl-C.
// A recipient's own error (40003, 43004, 43101, …) fails that row and the job goes on.
//
// Leases are really held: a claimed row is this process's only until its lease runs out, and the lease
// is renewed while the row waits in the queue. When renewing fails (logged), a row whose lease has run
// out — or would before its send could end — is not sent: another process may have claimed it, and it
// is left to whoever does; the run then stops ('lease-lost'). The database failing under the loop
// (claims, outcome writes) stops it too, with the rows it held left to the next claimer.
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { SendRepository, type ClaimedDelivery, type DeliveryOutcome } from '../../db/repositories/sends.js';
import { databaseErrorText } from '../../db/errors.js';
import { FailedError, WxplatError } from '../../errors.js';
import type { AccountClient } from '../../wechat/client.js';
import { WeChatError } from '../../wechat/errors.js';
import type { Sleep } from '../../wechat/retry.js';
import type { MessageBody } from './message.js';
import { deadLocalOwners } from './owner.js';
import { LIMITS } from '../limits.js';

/** Errors that belong to one recipient: fail that row, go on with the others. */
export const RECIPIENT_ERRCODES = new Set([40003, 43004, 43101, 43019, 40013]);

export interface DeliverySettings {
  concurrency: number;
  leaseMs: number;
  /** WeChat dedupes (openid, client_msg_id) this long after the first attempt. */
  dedupeWindowMs: number;
  /** Resend only while this much of the window is still left (for clocks and slow requests). */
  dedupeMarginMs: number;
  maxAttempts: number;
  /** Consecutive transient failures after which the run stops. */
  breakerThreshold: number;
  /** Messages a second for this account (0: no pacing beyond concurrency). */
  ratePerSecond: number;
  flushRows: number;
  flushIntervalMs: number;
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  concurrency: LIMITS.send.concurrency.default,
  leaseMs: 60_000,
  dedupeWindowMs: 10 * 60_000,
  dedupeMarginMs: 60_000,
  maxAttempts: 6,
  breakerThreshold: 25,
  ratePerSecond: 0,
  flushRows: 200,
  flushIntervalMs: 250,
};

export type StopReason =
  | { kind: 'quota'; error: WeChatError }
  | { kind: 'job-error'; error: Error }
  | { kind: 'unreachable'; error: WeChatError }
  | { kind: 'interrupted' }
  /** Renewing the leases failed until some ran out: those rows were left to other processes. */
  | { kind: 'lease-lost'; rows: number; error: unknown };

export interface DeliveryDeps {
  repo: SendRepository;
  account: AccountClient;
  clock: Clock;
  logger: Logger;
  sleep: Sleep;
  signal: AbortSignal;
  owner: string;
}

export interface DeliveryRun {
  jobId: number;
  body: MessageBody;
  settings: DeliverySettings;
  onProgress?: (delta: { sent: number; failed: number; pending: number }) => void;
}

export interface DeliveryResult {
  attempted: number;
  sent: number;
  failed: number;
  markedUnknown: number;
  /** Rows not sent because their lease had run out (or was about to). */
  leaseLost: number;
  stop: StopReason | null;
}

/** A row is not started with less than this share of its lease left: its send must end while it is held. */
const LEASE_MARGIN_SHARE = 0.25;

/** A simple pacer: at most `rate` starts a second across this process's senders. */
function pacer(rate: number, clock: Clock, sleep: Sleep): () => Promise<void> {
  if (rate <= 0) return async () => {};
  const gap = 1000 / rate;
  let next = 0;
  return async () => {
    const now = clock.now().getTime();
    const at = Math.max(now, next);
    next = at + gap;
    if (at > now) await sleep(at - now);
  };
}

export async function deliver(deps: DeliveryDeps, run: DeliveryRun): Promise<DeliveryResult> {
  const { repo, clock, owner } = deps;
  const s = run.settings;
  const result: DeliveryResult = { attempted: 0, sent: 0, failed: 0, markedUnknown: 0, leaseLost: 0, stop: null };
  const queue: ClaimedDelivery[] = [];
  const outcomes: DeliveryOutcome[] = [];
  let exhausted = false;
  // Typed by assertion so that control flow does not narrow it to null: the closures below set it.
  let claiming = null as Promise<void> | null;
  let claimError: unknown = null;
  let flushing: Promise<void> = Promise.resolve();
  let consecutiveTransient = 0;
  const pace = pacer(s.ratePerSecond, clock, deps.sleep);

  const stop = (reason: StopReason) => {
    result.stop ??= reason;
  };
  const onAbort = () => stop({ kind: 'interrupted' });
  deps.signal.addEventListener('abort', onAbort, { once: true });
  if (deps.signal.aborted) onAbort();

  // Until when each row in hand (queued or being sent) is surely ours: its claim's lease, moved on by
  // each renewal that started after the claim was committed.
  const leases = new Map<number, { claimedAt: number; until: number }>();
  const marginMs = Math.floor(s.leaseMs * LEASE_MARGIN_SHARE);
  let renewalError: unknown = null;

  // Claims run ahead of the senders (prefetch), one at a time; an error stops the run.
  const refill = (): Promise<void> => {
    claiming ??= (async () => {
      try {
        const now = clock.now();
        const dead = deadLocalOwners(await repo.leaseOwners(run.jobId), owner);
        const { rows, markedUnknown } = await repo.claim(run.jobId, owner, now, {
          limit: Math.max(50, s.concurrency * 4),
          leaseMs: s.leaseMs,
          resendAfter: new Date(now.getTime() - (s.dedupeWindowMs - s.dedupeMarginMs)),
          deadOwners: dead,
        });
        const claimedAt = clock.now().getTime();
        for (const row of rows) leases.set(row.sendRecordId, { claimedAt, until: now.getTime() + s.leaseMs });
        result.markedUnknown += markedUnknown;
        if (rows.length === 0) exhausted = true;
        queue.push(...rows);
      } catch (err) {
        claimError = err;
        stop({ kind: 'job-error', error: err as Error });
      } finally {
        claiming = null;
      }
    })();
    return claiming;
  };

  let flushError: unknown = null;
  const flush = () => {
    const batch = outcomes.splice(0, outcomes.length);
    flushing = flushing.then(async () => {
      if (batch.length === 0 || flushError) return;
      try {
        await repo.saveOutcomes(owner, batch, clock.now());
      } catch (err) {
        // The database refused: stop sending; what was sent stays `sending` and is settled on the next run.
        flushError = err;
        stop({ kind: 'job-error', error: err as Error });
      }
    });
    return flushing;
  };

  const sendOne = async (row: ClaimedDelivery): Promise<DeliveryOutcome | null> => {
    await pace();
    if (result.stop) return null;
    try {
      const res = await deps.account.sendTemplate(
        { touser: row.openid, ...run.body, client_msg_id: row.clientMsgId },
        { onRetry: (err, n, ms) => deps.logger.debug('retrying a send', { openid: row.openid, errcode: err.errcode, retry: n, ms }) },
      );
      consecutiveTransient = 0;
      return { row, state: 'sent', msgid: res.msgid, errcode: 0, errmsg: null };
    } catch (err) {
      if (!(err instanceof WeChatError)) {
        // Tokens that cannot be had (re-authorization, no ticket): nothing will go out; the row was never sent.
        if (err instanceof WxplatError) {
          stop({ kind: 'job-error', error: err });
          return null;
        }
        throw err;
      }
      if (err.errcode !== null && RECIPIENT_ERRCODES.has(err.errcode)) {
        consecutiveTransient = 0;
        return { row, state: 'failed', errcode: err.errcode, errmsg: err.errmsg };
      }
      if (err.errorClass === 'quota') {
        stop({ kind: 'quota', error: err });
        return { row, state: 'pending', errcode: err.errcode, errmsg: err.errmsg };
      }
      if (err.errorClass === 'transient') {
        const maybeSent = err.errcode === null;
        if (++consecutiveTransient >= s.breakerThreshold) stop({ kind: 'unreachable', error: err });
        if (row.attempts >= s.maxAttempts && !maybeSent && !row.maybeSent) {
          return { row, state: 'failed', errcode: err.errcode, errmsg: err.errmsg };
        }
        return { row, state: 'pending', maybeSent, errcode: err.errcode, errmsg: err.errmsg };
      }
      // token-invalid after a refresh, or a permanent error that is not the recipient's: every row would fail.
      stop({ kind: 'job-error', error: err });
      return { row, state: 'pending', errcode: err.errcode, errmsg: err.errmsg };
    }
  };

  const held = new Set<ClaimedDelivery>();
  const sender = async () => {
    for (;;) {
      if (result.stop) return;
      if (!exhausted && queue.length < s.concurrency * 2) void refill();
      const row = queue.shift();
      if (!row) {
        if (exhausted) return;
        await refill();
        continue;
      }
      const lease = leases.get(row.sendRecordId);
      if (!lease || clock.now().getTime() > lease.until - marginMs) {
        // Another process may hold it now: leave it to whoever claimed it (or claims it next).
        queue.unshift(row);
        result.leaseLost = queue.length;
        stop({ kind: 'lease-lost', rows: queue.length, error: renewalError });
        return;
      }
      held.add(row);
      result.attempted++;
      const outcome = await sendOne(row);
      held.delete(row);
      leases.delete(row.sendRecordId);
      if (!outcome) {
        queue.unshift(row); // not attempted: given back below
        result.attempted--;
        return;
      }
      outcomes.push(outcome);
      if (outcome.state === 'sent') result.sent++;
      else if (outcome.state === 'failed') result.failed++;
      run.onProgress?.({
        sent: outcome.state === 'sent' ? 1 : 0,
        failed: outcome.state === 'failed' ? 1 : 0,
        pending: outcome.state === 'pending' ? 1 : 0,
      });
      if (outcomes.length >= s.flushRows) void flush();
    }
  };

  const timer = setInterval(() => void flush(), s.flushIntervalMs);
  let renewing = false;
  const renew = async () => {
    if (renewing || leases.size === 0) return;
    renewing = true;
    const started = clock.now().getTime();
    const until = started + s.leaseMs;
    try {
      await repo.extendLeases(owner, run.jobId, new Date(until));
      renewalError = null;
      for (const lease of leases.values()) if (lease.claimedAt <= started && lease.until < until) lease.until = until;
    } catch (err) {
      renewalError = err;
      const first = Math.min(...[...leases.values()].map((l) => l.until));
      deps.logger.warn('could not renew the leases on the rows this process holds', {
        job: run.jobId,
        rows: leases.size,
        error: databaseErrorText(err),
        stops_sending_them_at: new Date(first - marginMs).toISOString(),
      });
    } finally {
      renewing = false;
    }
  };
  const leaseTimer = setInterval(() => void renew(), Math.max(250, Math.floor(s.leaseMs / 4)));
  let failure: PromiseRejectedResult | undefined;
  try {
    const settled = await Promise.allSettled(Array.from({ length: s.concurrency }, () => sender()));
    failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  } finally {
    clearInterval(timer);
    clearInterval(leaseTimer);
    deps.signal.removeEventListener('abort', onAbort);
    await claiming;
    await flush();
    // Rows never attempted go back to pending. A row whose send was under way when something broke
    // (`held`) stays `sending`: it may have gone out, so only the dedupe-window rule may resend it.
    const unsent = queue.map((r) => r.sendRecordId);
    if (unsent.length && !flushError) await repo.releaseClaims(owner, unsent, clock.now());
  }
  if (failure) throw failure.reason;
  const dbError = claimError ?? flushError;
  if (dbError) {
    throw new FailedError(
      `the database failed while sending job ${run.jobId} (${databaseErrorText(dbError)}): this process stopped; the rows it held are left to other processes`,
      'run the same command (the same --idempotency-key) to carry on once the database answers',
    );
  }
  return result;
}
