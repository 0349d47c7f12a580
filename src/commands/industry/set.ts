import { listIndustryCodes } from '../../core/industries/list.js';
import { MONTHLY_RULE, parseIndustryCode, planIndustryChange, setAccountIndustries, type IndustryChoice } from '../../core/industries/set.js';
import { accountLabel } from '../../core/accounts/view.js';
import type { CommandContext } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { accountArgument } from '../account/ask.js';
import { declined } from '../confirm.js';

const named = (c: IndustryChoice) => `${c.code} ${c.main ?? '?'} / ${c.sub ?? '?'}`;

async function industryOrAsk(ctx: CommandContext, value: string | undefined, what: 'primary' | 'secondary', exclude?: number): Promise<number> {
  if (value !== undefined) return parseIndustryCode(value, `<${what}-code>`);
  if (!ctx.prompter.canPrompt) {
    throw new UsageError(`missing <${what}-code>: give two industry codes`, '`wxplat industry list` shows them (there is no terminal to ask on)');
  }
  const codes = (await listIndustryCodes(await ctx.db())).filter((c) => c.code !== exclude);
  if (codes.length === 0) throw new UsageError('there are no industry codes yet', 'run `wxplat db seed`');
  return ctx.prompter.select(
    `${what === 'primary' ? 'Primary' : 'Secondary'} industry:`,
    codes.map((c) => ({ name: `${String(c.code).padStart(2)}  ${c.main} / ${c.sub}`, value: c.code })),
  );
}

export async function run(
  ctx: CommandContext,
  { args, opts }: InputOf<typeof specs.set>,
): Promise<void> {
  const [ref, primaryArg, secondaryArg] = args;
  // Codes given on the command line are checked before an account is looked up or asked for.
  if (primaryArg !== undefined) parseIndustryCode(primaryArg, '<primary-code>');
  if (secondaryArg !== undefined) parseIndustryCode(secondaryArg, '<secondary-code>');
  const row = await accountArgument(ctx, ref);
  const primary = await industryOrAsk(ctx, primaryArg, 'primary');
  const secondary = await industryOrAsk(ctx, secondaryArg, 'secondary', primary);
  const input = { primary, secondary, force: opts.force };
  // The checks first (the codes, the monthly rule): the question is asked only of a change WeChat would be asked for.
  const plan = await planIndustryChange({ db: await ctx.db(), clock: ctx.clock }, row, input);
  if (plan.changes && ctx.prompter.canPrompt) {
    const go = await ctx.prompter.confirm(
      `Set the industries of account ${accountLabel(row)} to ${named(plan.primary)} and ${named(plan.secondary)}? ${MONTHLY_RULE}.`,
      false,
    );
    if (!go) {
      declined(ctx, `industries of account ${accountLabel(row)} not changed: you answered no`);
      return;
    }
  }
  const result = await setAccountIndustries({ db: await ctx.db(), wechat: await ctx.wechat(), clock: ctx.clock }, row, input);
  ctx.out.result(result, (r) => {
    const pair = `${r.primary.code} ${r.primary.main} / ${r.primary.sub} and ${r.secondary.code} ${r.secondary.main} / ${r.secondary.sub}`;
    if (!r.changed) {
      ctx.out.line(`account ${accountLabel(row)} has ${pair} already: nothing to change`);
      return;
    }
    ctx.out.line(`set the industries of account ${accountLabel(row)} to ${pair}`);
    ctx.out.note(`WeChat deletes templates outside the new industries: run \`wxplat template sync ${r.account.id}\``);
  });
}
