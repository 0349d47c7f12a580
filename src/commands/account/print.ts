// Human renderings shared by the account commands.
import type { ChalkInstance } from 'chalk';
import type { AccountShow } from '../../core/accounts/show.js';
import { UNUSABLE_STATUSES } from '../../core/accounts/standing.js';
import { TOKEN_STATE_WORDS, type AccountDetail, type AccountSummary, type TokenState } from '../../core/accounts/view.js';
import { escapeControl } from '../../output/escape.js';
import type { Output } from '../../output/output.js';

export function tokenWords(state: TokenState): string {
  return TOKEN_STATE_WORDS[state];
}

export function styleToken(text: string, state: TokenState, c: ChalkInstance): string {
  if (state === 'valid') return c.green(text);
  if (state === 'expiring') return c.yellow(text);
  return c.red(text);
}

export function styleStatus(text: string, status: AccountSummary['state'], c: ChalkInstance): string {
  return status === 'valid' ? text : c.dim(text);
}

/** `label   value` lines, labels aligned. */
export function printFields(out: Output, fields: Array<[string, string | number | null | undefined]>): void {
  const width = Math.max(...fields.map(([label]) => label.length)) + 2;
  for (const [label, value] of fields) {
    out.line(`${out.c.dim(label.padEnd(width))}${value === null || value === undefined || value === '' ? '—' : value}`);
  }
}

function yesNo(value: boolean | null): string | null {
  return value === null ? null : value ? 'yes' : 'no';
}

export function accountFields(a: AccountDetail, out: Output): Array<[string, string | number | null]> {
  const token = styleToken(tokenWords(a.token.state), a.token.state, out.c);
  const expires = a.token.expiresAt ? ` (access token until ${out.time(a.token.expiresAt)})` : '';
  const reason = a.token.reason ? ` — ${a.token.reason}` : '';
  // What WeChat's profile gave: shown, never obeyed by the terminal.
  const given = (v: string | null) => (v === null ? null : escapeControl(v));
  return [
    ['id', a.id],
    ['appid', a.appid],
    ['nickname', given(a.nickname)],
    ['original id', given(a.originalId)],
    ['alias', given(a.alias)],
    ['principal', given(a.principalName)],
    ['service type', a.serviceType],
    ['verify type', a.verifyType],
    ['func ids', a.funcIds.join(',')],
    ['state', a.state],
    ['token', `${token}${expires}${reason}`],
    ['pay enabled', yesNo(a.business.pay)],
    ['qrcode url', given(a.qrcodeUrl)],
    ['avatar url', given(a.avatarUrl)],
    ['created', out.time(a.createdAt)],
    ['updated', out.time(a.updatedAt)],
  ];
}

/** `normal (1), checked …`, red when WeChat has banned, frozen or cancelled the account. */
export function statusWords(a: AccountShow, c: ChalkInstance): string {
  const s = a.standing.accountStatus;
  if (!s) return 'not checked yet (`wxplat account refresh` asks WeChat)';
  const text = `${s.name}${s.code === null ? '' : ` (${s.code})`}, checked ${s.checkedAt ?? '?'}`;
  if (s.code !== null && UNUSABLE_STATUSES.has(s.code)) return c.red(`${text}: WeChat refuses to act for it`);
  return s.code === 1 ? text : c.yellow(text);
}

export function permissionWords(a: AccountShow, c: ChalkInstance): string {
  const p = a.standing.permissions;
  const granted = `template messages ${p.templateMessages ? 'yes' : 'no'}, user management ${p.userManagement ? 'yes' : 'no'}`;
  if (a.standing.missing.length === 0) return granted;
  return `${granted} — ${c.yellow(`lacks ${a.standing.missing.join(' and ')}: its admin must grant it by authorizing again`)}`;
}
