// `wxplat forward remove <rule>`
import type { CommandContext } from '../../context.js';
import { removeForwardRule } from '../../core/forwarding/manage.js';
import type { Input } from '../action.js';
import { ruleLabel } from './print.js';

export async function run(ctx: CommandContext, { args: [ref] }: Input<[string], {}>): Promise<void> {
  const rule = await removeForwardRule({ db: await ctx.db(), clock: ctx.clock }, ref);
  ctx.out.result({ removed: rule }, () => ctx.out.line(`removed rule ${ruleLabel(rule)} (→ ${rule.target}); running serve processes stop using it within seconds`));
}
