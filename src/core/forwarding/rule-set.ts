// The rules in force, as every `serve` process sees them: read from the database and read again every
// few seconds, so that `forward add` and `forward remove` on any host take effect everywhere without a
// restart. The receiver asks it which rules take a push (in memory: it is on the receive path).
import { ForwardRuleRepository, type ForwardRuleRow } from '../../db/repositories/forward-rules.js';
import type { Database } from '../../db/database.js';
import { isoOrNull } from '../../db/time.js';
import type { Logger } from '../../logger.js';
import { matches, type ForwardRule, type PushKind } from './rules.js';

/** A rule as the forwarder uses it: the rule and its secret. */
export interface LoadedRule extends ForwardRule {
  secret: string;
}

const csv = (value: string | null): string[] | null => (value === null || value === '' ? null : value.split(','));

export function ruleFromRow(row: ForwardRuleRow): ForwardRule {
  return {
    id: Number(row.id),
    name: row.name,
    target: row.target,
    route: row.route as ForwardRule['route'],
    appids: csv(row.appids),
    msgTypes: csv(row.msg_types),
    events: csv(row.events),
    infoTypes: csv(row.info_types),
    mode: row.mode as ForwardRule['mode'],
    format: row.format as ForwardRule['format'],
    retryForSeconds: Number(row.retry_for_seconds),
    createdAt: isoOrNull(row.created_at)!,
  };
}

export class RuleSet {
  private rules: LoadedRule[] = [];
  private byId = new Map<number, LoadedRule>();
  private loading: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly refreshMs = 2_000,
  ) {}

  /** Reads the rules now, and again every `refreshMs` until stopped. */
  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload().catch(() => {}), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  reload(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const rows = await new ForwardRuleRepository(this.db.knex).active();
        this.rules = rows.map((r) => ({ ...ruleFromRow(r), secret: r.secret }));
        this.byId = new Map(this.rules.map((r) => [r.id, r]));
      } catch (err) {
        // The rules read last stay in force; the database's trouble is reported where it matters.
        this.logger.warn('could not read the forwarding rules', { error: (err as Error).message });
        throw err;
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  /** The ids of the async rules that take this push, comma-separated for the inbox row (null: none). */
  asyncMatches(push: PushKind): string | null {
    let ids: string | null = null;
    for (const r of this.rules) {
      if (r.mode === 'async' && matches(r, push)) ids = ids === null ? String(r.id) : `${ids},${r.id}`;
    }
    return ids;
  }

  /** The reply rule that answers this push, if one does (at most one can: `forward add` sees to it). */
  replyRule(push: PushKind): LoadedRule | null {
    if (push.route !== 'account') return null;
    for (const r of this.rules) if (r.mode === 'reply' && matches(r, push)) return r;
    return null;
  }

  /** A rule in force, by id; undefined once it is removed. */
  rule(id: number): LoadedRule | undefined {
    return this.byId.get(id);
  }
}
