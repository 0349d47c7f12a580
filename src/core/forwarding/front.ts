// What the receiver asks of forwarding, on the receive path: which async rules take a push (their ids go
// into the inbox row's own INSERT), and, for a push a reply rule answers, the reply — asked of the
// service after the push is committed and before WeChat is answered, within the budget. The reply call
// is recorded as a delivery (one row per push and rule) without holding up the answer.
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { ForwardDeliveryRepository } from '../../db/repositories/forward-deliveries.js';
import type { Logger } from '../../logger.js';
import type { Poster } from './post.js';
import { callReplyRule } from './reply.js';
import type { RuleSet } from './rule-set.js';
import type { PushKind } from './rules.js';

export interface ReplyRequest {
  kind: PushKind;
  inboxId: number;
  appid: string;
  xml: string;
  fields: Record<string, string>;
  now: Date;
}

export interface ReplyAnswer {
  /** The reply XML for WeChat, or null: `success`. */
  reply: string | null;
  /** For the log line: `reply:<rule>` and how it went. */
  outcome: string;
}

type ReplyRecord = Parameters<ForwardDeliveryRepository['recordReplies']>[0][number];

export class ForwardingFront {
  private readonly deliveries: ForwardDeliveryRepository;
  /** Reply calls to record, written together every few milliseconds (not one statement a message). */
  private pending: ReplyRecord[] = [];
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: { db: Database; clock: Clock; logger: Logger; rules: RuleSet; poster: Poster },
    private readonly budgetMs = 4_000,
  ) {
    this.deliveries = new ForwardDeliveryRepository(deps.db);
  }

  asyncRules(kind: PushKind): string | null {
    return this.deps.rules.asyncMatches(kind);
  }

  /** Null when no reply rule answers this push. */
  reply(req: ReplyRequest): Promise<ReplyAnswer> | null {
    const rule = this.deps.rules.replyRule(req.kind);
    if (!rule) return null;
    return (async () => {
      const r = await callReplyRule(this.deps.poster, { rule, inboxId: req.inboxId, appid: req.appid, xml: req.xml, fields: req.fields, budgetMs: this.budgetMs, now: req.now });
      this.record({ inboxId: req.inboxId, ruleId: rule.id, delivered: r.delivered, status: r.status, error: r.error, latencyMs: r.ms, at: this.deps.clock.now() });
      const outcome = r.reply ? `reply:${rule.id}` : r.error ? `reply:${rule.id}:none (${r.error})` : `reply:${rule.id}:none`;
      return { reply: r.reply, outcome };
    })();
  }

  private record(row: ReplyRecord): void {
    this.pending.push(row);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.write();
    }, 20);
  }

  private async write(): Promise<void> {
    while (this.writing) await this.writing;
    const rows = this.pending.splice(0);
    if (rows.length === 0) return;
    this.writing = this.deliveries
      .recordReplies(rows)
      .catch((err: Error) => this.deps.logger.error('could not record reply forwards', { count: rows.length, error: err.message }))
      .finally(() => (this.writing = null));
    await this.writing;
  }

  /** Writes the reply records still gathered. */
  async drain(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.write();
  }
}
