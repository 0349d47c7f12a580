// From WeChat's authorizer info to an official_accounts row (wechat-api.md §9).
import type { AccountProfile } from '../../db/repositories/accounts.js';
import type { FuncInfo, GetAuthorizerInfoResponse } from '../../wechat/types.js';

/** The seed stores business features as 1 = not enabled, 2 = enabled; WeChat sends 0 / 1. */
function businessFlag(value: number | undefined): number | null {
  return value === undefined || value === null ? null : Number(value) + 1;
}

export function funcIdsOf(funcInfo: readonly FuncInfo[] | undefined): number[] {
  return (funcInfo ?? []).map((f) => Number(f.funcscope_category?.id)).filter((id) => Number.isFinite(id));
}

function clip(value: string | undefined, max: number): string | null {
  if (value === undefined || value === null) return null;
  return [...value].slice(0, max).join('');
}

export function profileFromAuthorizerInfo(
  appid: string,
  info: GetAuthorizerInfoResponse,
  funcInfo?: readonly FuncInfo[],
): AccountProfile {
  const a = info.authorizer_info ?? {};
  const b = a.business_info ?? {};
  const funcs = funcIdsOf(funcInfo ?? info.authorization_info?.func_info);
  return {
    appid,
    nickname: clip(a.nick_name, 50),
    avartar_url: clip(a.head_img, 300),
    service_type_id: a.service_type_info?.id ?? null,
    verify_type_id: a.verify_type_info?.id ?? null,
    original_id: clip(a.user_name, 40),
    principal_name: clip(a.principal_name, 300),
    alias: clip(a.alias, 100),
    business_info_open_store: businessFlag(b.open_store),
    business_info_open_scan: businessFlag(b.open_scan),
    business_info_open_pay: businessFlag(b.open_pay),
    business_info_open_card: businessFlag(b.open_card),
    business_info_open_shake: businessFlag(b.open_shake),
    qrcode_url: clip(a.qrcode_url ?? info.qrcode_url, 300),
    func_ids: funcs.length > 0 ? clip(funcs.join(','), 100) : null,
  };
}

/** account_status as WeChat gave it (1 normal …), or null when the answer had none. */
export function accountStatusOf(info: GetAuthorizerInfoResponse): number | null {
  const status = info.authorizer_info?.account_status;
  return typeof status === 'number' && Number.isInteger(status) ? status : null;
}

export const SERVICE_TYPES: Record<number, string> = {
  0: 'subscription',
  1: 'subscription (upgraded)',
  2: 'service',
};

export const VERIFY_TYPES: Record<number, string> = {
  [-1]: 'unverified',
  0: 'WeChat verified',
  1: 'Sina Weibo verified',
  2: 'Tencent Weibo verified',
  3: 'qualified, name pending',
  4: 'qualified, name pending, Sina Weibo verified',
  5: 'qualified, name pending, Tencent Weibo verified',
};
