// `platform status`: the component's ticket and token, and the accounts by token state — times and
// states only, never a ticket or token value.
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { TokenRepository } from '../../db/repositories/tokens.js';
import { TICKET_LIFETIME_MS } from '../../wechat/tokens.js';
import { ForwardDeliveryRepository } from '../../db/repositories/forward-deliveries.js';
import { ForwardRuleRepository } from '../../db/repositories/forward-rules.js';
import { listAccounts } from '../accounts/list.js';
import { EXPIRING_WITHIN_MS, type TokenState } from '../accounts/view.js';

/** WeChat pushes a ticket every 10 minutes: one older than two pushes means they are not arriving. */
export const TICKET_FRESH_MS = 20 * 60_000;

/** fresh: arriving as it should; stale: still usable, but none came lately; expired: unusable (12 h). */
export type TicketState = 'fresh' | 'stale' | 'expired' | 'missing';
export type ComponentTokenState = 'valid' | 'expiring' | 'expired' | 'missing';

export interface TicketStatus {
  state: TicketState;
  receivedAt: string | null;
  ageSeconds: number | null;
}

export interface ComponentTokenStatus {
  state: ComponentTokenState;
  expiresAt: string | null;
  /** Negative once expired. */
  expiresInSeconds: number | null;
}

export interface AccountNeedingAuthorization {
  id: number;
  appid: string | null;
  nickname: string | null;
  reason: string | null;
}

/** JSON keys are camelCase: a token state as a key. */
export const TOKEN_STATE_KEY = { valid: 'valid', expiring: 'expiring', 'needs-reauthorization': 'needsReauthorization' } as const satisfies Record<TokenState, string>;
export type TokenStateKey = (typeof TOKEN_STATE_KEY)[TokenState];

export interface AccountsStatus {
  /** Accounts with status 1. */
  authorized: number;
  removed: number;
  /** The authorized accounts by token state, keyed in camelCase (`needs-reauthorization`: needsReauthorization). */
  byTokenState: Record<TokenStateKey, number>;
  needingAuthorization: AccountNeedingAuthorization[];
  /** Authorized accounts with no original id on record: `serve` cannot check their pushes' ToUserName, so refuses them. */
  withoutOriginalId: Array<{ id: number; appid: string | null }>;
}

/** One forwarding rule's deliveries. */
export interface ForwardingStatus {
  ruleId: number;
  name: string | null;
  mode: string;
  target: string;
  pending: number;
  oldestPendingAt: string | null;
  dead: number;
}

export interface PlatformStatus {
  componentAppid: string;
  ticket: TicketStatus;
  componentToken: ComponentTokenStatus;
  accounts: AccountsStatus;
  forwarding: ForwardingStatus[];
}

export function ticketState(receivedAt: Date | null, now: Date): TicketState {
  if (!receivedAt) return 'missing';
  const age = now.getTime() - receivedAt.getTime();
  if (age < TICKET_FRESH_MS) return 'fresh';
  return age < TICKET_LIFETIME_MS ? 'stale' : 'expired';
}

export function componentTokenState(token: string | null, expiresAt: Date | null, now: Date): ComponentTokenState {
  if (!token || !expiresAt) return 'missing';
  const left = expiresAt.getTime() - now.getTime();
  if (left <= 0) return 'expired';
  return left > EXPIRING_WITHIN_MS ? 'valid' : 'expiring';
}

export async function platformStatus(deps: { db: Database; clock: Clock }, componentAppid: string): Promise<PlatformStatus> {
  const now = deps.clock.now();
  const tokens = new TokenRepository(deps.db.knex, deps.clock);
  const [ticket, token, accounts, rules, backlog] = await Promise.all([
    tokens.readTicket(componentAppid),
    tokens.readComponentToken(componentAppid),
    listAccounts(deps, { includeRemoved: true }),
    new ForwardRuleRepository(deps.db.knex).active(),
    new ForwardDeliveryRepository(deps.db).backlog(),
  ]);
  const forwarding: ForwardingStatus[] = rules.map((r) => {
    const b = backlog.find((x) => x.ruleId === Number(r.id));
    return {
      ruleId: Number(r.id),
      name: r.name,
      mode: r.mode,
      target: r.target,
      pending: b?.pending ?? 0,
      oldestPendingAt: b?.oldestPendingAt?.toISOString() ?? null,
      dead: b?.dead ?? 0,
    };
  });
  const byTokenState: Record<TokenStateKey, number> = { valid: 0, expiring: 0, needsReauthorization: 0 };
  const needing: AccountNeedingAuthorization[] = [];
  const withoutOriginalId: AccountsStatus['withoutOriginalId'] = [];
  let authorized = 0;
  let removed = 0;
  for (const a of accounts) {
    if (a.state !== 'valid') {
      if (a.state === 'removed') removed++;
      continue;
    }
    authorized++;
    byTokenState[TOKEN_STATE_KEY[a.token.state]]++;
    if (!a.originalId) withoutOriginalId.push({ id: a.id, appid: a.appid });
    if (a.token.state === 'needs-reauthorization') needing.push({ id: a.id, appid: a.appid, nickname: a.nickname, reason: a.token.reason });
  }
  const expiresAt = token?.expiresAt ?? null;
  return {
    componentAppid,
    ticket: {
      state: ticketState(ticket?.receivedAt ?? null, now),
      receivedAt: ticket ? ticket.receivedAt.toISOString() : null,
      ageSeconds: ticket ? Math.max(0, Math.round((now.getTime() - ticket.receivedAt.getTime()) / 1000)) : null,
    },
    componentToken: {
      state: componentTokenState(token?.token ?? null, expiresAt, now),
      expiresAt: expiresAt ? expiresAt.toISOString() : null,
      expiresInSeconds: expiresAt ? Math.round((expiresAt.getTime() - now.getTime()) / 1000) : null,
    },
    accounts: { authorized, removed, byTokenState, needingAuthorization: needing, withoutOriginalId },
    forwarding,
  };
}
