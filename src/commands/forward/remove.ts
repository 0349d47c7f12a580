// `wxplat forward remove <rule>`
import type { CommandContext } from '../../context.js';
import { removeForwardRule } from '../../core/forwarding/manage.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { ruleLabel } from './print.js';

export async function run(ctx: CommandContext, { args: [ref] }: InputOf<typeof specs.remove>): Promise<void> {
  const rule = await removeForwardRule({ db: await ctx.db(), clock: ctx.clock }, ref);
  ctx.out.result({ removed: rule }, () => ctx.out.line(`removed rule ${ruleLabel(rule)} (→ ${rule.target}); running serve processes stop using it within seconds`));
}
