import { showPayParams } from '../../core/accounts/pay.js';
import { accountLabel } from '../../core/accounts/view.js';
import type { CommandContext } from '../../context.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { accountArgument } from './ask.js';
import { printFields } from './print.js';

export async function run(ctx: CommandContext, { args }: InputOf<typeof specs.payShow>): Promise<void> {
  const row = await accountArgument(ctx, args[0]);
  const pay = await showPayParams({ db: await ctx.db() }, row);
  ctx.out.result(pay, (p) => {
    if (!p.configured) {
      ctx.out.note(`account ${accountLabel(row)} has no pay settings: \`wxplat account pay set ${p.account.id} --mch-id ID --name NAME\``);
      return;
    }
    printFields(ctx.out, [
      ['account', accountLabel(row)],
      ['mch id', p.mchId],
      ['name', p.name],
      ['key', p.key],
      ['updated', ctx.out.time(p.updatedAt)],
    ]);
  });
}
