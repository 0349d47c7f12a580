// The ticket, the component token and the accounts, judged from `platform status`.
import type { PlatformStatus } from '../platform/status.js';
import { describeDuration } from '../platform/age.js';
import type { Database } from '../../db/database.js';
import { AccountRepository } from '../../db/repositories/accounts.js';
import { accountStatusName, missingPermissions, statusesByAppid, UNUSABLE_STATUSES } from '../accounts/standing.js';
import { funcIdList } from '../accounts/view.js';
import { check, type Check } from './check.js';

const TICKET_ADVICE =
  'tickets are not arriving: `wxplat serve` must run where WeChat reaches the authorization event URL (POST /wechat/component)';

/** WeChat pushes every 10 minutes: past 30 minutes without one, ask it to start pushing again. */
export const TICKET_RESTART_AFTER_MS = 30 * 60_000;
const RESTART_ADVICE = '`wxplat platform ticket restart` asks WeChat to push one now (api_start_push_ticket)';

export function ticketCheck(s: PlatformStatus): Check {
  const t = s.ticket;
  const age = t.ageSeconds === null ? '' : describeDuration(t.ageSeconds * 1000);
  const restart = t.ageSeconds === null || t.ageSeconds * 1000 > TICKET_RESTART_AFTER_MS ? `; ${RESTART_ADVICE}` : '';
  switch (t.state) {
    case 'fresh':
      return check('ticket', 'ok', `received ${age} ago`);
    case 'stale':
      return check('ticket', 'warn', `received ${age} ago; WeChat pushes one every 10 minutes`, `${TICKET_ADVICE}; the last one expires 12 h after it came${restart}`);
    case 'expired':
      return check('ticket', 'fail', `received ${age} ago; a ticket is good for 12 h`, `${TICKET_ADVICE}; until one comes, no component token can be fetched${restart}`);
    case 'missing':
      return check('ticket', 'fail', 'no component_verify_ticket has arrived', `${TICKET_ADVICE}${restart}`);
  }
}

export function componentTokenCheck(s: PlatformStatus): Check {
  const k = s.componentToken;
  const name = 'component token';
  if (k.state === 'valid' || k.state === 'expiring') return check(name, 'ok', `expires in ${describeDuration(k.expiresInSeconds! * 1000)}`);
  const usableTicket = s.ticket.state === 'fresh' || s.ticket.state === 'stale';
  const what = k.state === 'missing' ? 'none fetched yet' : `expired ${describeDuration(-k.expiresInSeconds! * 1000)} ago`;
  // An expired token is normal after two idle hours: the next command renews it from the ticket.
  if (usableTicket) return check(name, 'ok', `${what}; renewed from the ticket on next use`);
  return check(name, 'fail', `${what}, and it cannot be renewed without a ticket`, 'fix the ticket first (see above)');
}

/** What is wrong with an authorized account's standing: WeChat's account_status, permission sets not granted. */
export interface AccountFlag {
  id: number;
  appid: string | null;
  /** null: never checked, or not given. */
  accountStatus: number | null;
  /** Labels of the permission sets wxplat uses that the account has not granted. */
  missing: string[];
}

/** Every authorized account whose standing is not plain: a status other than normal, or a permission set missing. */
export async function accountFlags(db: Database): Promise<AccountFlag[]> {
  const [accounts, statuses] = await Promise.all([new AccountRepository(db.knex).list(false), statusesByAppid(db)]);
  const flags: AccountFlag[] = [];
  for (const a of accounts) {
    const status = a.appid ? (statuses.get(a.appid)?.account_status ?? null) : null;
    const missing = missingPermissions(funcIdList(a.func_ids)).map((m) => m.label);
    if ((status !== null && status !== 1) || missing.length > 0) {
      flags.push({ id: Number(a.official_account_id), appid: a.appid, accountStatus: status, missing });
    }
  }
  return flags;
}

function listed<T>(items: readonly T[], show: (item: T) => string): string {
  const shown = items.slice(0, 5).map(show).join(', ');
  return items.length > 5 ? `${shown} and ${items.length - 5} more` : shown;
}

export function accountsCheck(s: PlatformStatus, flags: readonly AccountFlag[] = []): Check {
  const a = s.accounts;
  const name = 'accounts';
  if (a.authorized === 0) {
    return check(name, 'warn', `no authorized accounts${a.removed ? ` (${a.removed} removed)` : ''}`, 'authorize one with `wxplat account authorize`');
  }
  const details: string[] = [];
  const advice: string[] = [];
  let status: 'ok' | 'warn' | 'fail' = 'ok';
  if (a.needingAuthorization.length > 0) {
    status = 'fail';
    details.push(`${a.needingAuthorization.length} of ${a.authorized} need re-authorization: ${listed(a.needingAuthorization, (n) => `${n.appid ?? n.id}${n.reason ? ` (${n.reason})` : ''}`)}`);
    advice.push("run `wxplat account authorize` and have each account's admin scan the code again");
  }
  const label = (f: AccountFlag) => `${f.appid ?? f.id}`;
  const unusable = flags.filter((f) => f.accountStatus !== null && UNUSABLE_STATUSES.has(f.accountStatus));
  if (unusable.length > 0) {
    status = 'fail';
    details.push(`${unusable.length} ${unusable.length === 1 ? 'is' : 'are'} ${listed(unusable, (f) => `${label(f)} ${accountStatusName(f.accountStatus)} (${f.accountStatus})`)} at WeChat`);
    advice.push('WeChat banned, froze or cancelled them: nothing can be done for them until their admins settle it in the MP console');
  }
  const odd = flags.filter((f) => f.accountStatus !== null && f.accountStatus !== 1 && !UNUSABLE_STATUSES.has(f.accountStatus));
  if (odd.length > 0) {
    if (status === 'ok') status = 'warn';
    details.push(`${listed(odd, (f) => `${label(f)} ${accountStatusName(f.accountStatus)} (${f.accountStatus})`)} at WeChat`);
    advice.push('a warned account may be restricted next: its admin sees why in the MP console');
  }
  const lacking = flags.filter((f) => f.missing.length > 0);
  if (lacking.length > 0) {
    if (status === 'ok') status = 'warn';
    details.push(`${lacking.length} lack${lacking.length === 1 ? 's' : ''} permission sets wxplat uses: ${listed(lacking, (f) => `${label(f)} (${f.missing.join(', ')})`)}`);
    advice.push('calls that need them get 48001: have the admin authorize again granting them (`wxplat account show` lists what each granted)');
  }
  if (a.withoutOriginalId.length > 0) {
    if (status === 'ok') status = 'warn';
    const first = a.withoutOriginalId[0];
    details.push(`${a.withoutOriginalId.length} of ${a.authorized} have no original id on record, so serve refuses their pushes: ${listed(a.withoutOriginalId, (x) => `${x.appid ?? x.id}`)}`);
    advice.push(`fetch their profiles: wxplat account refresh ${a.withoutOriginalId.length === 1 ? (first.appid ?? first.id) : '--all'}`);
  }
  if (status === 'ok') return check(name, 'ok', `${a.authorized} authorized, each with a refresh token`);
  return check(name, status, details.join('; '), advice.join('; '));
}
