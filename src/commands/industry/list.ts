import { listIndustryCodes } from '../../core/industries/list.js';
import type { CommandContext } from '../../context.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';

export async function run(ctx: CommandContext, _input: InputOf<typeof specs.list>): Promise<void> {
  const codes = await listIndustryCodes(await ctx.db());
  ctx.out.result(codes, (rows) => {
    if (rows.length === 0) {
      ctx.out.note('no industry codes yet: run `wxplat db seed`');
      return;
    }
    ctx.out.table(
      [
        { header: 'code', value: (r) => r.code, keep: true },
        { header: 'main industry', value: (r) => r.main },
        { header: 'sub industry', value: (r) => r.sub },
      ],
      rows,
    );
  });
}
