// `wxplat forward add --to URL [filters] [--mode async|reply] [--format xml|json] [--name N]`
import type { CommandContext } from '../../context.js';
import { addForwardRule } from '../../core/forwarding/manage.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { ruleFilter, ruleLabel } from './print.js';

export async function run(ctx: CommandContext, { opts }: InputOf<typeof specs.add>): Promise<void> {
  const added = await addForwardRule({ db: await ctx.db(), clock: ctx.clock }, opts);
  // The secret is printed here, once: the command exists to hand it over.
  ctx.out.result(added, ({ rule, secret }) => {
    ctx.out.line(`rule ${ruleLabel(rule)}: ${rule.mode} ${rule.format} → ${rule.target}`);
    ctx.out.line(`  takes ${ruleFilter(rule)} (${rule.route} route)`);
    ctx.out.line(`  signing secret: ${secret}`);
    ctx.out.note('keep the secret where the receiving service can check X-Wxplat-Signature; it is not shown again (`wxplat forward rotate-secret` makes a new one)');
  });
}
