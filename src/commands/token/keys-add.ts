import type { CommandContext } from '../../context.js';
import { addKey } from '../../core/tokens/keys.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';

export async function run(ctx: CommandContext, { opts }: InputOf<typeof specs.keysAdd>): Promise<void> {
  const added = await addKey({ db: await ctx.db(), clock: ctx.clock }, { name: opts.name, appids: opts.appid });
  // The one place a key is shown: this is how it is handed over.
  const { key, revived, ...view } = added;
  ctx.out.result({ ...view, key: key.reveal() }, (doc) => {
    ctx.out.line(doc.key);
    const scope = doc.appids ? doc.appids.join(', ') : 'every account and the component token';
    ctx.out.note(`key "${doc.name}" for ${scope}${revived ? ' (the name of a removed key, with a new key)' : ''}`);
    ctx.out.note('it is shown this once (only its hash is kept): give it to the service now, as Authorization: Bearer <key>');
  });
}
