// An account's standing: what WeChat last said of it (account_status) and whether it granted the
// permission sets wxplat uses. `account show` and `doctor` report it.
import type { Database } from '../../db/database.js';
import { AuthorizerStatusRepository } from '../../db/repositories/authorizer-status.js';
import type { AuthorizerStatusRow } from '../../db/rows.js';
import { isoOrNull } from '../../db/time.js';

/** api_get_authorizer_info.account_status (wechat-api.md §1.7; docs/wechat-facts.md). */
export const ACCOUNT_STATUS_NAMES: Readonly<Record<number, string>> = {
  1: 'normal',
  14: 'cancelled',
  16: 'banned',
  18: 'warned',
  19: 'frozen',
};

/** Statuses under which nothing can be sent for the account. */
export const UNUSABLE_STATUSES = new Set([14, 16, 19]);

export interface AccountStatus {
  code: number | null;
  /** normal, cancelled, banned, warned, frozen; `unknown (N)` for a code WeChat has not documented. */
  name: string;
  /** When wxplat last fetched the profile. */
  checkedAt: string | null;
}

export function accountStatusName(code: number | null): string {
  if (code === null) return 'not given by WeChat';
  return ACCOUNT_STATUS_NAMES[code] ?? `unknown (${code})`;
}

/** A permission set wxplat uses; an account granting any of `funcIds` has it (the API pages list them). */
export interface PermissionNeed {
  key: 'templateMessages' | 'userManagement';
  funcIds: readonly number[];
  label: string;
  /** What fails without it. */
  uses: string;
}

export const PERMISSIONS_USED: readonly PermissionNeed[] = [
  {
    key: 'templateMessages',
    funcIds: [7, 100, 101],
    label: '群发与通知 (7)',
    uses: 'template messages: industry set, template sync and template send get 48001',
  },
  { key: 'userManagement', funcIds: [2, 100], label: '用户管理 (2)', uses: 'followers: user sync gets 48001' },
];

export function missingPermissions(funcIds: readonly number[]): PermissionNeed[] {
  return PERMISSIONS_USED.filter((p) => !p.funcIds.some((id) => funcIds.includes(id)));
}

export interface AccountStanding {
  /** null until wxplat has fetched the profile since it started recording it. */
  accountStatus: AccountStatus | null;
  permissions: { templateMessages: boolean; userManagement: boolean };
  /** Labels of the permission sets the account has not granted. */
  missing: string[];
}

export function standingOf(row: AuthorizerStatusRow | undefined, funcIds: readonly number[]): AccountStanding {
  const missing = missingPermissions(funcIds);
  return {
    accountStatus: row ? { code: row.account_status, name: accountStatusName(row.account_status), checkedAt: isoOrNull(row.checked_at) } : null,
    permissions: {
      templateMessages: !missing.some((m) => m.key === 'templateMessages'),
      userManagement: !missing.some((m) => m.key === 'userManagement'),
    },
    missing: missing.map((m) => m.label),
  };
}

export async function statusesByAppid(db: Database): Promise<Map<string, AuthorizerStatusRow>> {
  const rows = await new AuthorizerStatusRepository(db.knex).all();
  return new Map(rows.map((r) => [r.authorizer_appid, r]));
}
