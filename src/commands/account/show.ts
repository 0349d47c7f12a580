import { showAccount } from '../../core/accounts/show.js';
import type { CommandContext } from '../../context.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { accountArgument } from './ask.js';
import { accountFields, permissionWords, printFields, statusWords } from './print.js';

export async function run(ctx: CommandContext, { args }: InputOf<typeof specs.show>): Promise<void> {
  const row = await accountArgument(ctx, args[0], { includeRemoved: true });
  const account = await showAccount({ db: await ctx.db(), clock: ctx.clock }, row);
  ctx.out.result(account, (a) => {
    const industries = a.industries ? `${a.industries.primary} / ${a.industries.secondary} (recorded ${a.industries.updatedAt ? ctx.out.time(a.industries.updatedAt) : '?'})` : null;
    const pay = a.pay ? `mch id ${a.pay.mchId ?? '?'}, ${a.pay.name ?? ''} (\`wxplat account pay show ${a.id}\`)` : null;
    printFields(ctx.out, [
      ...accountFields(a, ctx.out),
      ['account status', statusWords(a, ctx.out.c)],
      ['permissions', permissionWords(a, ctx.out.c)],
      ['industries', industries],
      ['templates', a.templates],
      ['pay settings', pay],
    ]);
  });
}
