// `wxplat quota get <account>|component [--api PATH]`
import type { CommandContext } from '../../context.js';
import { apiPath, DEFAULT_API, getQuota, type QuotaReport } from '../../core/quota/quota.js';
import { resolveQuotaTarget, targetLabel } from '../../core/quota/target.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';

export async function run(ctx: CommandContext, { args: [ref], opts }: InputOf<typeof specs.get>): Promise<void> {
  const api = opts.api === undefined ? undefined : apiPath(opts.api);
  const wechat = await ctx.wechat();
  const target = await resolveQuotaTarget({ db: await ctx.db(), clock: ctx.clock }, ref, wechat.componentAppid);
  const report = await getQuota(wechat, target, api ?? DEFAULT_API[target.kind]);
  ctx.out.result(report, (r) => print(ctx, r));
}

function rate(r: QuotaReport['rateLimit']): string | null {
  return r ? `${r.calls} calls per ${r.seconds} s` : null;
}

function print(ctx: CommandContext, r: QuotaReport): void {
  const { c } = ctx.out;
  const left = r.remaining === 0 ? c.red(String(r.remaining)) : r.remaining < r.dailyLimit * 0.1 ? c.yellow(String(r.remaining)) : String(r.remaining);
  const fields: Array<[string, string | null]> = [
    ['target', targetLabel(r.target)],
    ['api', r.api],
    ['daily limit', String(r.dailyLimit)],
    ['used today', String(r.used)],
    ['remaining', `${left} (resets at midnight Beijing time)`],
    ['rate limit', rate(r.rateLimit)],
    ['for the platform', rate(r.componentRateLimit)],
  ];
  for (const [label, value] of fields) if (value !== null) ctx.out.line(`${c.dim(label.padEnd(17))}${value}`);
}
