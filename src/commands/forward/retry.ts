// `wxplat forward retry [--dead] [--rule R]`
import type { CommandContext } from '../../context.js';
import { retryForwards } from '../../core/forwarding/manage.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';


export async function run(ctx: CommandContext, { opts }: InputOf<typeof specs.retry>): Promise<void> {
  const r = await retryForwards({ db: await ctx.db(), clock: ctx.clock }, { dead: Boolean(opts.dead), rule: opts.rule });
  ctx.out.result(r, () => {
    const what = opts.dead ? 'dead deliveries' : 'deliveries waiting after a failure';
    ctx.out.line(`${r.retried} ${what}${r.ruleId !== null ? ` of rule ${r.ruleId}` : ''} due again now`);
    if (r.retried > 0) ctx.out.note('a running `wxplat serve` sends them; `wxplat records tail forwards --follow` shows how they go');
  });
}
