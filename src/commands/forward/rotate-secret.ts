// `wxplat forward rotate-secret <rule>`
import type { CommandContext } from '../../context.js';
import { rotateForwardSecret } from '../../core/forwarding/manage.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { ruleLabel } from './print.js';

export async function run(ctx: CommandContext, { args: [ref] }: InputOf<typeof specs.rotateSecret>): Promise<void> {
  const rotated = await rotateForwardSecret({ db: await ctx.db(), clock: ctx.clock }, ref);
  // The new secret is printed here, once: the command exists to hand it over.
  ctx.out.result(rotated, ({ rule, secret }) => {
    ctx.out.line(`rule ${ruleLabel(rule)}: new signing secret ${secret}`);
    ctx.out.note('requests are signed with it from the next attempt on, on every serve host within seconds; it is not shown again');
  });
}
