import type { CommandContext } from '../../context.js';
import { findKey, removeKey } from '../../core/tokens/keys.js';
import { UsageError } from '../../errors.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { declined } from '../confirm.js';

export async function run(ctx: CommandContext, { args }: InputOf<typeof specs.keysRemove>): Promise<void> {
  const db = await ctx.db();
  const key = await findKey({ db }, args[0]);
  if (!ctx.globals.yes) {
    if (!ctx.prompter.canPrompt) {
      throw new UsageError(`removing key "${key.name}" needs confirmation: pass --yes`, 'there is no terminal to ask on');
    }
    const sure = await ctx.prompter.confirm(`Remove key "${key.name}"? The service using it is refused from the next second on.`, false);
    if (!sure) return declined(ctx, `key "${key.name}" not removed: you answered no`);
  }
  const removed = await removeKey({ db, clock: ctx.clock }, key.name);
  ctx.out.result({ ...removed, removed: true }, (r) => ctx.out.line(`removed key "${r.name}"`));
}
