// The `wxplat forward …` commands' work: rules added, listed, removed, their secrets rotated, dead
// deliveries sent again, a rule tried with a sample push.
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { ForwardDeliveryRepository, type RuleBacklog } from '../../db/repositories/forward-deliveries.js';
import { ForwardRuleRepository } from '../../db/repositories/forward-rules.js';
import { STATUS } from '../../db/rows.js';
import { NotFoundError, UsageError } from '../../errors.js';
import { randomBytes } from 'node:crypto';
import { parseFlatXml } from '../../wechat/xml.js';
import type { Poster } from './post.js';
import { readReply } from './reply.js';
import { forwardBody, forwardHeaders, newForwardSecret } from './request.js';
import { ruleFromRow } from './rule-set.js';
import { describeFilter, overlap, parseRuleInput, targetFor, type ForwardRule, type RuleInput } from './rules.js';
import {
  ACCOUNT_SAMPLES,
  COMPONENT_SAMPLES,
  accountSampleXml,
  componentSampleXml,
  type AccountSample,
  type ComponentSample,
} from './samples.js';

export interface ForwardDeps {
  db: Database;
  clock: Clock;
}

/** `forward add`: the rule, and its secret — shown this once. */
export interface AddedRule {
  rule: ForwardRule;
  secret: string;
}

export async function addForwardRule(deps: ForwardDeps, input: RuleInput): Promise<AddedRule> {
  const rule = parseRuleInput(input);
  const repo = new ForwardRuleRepository(deps.db.knex);
  const active = (await repo.active()).map(ruleFromRow);
  if (rule.name !== null && active.some((r) => r.name === rule.name)) throw new UsageError(`a rule named "${rule.name}" exists already`, 'pick another --name, or `wxplat forward remove` the old one');
  if (rule.mode === 'reply') {
    // At most one reply rule may answer a message: WeChat takes one answer.
    const clash = active.find((r) => r.mode === 'reply' && overlap(r, rule));
    if (clash) {
      throw new UsageError(
        `reply rule ${clash.id}${clash.name ? ` (${clash.name})` : ''} already answers ${describeFilter(clash)}: a message can have one reply`,
        'narrow --appid, --msg-type or --event so that the two cannot both match, or remove the other rule',
      );
    }
  }
  const secret = newForwardSecret();
  const id = await repo.add(
    {
      name: rule.name,
      target: rule.target,
      route: rule.route,
      appids: rule.appids?.join(',') ?? null,
      msg_types: rule.msgTypes?.join(',') ?? null,
      events: rule.events?.join(',') ?? null,
      info_types: rule.infoTypes?.join(',') ?? null,
      mode: rule.mode,
      format: rule.format,
      secret,
      retry_for_seconds: rule.retryForSeconds,
    },
    deps.clock.now(),
  );
  const row = (await repo.find(String(id)))!;
  return { rule: ruleFromRow(row), secret };
}

export interface ListedRule extends ForwardRule {
  /** Deliveries waiting (due or in flight), and since when the oldest. */
  backlog: { pending: number; oldestPendingAt: string | null; dead: number; delivered: number };
}

export async function listForwardRules(deps: ForwardDeps): Promise<ListedRule[]> {
  const rows = await new ForwardRuleRepository(deps.db.knex).active();
  const backlog = new Map<number, RuleBacklog>((await new ForwardDeliveryRepository(deps.db).backlog()).map((b) => [b.ruleId, b]));
  return rows.map((row) => {
    const rule = ruleFromRow(row);
    const b = backlog.get(rule.id);
    return {
      ...rule,
      backlog: { pending: b?.pending ?? 0, oldestPendingAt: b?.oldestPendingAt?.toISOString() ?? null, dead: b?.dead ?? 0, delivered: b?.delivered ?? 0 },
    };
  });
}

async function findActive(deps: ForwardDeps, ref: string): Promise<ForwardRule & { secret: string }> {
  const value = ref.trim();
  if (value === '') throw new UsageError('name the rule: its id or its --name (`wxplat forward list` shows them)');
  const row = await new ForwardRuleRepository(deps.db.knex).find(value);
  if (!row || row.status !== STATUS.valid) throw new NotFoundError(`no forwarding rule "${value.slice(0, 64)}"`, '`wxplat forward list` shows the rules in force');
  return { ...ruleFromRow(row), secret: row.secret };
}

export async function removeForwardRule(deps: ForwardDeps, ref: string): Promise<ForwardRule> {
  const rule = await findActive(deps, ref);
  await new ForwardRuleRepository(deps.db.knex).remove(rule.id, deps.clock.now());
  const { secret: _secret, ...shown } = rule;
  return shown;
}

export async function rotateForwardSecret(deps: ForwardDeps, ref: string): Promise<AddedRule> {
  const rule = await findActive(deps, ref);
  const secret = newForwardSecret();
  await new ForwardRuleRepository(deps.db.knex).setSecret(rule.id, secret, deps.clock.now());
  const { secret: _old, ...shown } = rule;
  return { rule: shown, secret };
}

export async function retryForwards(deps: ForwardDeps, options: { dead: boolean; rule?: string }): Promise<{ retried: number; ruleId: number | null }> {
  const rule = options.rule === undefined ? null : await findActive(deps, options.rule);
  const retried = await new ForwardDeliveryRepository(deps.db).retry({ dead: options.dead, ruleId: rule?.id }, deps.clock.now());
  return { retried, ruleId: rule?.id ?? null };
}


export interface ForwardTestResult {
  rule: number;
  target: string;
  sample: string;
  eventId: string;
  status: number | null;
  ms: number;
  /** 2xx: the rule's target takes pushes. */
  delivered: boolean;
  /** The first 200 characters of the answer (or what went wrong). */
  answer: string;
  /** For a reply rule: the reply WeChat would get, or why it would get `success`. */
  reply?: { xml: string | null; problem: string | null };
}

/**
 * `forward test`: one sample push, signed with the rule's secret, to the rule's target — no inbox row,
 * no delivery row. The event id is `evt_test_…`, so the service can tell a test from a real push.
 */
export async function testForwardRule(
  deps: ForwardDeps & { poster: Poster; componentAppid: string | null },
  ref: string,
  sample: string | undefined,
  timeoutMs = 10_000,
): Promise<ForwardTestResult> {
  const rule = await findActive(deps, ref);
  const now = deps.clock.now();
  const appid = rule.appids?.[0] ?? 'wx0000000000000000';
  let xml: string;
  let kind: string;
  if (rule.route === 'component') {
    kind = sample ?? 'authorized';
    if (!(COMPONENT_SAMPLES as readonly string[]).includes(kind)) throw new UsageError(`--sample for a component rule is one of ${COMPONENT_SAMPLES.join(', ')}`);
    xml = componentSampleXml(kind as ComponentSample, deps.componentAppid ?? 'wx0000000000000000', appid, now);
  } else {
    kind = (sample ?? 'text').toLowerCase();
    if (!(ACCOUNT_SAMPLES as readonly string[]).includes(kind)) throw new UsageError(`--sample for an account rule is one of ${ACCOUNT_SAMPLES.join(', ')}`);
    xml = accountSampleXml({ kind: kind as AccountSample, originalId: 'gh_000000000000', now });
  }
  const { body, contentType } = forwardBody(xml, rule.format, rule.route);
  const eventId = `evt_test_${randomBytes(8).toString('hex')}`;
  const headers = forwardHeaders({ eventId, appid, secret: rule.secret, body, contentType, now });
  const target = targetFor(rule, appid);
  const r = await deps.poster.post(target, headers, body, timeoutMs);
  const delivered = r.status !== null && r.status >= 200 && r.status < 300;
  const result: ForwardTestResult = {
    rule: rule.id,
    target,
    sample: kind,
    eventId,
    status: r.status,
    ms: r.ms,
    delivered,
    answer: (r.error ?? r.body).replace(/\s+/g, ' ').trim().slice(0, 200),
  };
  if (rule.mode === 'reply' && delivered) {
    try {
      result.reply = { xml: readReply(r.body, { fields: parseFlatXml(xml), now }), problem: null };
    } catch (err) {
      result.reply = { xml: null, problem: (err as Error).message };
    }
  }
  return result;
}
