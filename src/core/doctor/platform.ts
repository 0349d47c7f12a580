// The ticket, the component token and the accounts, judged from `platform status`.
import type { PlatformStatus } from '../platform/status.js';
import { describeDuration } from '../platform/age.js';
import { check, type Check } from './check.js';

const TICKET_ADVICE =
  'tickets are not arriving: `wxplat serve` must run where WeChat reaches the authorization event URL (POST /wechat/component)';

export function ticketCheck(s: PlatformStatus): Check {
  const t = s.ticket;
  const age = t.ageSeconds === null ? '' : describeDuration(t.ageSeconds * 1000);
  switch (t.state) {
    case 'fresh':
      return check('ticket', 'ok', `received ${age} ago`);
    case 'stale':
      return check('ticket', 'warn', `received ${age} ago; WeChat pushes one every 10 minutes`, `${TICKET_ADVICE}; the last one expires 12 h after it came`);
    case 'expired':
      return check('ticket', 'fail', `received ${age} ago; a ticket is good for 12 h`, `${TICKET_ADVICE}; until one comes, no component token can be fetched`);
    case 'missing':
      return check('ticket', 'fail', 'no component_verify_ticket has arrived', TICKET_ADVICE);
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

export function accountsCheck(s: PlatformStatus): Check {
  const a = s.accounts;
  const name = 'accounts';
  if (a.authorized === 0) {
    return check(name, 'warn', `no authorized accounts${a.removed ? ` (${a.removed} removed)` : ''}`, 'authorize one with `wxplat account authorize`');
  }
  if (a.needingAuthorization.length > 0) {
    const list = a.needingAuthorization
      .slice(0, 5)
      .map((n) => `${n.appid ?? n.id}${n.reason ? ` (${n.reason})` : ''}`)
      .join(', ');
    const more = a.needingAuthorization.length > 5 ? ` and ${a.needingAuthorization.length - 5} more` : '';
    return check(
      name,
      'fail',
      `${a.needingAuthorization.length} of ${a.authorized} need re-authorization: ${list}${more}`,
      "run `wxplat account authorize` and have each account's admin scan the code again",
    );
  }
  if (a.withoutOriginalId.length > 0) {
    const first = a.withoutOriginalId[0]!;
    return check(
      name,
      'warn',
      `${a.withoutOriginalId.length} of ${a.authorized} have no original id on record, so serve refuses their pushes: ${a.withoutOriginalId
        .slice(0, 5)
        .map((x) => x.appid ?? x.id)
        .join(', ')}`,
      `fetch their profiles: wxplat account refresh ${a.withoutOriginalId.length === 1 ? (first.appid ?? first.id) : '--all'}`,
    );
  }
  return check(name, 'ok', `${a.authorized} authorized, each with a refresh token`);
}
