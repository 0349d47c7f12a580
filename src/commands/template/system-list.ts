import { listCatalogue } from '../../core/templates/catalogue.js';
import type { CommandContext } from '../../context.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';

export async function run(ctx: CommandContext, { opts }: InputOf<typeof specs.systemList>): Promise<void> {
  const entries = await listCatalogue({ db: await ctx.db() }, { includeRemoved: Boolean(opts.all) });
  ctx.out.result(entries, (rows) => {
    if (rows.length === 0) {
      ctx.out.note('the catalogue is empty: add templates with `wxplat template system add`');
      return;
    }
    ctx.out.table(
      [
        { header: 'code', value: (e) => e.code, keep: true },
        { header: 'title', value: (e) => e.title },
        { header: 'industry', value: (e) => (e.industry ? `${e.industry.code} ${e.industry.main ?? ''} / ${e.industry.sub ?? ''}` : '—') },
        { header: 'placeholders', value: (e) => e.placeholders.join(', ') },
        { header: 'keywords', value: (e) => e.keywords?.join(', ') ?? '' },
        ...(opts.all ? [{ header: 'state', value: (e: (typeof rows)[number]) => e.state }] : []),
      ],
      rows,
    );
  });
}
