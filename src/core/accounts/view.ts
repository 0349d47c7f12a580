// How an account is shown: camelCase, ISO times, types in words, and the token state — never a token.
import type { OfficialAccountRow } from '../../db/rows.js';
import { STATUS } from '../../db/rows.js';
import { isoOrNull } from '../../db/time.js';
import { SERVICE_TYPES, VERIFY_TYPES } from './profile.js';

export type TokenState = 'valid' | 'expiring' | 'needs-reauthorization';

/** What TokenRepository.authorizerStates() tells about one account. */
export interface AuthorizerState {
  appid: string;
  expiresAt: Date | null;
  hasRefreshToken: boolean;
  needsReauth: boolean;
  reason: string | null;
}

export interface TokenStatus {
  state: TokenState;
  /** When the access token expires (it is renewed from the refresh token on next use). */
  expiresAt: string | null;
  reason: string | null;
}

export interface AccountSummary {
  id: number;
  appid: string | null;
  nickname: string | null;
  originalId: string | null;
  serviceTypeId: number | null;
  serviceType: string | null;
  verifyTypeId: number | null;
  verifyType: string | null;
  funcIds: number[];
  /** The production row's status: 1 valid, -2 removed (anything else: unknown). */
  state: 'valid' | 'removed' | 'unknown';
  token: TokenStatus;
}

export interface AccountDetail extends AccountSummary {
  principalName: string | null;
  alias: string | null;
  avatarUrl: string | null;
  qrcodeUrl: string | null;
  /** Business features; the seed stores 1 = not enabled, 2 = enabled. */
  business: { store: boolean | null; scan: boolean | null; pay: boolean | null; card: boolean | null; shake: boolean | null };
  createdAt: string | null;
  updatedAt: string | null;
}

/** Less than this left on the access token counts as expiring (the token keeper's refresh margin). */
export const EXPIRING_WITHIN_MS = 10 * 60_000;

export const TOKEN_STATE_WORDS: Record<TokenState, string> = {
  valid: 'valid',
  expiring: 'expiring',
  'needs-reauthorization': 'needs re-authorization',
};

export function tokenStatus(state: AuthorizerState | undefined, now: Date): TokenStatus {
  if (!state || !state.hasRefreshToken) {
    return { state: 'needs-reauthorization', expiresAt: null, reason: state?.reason ?? 'wxplat holds no tokens for it' };
  }
  const expiresAt = state.expiresAt ? state.expiresAt.toISOString() : null;
  if (state.needsReauth) return { state: 'needs-reauthorization', expiresAt, reason: state.reason };
  const left = state.expiresAt ? state.expiresAt.getTime() - now.getTime() : -1;
  return { state: left > EXPIRING_WITHIN_MS ? 'valid' : 'expiring', expiresAt, reason: null };
}

export function funcIdList(funcIds: string | null): number[] {
  return (funcIds ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

function statusName(status: number | null): AccountSummary['state'] {
  if (status === STATUS.valid) return 'valid';
  if (status === STATUS.deleted) return 'removed';
  return 'unknown';
}

function typeName(names: Record<number, string>, id: number | null): string | null {
  if (id === null || id === undefined) return null;
  return names[id] ?? `other (${id})`;
}

function flag(value: number | null): boolean | null {
  if (value === 2) return true;
  if (value === 1) return false;
  return null;
}

export function accountSummary(row: OfficialAccountRow, state: AuthorizerState | undefined, now: Date): AccountSummary {
  const serviceTypeId = row.service_type_id === null ? null : Number(row.service_type_id);
  const verifyTypeId = row.verify_type_id === null ? null : Number(row.verify_type_id);
  const statusCode = row.status === null ? null : Number(row.status);
  return {
    id: Number(row.official_account_id),
    appid: row.appid,
    nickname: row.nickname,
    originalId: row.original_id,
    serviceTypeId,
    serviceType: typeName(SERVICE_TYPES, serviceTypeId),
    verifyTypeId,
    verifyType: typeName(VERIFY_TYPES, verifyTypeId),
    funcIds: funcIdList(row.func_ids),
    state: statusName(statusCode),
    token: tokenStatus(state, now),
  };
}

export function accountDetail(row: OfficialAccountRow, state: AuthorizerState | undefined, now: Date): AccountDetail {
  return {
    ...accountSummary(row, state, now),
    principalName: row.principal_name,
    alias: row.alias,
    avatarUrl: row.avartar_url,
    qrcodeUrl: row.qrcode_url,
    business: {
      store: flag(row.business_info_open_store),
      scan: flag(row.business_info_open_scan),
      pay: flag(row.business_info_open_pay),
      card: flag(row.business_info_open_card),
      shake: flag(row.business_info_open_shake),
    },
    createdAt: isoOrNull(row.created_at),
    updatedAt: isoOrNull(row.updated_at),
  };
}

/** A short label for messages: `3 wx1234… (Nickname)`. */
export function accountLabel(row: Pick<OfficialAccountRow, 'official_account_id' | 'appid' | 'nickname'>): string {
  const name = row.nickname ? ` (${row.nickname})` : '';
  return `${row.official_account_id} ${row.appid ?? ''}${name}`.replace(/\s+\(/, ' (');
}

/** The account as other results name it. */
export interface AccountRef {
  id: number;
  appid: string | null;
  nickname: string | null;
}

export function accountRef(row: Pick<OfficialAccountRow, 'official_account_id' | 'appid' | 'nickname'>): AccountRef {
  return { id: Number(row.official_account_id), appid: row.appid, nickname: row.nickname };
}
