// Delivering async forwards: the worker `serve` runs beside the inbox processor. It makes the delivery
// rows of newly stored pushes (ForwardDeliveryRepository.queue), claims due ones with a lease, sends
// each to its rule's target with the rule's signature, and writes the outcomes in batches. A 2xx is
// delivered; anything else is tried again with exponential backoff and jitter until the rule's retry
// window (24 h by default) is over, and then the delivery is dead (`forward retry --dead` starts it
// again). While the receiver in this process is busy, it pauses between rounds, like the processor: a
// burst is received first and forwarded from the database after.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { ForwardDeliveryRepository, type ClaimedDelivery, type DeliveryOutcome } from '../../db/repositories/forward-deliveries.js';
import { retryOnLockConflict } from '../../db/locks.js';
import type { Logger } from '../../logger.js';
import { createPoster, type Poster, type PostResult } from './post.js';
import { forwardBody, forwardEventId, forwardHeaders } from './request.js';
import { targetFor } from './rules.js';
import type { RuleSet } from './rule-set.js';

export interface ForwarderDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  rules: RuleSet;
  poster?: Poster;
}

/** Requests in flight at once from one `serve`, unless told otherwise. */
export const DEFAULT_FORWARD_CONCURRENCY = 64;

/** Deliveries claimed at most, in windows of `concurrency`: the ones in flight and two more ready. */
const CLAIM_WINDOWS = 3;

export interface ForwarderOptions {
  /** Requests in flight at once (from this process). */
  concurrency?: number;
  /** How long a claim lasts: longer than a request's timeout (the rows of a forwarder that died wait this long). */
  leaseMs?: number;
  timeoutMs?: number;
  /** How often an idle forwarder looks for work (it is also woken by every commit in this process). */
  idleMs?: number;
  receiving?: () => boolean;
  yieldMs?: number;
  /** First retry after this, doubling each attempt up to maxDelayMs, with jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

/** When the next attempt is due after `attempts` failures; null once the retry window is over. */
export function nextForwardAttempt(
  attempts: number,
  retryFrom: Date,
  retryForSeconds: number,
  now: Date,
  o: { baseDelayMs: number; maxDelayMs: number; random: () => number },
): Date | null {
  const delay = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  const at = new Date(now.getTime() + Math.round(delay * (0.5 + 0.5 * o.random())));
  return at.getTime() > retryFrom.getTime() + retryForSeconds * 1000 ? null : at;
}

function describe(r: PostResult): string {
  if (r.error) return r.error;
  const text = r.body.replace(/\s+/g, ' ').trim().slice(0, 200);
  return `HTTP ${r.status}${text ? `: ${text}` : ''}`;
}

export class Forwarder {
  readonly owner = `${hostname()}:${process.pid}:fw-${randomBytes(3).toString('hex')}`;
  private readonly repo: ForwardDeliveryRepository;
  private readonly poster: Poster;
  private readonly ownPoster: boolean;
  private readonly o: Required<Omit<ForwarderOptions, 'receiving'>> & { receiving: () => boolean };
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  private inFlight = 0;
  /** Claimed and not yet sent: up to two more `concurrency` of them, started as requests end. */
  private ready: Array<{ delivery: ClaimedDelivery; claimedAt: number }> = [];
  /** Claimed, but held too long to be sent within the lease: given back at the next round. */
  private stale: number[] = [];
  private outcomes: DeliveryOutcome[] = [];
  private wakeUp: (() => void) | null = null;
  private endPause: (() => void) | null = null;
  /** New inbox rows were committed since the last look: their deliveries may be due. */
  private woken = false;
  readonly stats = { delivered: 0, failed: 0, dead: 0 };

  constructor(
    private readonly deps: ForwarderDeps,
    options: ForwarderOptions = {},
  ) {
    this.repo = new ForwardDeliveryRepository(deps.db);
    this.ownPoster = !deps.poster;
    this.o = {
      concurrency: options.concurrency ?? DEFAULT_FORWARD_CONCURRENCY,
      leaseMs: options.leaseMs ?? 20_000,
      timeoutMs: options.timeoutMs ?? 10_000,
      idleMs: options.idleMs ?? 1_000,
      receiving: options.receiving ?? (() => false),
      yieldMs: options.yieldMs ?? 100,
      baseDelayMs: options.baseDelayMs ?? 5_000,
      maxDelayMs: options.maxDelayMs ?? 3_600_000,
      random: options.random ?? Math.random,
    };
    this.poster = deps.poster ?? createPoster({ maxSockets: this.o.concurrency });
  }

  start(): void {
    if (this.loopDone) return;
    this.stopping = false;
    this.loopDone = this.loop();
  }

  /** Lets the requests in flight end and writes their outcomes. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    this.endPause?.();
    await this.loopDone;
    this.loopDone = null;
    if (this.ownPoster) this.poster.close();
  }

  /** New inbox rows were committed: look now. */
  wake(): void {
    this.woken = true;
    this.nudge();
  }

  /** A request ended, or there is news: end a sleep (not a pause). */
  private nudge(): void {
    if (this.wakeUp) {
      const w = this.wakeUp;
      this.wakeUp = null;
      w();
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** A pause that only stopping cuts short (a finished request does not). */
  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.endPause = null;
        resolve();
      }, ms);
      this.endPause = () => {
        clearTimeout(timer);
        this.endPause = null;
        resolve();
      };
    });
  }

  /**
   * One round: write the outcomes gathered, make the deliveries of newly stored pushes, claim as many due
   * deliveries as there is room for and send them. Claims are made a batch at a time (a quarter of the
   * concurrency, or whatever is due when nothing is in flight), not one per finished request, and run
   * ahead of the sending by up to two more `concurrency`: a request that ends is followed at once by the
   * next, not after the next round's statements, which share the database with processing (bench/forward:
   * a 50 ms service got 0.72 of what the concurrency allows without it, 0.78 with one window ahead).
   * While the receiver in this process is busy, a round is followed by a pause: the burst is received
   * first.
   */
  private async loop(): Promise<void> {
    let failures = 0;
    const batch = Math.max(1, Math.floor(this.o.concurrency / 4));
    let queueDue = true;
    // Pushes stored by another process (another `serve`, `events replay`) wake nobody here: look for them
    // at least every idle interval.
    let lastQueued = 0;
    while (!this.stopping) {
      let claimed = 0;
      let queued = 0;
      let written: Promise<unknown> = Promise.resolve();
      try {
        // The outcomes of the last requests are written while the next deliveries are queued and claimed:
        // the statements touch different rows, and each would otherwise wait for the commit before it.
        // (The queue and the claim side by side too drained slower: 4.0k deliveries a second against 5.3k,
        // bench/forward; they meet on the deliveries' indexes.)
        written = Promise.all([this.flush(), this.giveBack()]);
        written.catch(() => {}); // awaited below, where its error is handled with the rest
        if (queueDue || this.woken || Date.now() - lastQueued >= this.o.idleMs) {
          this.woken = false;
          lastQueued = Date.now();
          queued = await this.repo.queue(this.deps.clock.now(), 1000);
          queueDue = queued === 1000;
        }
        // Claims run ahead of the sending, except during a burst (it is received first).
        const room = this.claimRoom(this.o.receiving() ? 1 : CLAIM_WINDOWS);
        if (room >= batch || (room > 0 && this.inFlight === 0 && this.ready.length === 0)) {
          const now = this.deps.clock.now();
          const rows = await this.repo.claim(this.owner, now, new Date(now.getTime() + this.o.leaseMs), room);
          for (const delivery of rows) this.ready.push({ delivery, claimedAt: now.getTime() });
          this.pump();
          claimed = rows.length;
          // A full claim: more may be due.
          if (claimed === room) queueDue = true;
        }
        await written;
        failures = 0;
      } catch (err) {
        await written.catch(() => {}); // no round starts while this one's writes are still going
        failures++;
        const waitMs = Math.min(30_000, this.o.idleMs * 2 ** (failures - 1));
        this.deps.logger.error('forwarding failed', { error: (err as Error).message, retry_in_ms: waitMs });
        await this.pause(waitMs);
        continue;
      }
      if (this.stopping) break;
      if (this.o.receiving()) await this.pause(this.o.yieldMs);
      else if (claimed === 0 && queued === 0) await this.sleep(this.inFlight > 0 ? 20 : this.o.idleMs);
      else if (this.claimRoom(CLAIM_WINDOWS) < batch) await this.sleep(20);
    }
    // Stopping: what was claimed and not started goes back, due at once, for whoever runs next.
    this.stale.push(...this.ready.splice(0).map((r) => r.delivery.id));
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 20));
    await this.flush().catch((err: Error) => this.deps.logger.error('could not record forward outcomes', { error: err.message }));
    await this.giveBack().catch((err: Error) => this.deps.logger.error('could not give back forward claims', { error: err.message }));
  }

  /** How many more deliveries may be claimed when `windows` × concurrency may be in flight or ready. */
  private claimRoom(windows: number): number {
    return windows * this.o.concurrency - this.inFlight - this.ready.length;
  }

  /**
   * Starts claimed deliveries while there is room. One claimed so long ago that its request could outlast
   * the lease is not sent (another forwarder may take it when the lease ends) but given back.
   */
  private pump(): void {
    // A claim may wait while its request still fits in the lease (a quarter of it at least, so that a
    // lease shorter than the timeout does not stop sending altogether).
    const maxWaitMs = Math.max(this.o.leaseMs - this.o.timeoutMs - 1000, this.o.leaseMs / 4);
    const latest = this.deps.clock.now().getTime() - maxWaitMs;
    while (!this.stopping && this.inFlight < this.o.concurrency && this.ready.length > 0) {
      const { delivery, claimedAt } = this.ready.shift()!;
      if (claimedAt < latest) this.stale.push(delivery.id);
      else this.send(delivery);
    }
  }

  private async giveBack(): Promise<void> {
    if (this.stale.length === 0) return;
    const ids = this.stale.splice(0);
    await this.repo.release(this.owner, ids, this.deps.clock.now());
  }

  private async flush(): Promise<void> {
    if (this.outcomes.length === 0) return;
    const batch = this.outcomes.splice(0);
    // Idempotent (it changes only what this forwarder still holds), so a deadlock victim is written again.
    await retryOnLockConflict(() => this.repo.finish(this.owner, batch, this.deps.clock.now()));
  }

  private send(d: ClaimedDelivery): void {
    this.inFlight++;
    void this.attempt(d)
      .then((outcome) => {
        this.outcomes.push(outcome);
      })
      .catch((err: Error) => this.deps.logger.error('forward attempt failed', { delivery: d.id, error: err.message }))
      .finally(() => {
        this.inFlight--;
        this.pump();
        this.nudge();
      });
  }

  private async attempt(d: ClaimedDelivery): Promise<DeliveryOutcome> {
    const rule = this.deps.rules.rule(d.ruleId);
    if (!rule) return { id: d.id, state: 'dead', retryAt: null, status: null, error: 'the rule was removed', latencyMs: null };
    const { body, contentType } = forwardBody(d.decryptedXml, rule.format, rule.route);
    const now = this.deps.clock.now();
    const headers = forwardHeaders({ eventId: forwardEventId(d.inboxId, d.ruleId), appid: d.appid, secret: rule.secret, body, contentType, now });
    const result = await this.poster.post(targetFor(rule, d.appid), headers, body, this.o.timeoutMs);
    if (result.status !== null && result.status >= 200 && result.status < 300) {
      this.stats.delivered++;
      return { id: d.id, state: 'delivered', retryAt: null, status: result.status, error: null, latencyMs: result.ms };
    }
    const retryAt = nextForwardAttempt(d.attempts, d.retryFrom, rule.retryForSeconds, this.deps.clock.now(), this.o);
    const error = describe(result);
    if (retryAt) this.stats.failed++;
    else {
      this.stats.dead++;
      this.deps.logger.warn('forward dead', { delivery: d.id, rule: rule.id, attempts: d.attempts, error });
    }
    return { id: d.id, state: retryAt ? 'pending' : 'dead', retryAt, status: result.status, error, latencyMs: result.ms };
  }
}
