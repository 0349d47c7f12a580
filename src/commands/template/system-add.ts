import { listIndustryCodes } from '../../core/industries/list.js';
import { parseIndustryCode } from '../../core/industries/set.js';
import { addCatalogueEntry, parseKeywordList } from '../../core/templates/catalogue.js';
import type { CommandContext } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { valueOrAsk } from '../account/ask.js';


async function industryOrAsk(ctx: CommandContext, value: string | undefined): Promise<number> {
  if (value !== undefined) return parseIndustryCode(value, '--industry');
  if (!ctx.prompter.canPrompt) throw new UsageError('missing --industry', 'the industry code, see `wxplat industry list` (there is no terminal to ask on)');
  const codes = await listIndustryCodes(await ctx.db());
  if (codes.length === 0) throw new UsageError('there are no industry codes yet', 'run `wxplat db seed`');
  return ctx.prompter.select(
    'Industry of the template:',
    codes.map((c) => ({ name: `${String(c.code).padStart(2)}  ${c.main} / ${c.sub}`, value: c.code })),
  );
}

export async function run(ctx: CommandContext, { opts }: InputOf<typeof specs.systemAdd>): Promise<void> {
  // Flags given are checked before anything is asked.
  if (opts.industry !== undefined) parseIndustryCode(opts.industry, '--industry');
  const keywords = opts.keywords !== undefined ? parseKeywordList(opts.keywords) : undefined;
  const code = (await valueOrAsk(ctx, opts.code, { flag: '--code', question: "WeChat's template library number (template_id_short):" })).trim();
  const title = await valueOrAsk(ctx, opts.title, { flag: '--title', question: 'Title:' });
  const industry = await industryOrAsk(ctx, opts.industry);
  const content = await valueOrAsk(ctx, opts.content, { flag: '--content', question: 'Content, with {{name.DATA}} placeholders:' });
  const { entry, warnings } = await addCatalogueEntry({ db: await ctx.db(), clock: ctx.clock }, { code, title, industry, content, keywords });
  for (const w of warnings) ctx.out.warn(w);
  ctx.out.result(entry, (e) => {
    ctx.out.line(`added ${e.code} "${e.title}" to the catalogue (industry ${e.industry?.code}; placeholders ${e.placeholders.join(', ')})`);
  });
}
