import { accountLabel } from '../../core/accounts/view.js';
import { listAccountTemplates } from '../../core/templates/list.js';
import type { CommandContext } from '../../context.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { accountArgument } from '../account/ask.js';

export async function run(ctx: CommandContext, { args, opts }: InputOf<typeof specs.list>): Promise<void> {
  const row = await accountArgument(ctx, args[0]);
  const { templates } = await listAccountTemplates({ db: await ctx.db() }, row, { includeRemoved: Boolean(opts.all) });
  ctx.out.result(templates, (rows) => {
    if (rows.length === 0) {
      ctx.out.note(`account ${accountLabel(row)} has no templates here: run \`wxplat template sync ${row.official_account_id}\``);
      return;
    }
    ctx.out.table(
      [
        { header: 'code', value: (t) => t.code, keep: true },
        { header: 'title', value: (t) => t.title },
        { header: 'template id', value: (t) => t.templateId, keep: true },
        { header: 'placeholders', value: (t) => t.placeholders.map((p) => `{{${p}.DATA}}`).join(' ') },
        ...(opts.all ? [{ header: 'state', value: (t: (typeof rows)[number]) => t.state }] : []),
      ],
      rows,
    );
  });
}
