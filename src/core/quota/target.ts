// `<account>|component` for the quota commands: the platform itself, or an account wxplat holds tokens
// for (checked before WeChat is asked: exit 2 otherwise).
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { requireAuthorized } from '../accounts/authorized.js';
import { resolveAccount } from '../accounts/resolve.js';
import { accountRef, type AccountRef } from '../accounts/view.js';

export type QuotaTarget = { kind: 'component'; appid: string } | ({ kind: 'account' } & AccountRef & { appid: string });

export async function resolveQuotaTarget(deps: { db: Database; clock: Clock }, ref: string, componentAppid: string): Promise<QuotaTarget> {
  if (ref.trim().toLowerCase() === 'component') return { kind: 'component', appid: componentAppid };
  const row = await resolveAccount(deps.db, ref, { includeRemoved: true });
  await requireAuthorized(deps.db, deps.clock, row);
  return { kind: 'account', ...accountRef(row), appid: row.appid! };
}

export function targetLabel(t: QuotaTarget): string {
  return t.kind === 'component' ? `the platform (component ${t.appid})` : `account ${t.id} ${t.appid}${t.nickname ? ` (${t.nickname})` : ''}`;
}
