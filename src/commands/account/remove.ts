import { isRemoved, removeAccount } from '../../core/accounts/remove.js';
import { accountLabel } from '../../core/accounts/view.js';
import type { CommandContext } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { declined } from '../confirm.js';
import { accountArgument } from './ask.js';

export async function run(ctx: CommandContext, { args }: InputOf<typeof specs.remove>): Promise<void> {
  const row = await accountArgument(ctx, args[0], { includeRemoved: true });
  if (!isRemoved(row) && !ctx.globals.yes) {
    if (!ctx.prompter.canPrompt) {
      throw new UsageError(`removing account ${accountLabel(row)} needs confirmation: pass --yes`, 'there is no terminal to ask on');
    }
    const sure = await ctx.prompter.confirm(
      `Remove account ${accountLabel(row)}? It is marked removed (status -2); its tokens and templates are kept, and \`wxplat account authorize\` brings it back.`,
      false,
    );
    if (!sure) return declined(ctx, `account ${accountLabel(row)} not removed: you answered no`);
  }
  const result = await removeAccount({ db: await ctx.db(), clock: ctx.clock }, row);
  ctx.out.result(result, (r) => {
    if (r.removed) ctx.out.line(`removed account ${accountLabel(row)}`);
    else ctx.out.line(`account ${accountLabel(row)} was removed already`);
  });
}
