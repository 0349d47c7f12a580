import { listCatalogue, removeCatalogueEntry } from '../../core/templates/catalogue.js';
import type { CommandContext } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';

export async function run(ctx: CommandContext, { args }: InputOf<typeof specs.systemRemove>): Promise<void> {
  const db = await ctx.db();
  let code = args[0];
  if (code === undefined) {
    if (!ctx.prompter.canPrompt) throw new UsageError('missing <code>', '`wxplat template system list` shows the codes (there is no terminal to ask on)');
    const entries = await listCatalogue({ db }, { includeRemoved: false });
    if (entries.length === 0) throw new UsageError('the catalogue is empty');
    code = await ctx.prompter.select(
      'Remove which catalogue template?',
      entries.map((e) => ({ name: `${e.code}  ${e.title ?? ''}`, value: e.code ?? '' })),
    );
  }
  const removed = await removeCatalogueEntry({ db, clock: ctx.clock }, code);
  ctx.out.result(removed, (e) => {
    ctx.out.line(`removed ${e.code} "${e.title}" from the catalogue (accounts keep the templates they have)`);
  });
}
