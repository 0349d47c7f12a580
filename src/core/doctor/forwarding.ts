// The forwarding check: every rule's deliveries go out. It fails when a rule has dead deliveries (its
// service refused them for the whole retry window) or when deliveries — or pushes whose deliveries are
// still to be made — have waited longer than ten minutes (no `serve` is forwarding, or the service is
// down).
import type { Database } from '../../db/database.js';
import { ForwardDeliveryRepository } from '../../db/repositories/forward-deliveries.js';
import { ForwardRuleRepository } from '../../db/repositories/forward-rules.js';
import { describeDuration } from '../platform/age.js';
import { check, type Check } from './check.js';

export const FORWARD_BACKLOG_MS = 10 * 60_000;

export async function forwardingCheck(db: Database, now: Date): Promise<Check> {
  const name = 'forwarding';
  const rules = await new ForwardRuleRepository(db.knex).all();
  const active = rules.filter((r) => Number(r.status) === 1);
  const deliveries = new ForwardDeliveryRepository(db);
  // Rules in force only: a removed rule's deliveries end dead ("the rule was removed") by the operator's
  // own choice, and retrying them would only end them dead again.
  const inForce = new Set(active.map((r) => Number(r.id)));
  const backlog = (await deliveries.backlog()).filter((b) => inForce.has(b.ruleId));
  const unqueued = await deliveries.unqueued();
  if (active.length === 0 && backlog.every((b) => b.pending === 0 && b.dead === 0)) return check(name, 'ok', 'no forwarding rules');
  const label = (id: number) => {
    const r = rules.find((x) => Number(x.id) === id);
    return r?.name ? `${id} (${r.name})` : String(id);
  };
  const problems: string[] = [];
  const advice: string[] = [];
  const dead = backlog.filter((b) => b.dead > 0);
  if (dead.length > 0) {
    problems.push(`dead deliveries: ${dead.map((b) => `rule ${label(b.ruleId)} ${b.dead}`).join(', ')}`);
    advice.push('see why with `wxplat records tail forwards --status dead`, fix the service, then `wxplat forward retry --dead`');
  }
  const old = backlog.filter((b) => b.oldestPendingAt !== null && now.getTime() - b.oldestPendingAt.getTime() > FORWARD_BACKLOG_MS);
  const oldUnqueued = unqueued.oldest !== null && now.getTime() - unqueued.oldest.getTime() > FORWARD_BACKLOG_MS;
  if (old.length > 0 || oldUnqueued) {
    const parts = old.map((b) => `rule ${label(b.ruleId)} ${b.pending} waiting since ${describeDuration(now.getTime() - b.oldestPendingAt!.getTime())} ago`);
    if (oldUnqueued) parts.push(`${unqueued.count} pushes not yet queued, the oldest ${describeDuration(now.getTime() - unqueued.oldest!.getTime())} ago`);
    problems.push(`a backlog older than ${describeDuration(FORWARD_BACKLOG_MS)}: ${parts.join(', ')}`);
    advice.push('is `wxplat serve` (with processing) running, and is the service up? `wxplat records tail forwards --status retrying`');
  }
  if (problems.length > 0) return check(name, 'fail', problems.join('; '), advice.join('; '));
  const waiting = backlog.reduce((n, b) => n + b.pending, 0);
  return check(name, 'ok', `${active.length} rule${active.length === 1 ? '' : 's'}, ${waiting} deliveries waiting, none dead`);
}
