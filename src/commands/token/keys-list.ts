import type { CommandContext } from '../../context.js';
import { listKeys } from '../../core/tokens/keys.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';

export async function run(ctx: CommandContext, _input: InputOf<typeof specs.keysList>): Promise<void> {
  const keys = await listKeys({ db: await ctx.db() });
  ctx.out.result(keys, (rows) => {
    if (rows.length === 0) {
      ctx.out.note('no keys: make one for a service with `wxplat token keys add --name NAME`');
      return;
    }
    ctx.out.table(
      [
        { header: 'name', value: (k) => k.name },
        { header: 'scope', value: (k) => (k.appids ? k.appids.join(', ') : 'every account + component') },
        { header: 'created', value: (k) => ctx.out.time(k.createdAt) },
        { header: 'last used', value: (k) => (k.lastUsedAt ? ctx.out.time(k.lastUsedAt) : 'never'), style: (text, k, c) => (k.lastUsedAt ? text : c.yellow(text)) },
      ],
      rows,
    );
  });
}
