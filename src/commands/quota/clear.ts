// `wxplat quota clear <account>|component`: asks first (or --yes); WeChat allows 10 resets a month.
import type { CommandContext } from '../../context.js';
import { clearQuota, RESETS_A_MONTH } from '../../core/quota/quota.js';
import { resolveQuotaTarget, targetLabel } from '../../core/quota/target.js';
import { UsageError } from '../../errors.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { declined } from '../confirm.js';

export async function run(ctx: CommandContext, { args: [ref] }: InputOf<typeof specs.clear>): Promise<void> {
  const wechat = await ctx.wechat();
  const target = await resolveQuotaTarget({ db: await ctx.db(), clock: ctx.clock }, ref, wechat.componentAppid);
  const what = `today's API call counts of ${targetLabel(target)}`;
  if (!ctx.globals.yes) {
    if (!ctx.prompter.canPrompt) throw new UsageError(`resetting ${what} needs confirmation: pass --yes`, `there is no terminal to ask on; WeChat allows ${RESETS_A_MONTH} resets a month`);
    const sure = await ctx.prompter.confirm(`Reset ${what}? WeChat allows ${RESETS_A_MONTH} resets a month, and this uses one.`, false);
    if (!sure) return declined(ctx, `${what} not reset: you answered no`);
  }
  const result = await clearQuota(wechat, target);
  ctx.out.result(result, () => {
    ctx.out.line(`WeChat reset ${what} (${result.via}).`);
    ctx.out.note(`WeChat allows ${RESETS_A_MONTH} resets a month for each account and for the platform; past that it answers 48006.`);
  });
}
