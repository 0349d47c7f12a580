// wxplat_forward_rules: where the platform's own services get pushes (core/forwarding). Shared by every
// `serve` host through the database; a removed rule keeps its row (status -2) so that its deliveries
// still name it. The secret signs each forwarded request and is read only to sign, or to hand over once.
import type { Knex } from 'knex';
import { STATUS } from '../rows.js';
import { toSqlDateTime } from '../time.js';

const RULES = 'wxplat_forward_rules';

export interface ForwardRuleRow {
  id: number;
  name: string | null;
  target: string;
  route: string;
  /** Comma-separated appids; null: every account. */
  appids: string | null;
  msg_types: string | null;
  events: string | null;
  info_types: string | null;
  mode: string;
  format: string;
  secret: string;
  retry_for_seconds: number;
  status: number;
  created_at: string;
  updated_at: string;
}

export interface NewForwardRuleRow {
  name: string | null;
  target: string;
  route: string;
  appids: string | null;
  msg_types: string | null;
  events: string | null;
  info_types: string | null;
  mode: string;
  format: string;
  secret: string;
  retry_for_seconds: number;
}

export class ForwardRuleRepository {
  constructor(private readonly knex: Knex) {}

  async add(rule: NewForwardRuleRow, now: Date): Promise<number> {
    const stamp = toSqlDateTime(now);
    const [id] = await this.knex(RULES).insert({ ...rule, status: STATUS.valid, created_at: stamp, updated_at: stamp });
    return Number(id);
  }

  /** The rules in force, oldest first. */
  active(): Promise<ForwardRuleRow[]> {
    return this.knex<ForwardRuleRow>(RULES).where('status', STATUS.valid).orderBy('id');
  }

  all(): Promise<ForwardRuleRow[]> {
    return this.knex<ForwardRuleRow>(RULES).orderBy('id');
  }

  /** By id or by name; an active rule before a removed one. */
  find(ref: string): Promise<ForwardRuleRow | undefined> {
    const q = this.knex<ForwardRuleRow>(RULES);
    if (/^\d+$/.test(ref)) q.where('id', Number(ref));
    else q.where('name', ref);
    return q.orderByRaw('CASE WHEN status = ? THEN 0 ELSE 1 END', [STATUS.valid]).orderBy('id', 'desc').first();
  }

  async remove(id: number, now: Date): Promise<boolean> {
    const changed = await this.knex(RULES).where({ id, status: STATUS.valid }).update({ status: STATUS.deleted, updated_at: toSqlDateTime(now) });
    return changed === 1;
  }

  async setSecret(id: number, secret: string, now: Date): Promise<boolean> {
    const changed = await this.knex(RULES).where({ id, status: STATUS.valid }).update({ secret, updated_at: toSqlDateTime(now) });
    return changed === 1;
  }
}
