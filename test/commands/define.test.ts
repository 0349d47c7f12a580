// The declaration of a command is the type of what its verb receives: a renamed or retyped flag does not
// compile (the @ts-expect-error lines fail `npm run typecheck`, which `npm test` runs, when it would).
import t from 'tap';
import { arg, bind, flag, int, parseWhole, text, verb, wrap, type InputOf } from '../../src/commands/define.js';
import type { CommandContext } from '../../src/context.js';

const spec = verb({
  summary: 'a command',
  args: [arg('<account>', 'the account'), arg('[kind]', 'a kind')],
  options: { dryRun: flag('change nothing'), limit: int('<n>', 'how many', { min: 0, max: 10, default: 5 }), name: text('<name>', 'a name') },
  examples: ['wxplat x'],
  learnMore: 'x',
});

t.test('the verb receives the declared types', async (t) => {
  const seen: unknown[] = [];
  const node = bind('x', spec, async () => ({
    run: async (_ctx: CommandContext, { args: [account, kind], opts }: InputOf<typeof spec>) => {
      const n: number = opts.limit;
      const dry: boolean = opts.dryRun;
      const name: string | undefined = opts.name;
      const a: string = account;
      const k: string | undefined = kind;
      seen.push(n, dry, name, a, k);
    },
  }));
  await node.prepare(['3', undefined], { limit: '7', dryRun: true })({} as CommandContext);
  t.same(seen, [7, true, undefined, '3', undefined]);
  await node.prepare(['3', 'sends'], {})({} as CommandContext);
  t.same(seen.slice(5), [5, false, undefined, '3', 'sends'], 'the default when absent');
  t.throws(() => node.prepare(['3'], { limit: '11' }), { message: '--limit must be a whole number from 0 to 10 (got "11")', exitCode: 2 });

  // A verb that reads a flag the declaration does not have, or reads one as the wrong type, does not bind.
  // @ts-expect-error -- `--limits` is not declared
  bind('x', spec, async () => ({ run: async (_ctx: CommandContext, input: { args: [string, string | undefined]; opts: { limits: number } }) => void input }));
  // @ts-expect-error -- `--limit` is a number, not a string
  bind('x', spec, async () => ({ run: async (_ctx: CommandContext, input: { args: [string, string | undefined]; opts: { limit: string; dryRun: boolean; name?: string } }) => void input }));
  // @ts-expect-error -- the opts of a declaration have no other keys
  const wrong = (input: InputOf<typeof spec>) => input.opts.dryrun;
  t.ok(wrong);
});

t.test('one parser for whole numbers', async (t) => {
  const limits = { min: 1, max: 512 };
  t.equal(parseWhole('16', '--concurrency', limits), 16);
  t.equal(parseWhole(' 512 ', '--concurrency', limits), 512);
  for (const bad of ['0', '513', '1.5', '-1', '1e3', '0x10', '', '99999999999999999999']) {
    t.throws(() => parseWhole(bad, '--concurrency', limits), { message: /^--concurrency must be a whole number from 1 to 512/ }, JSON.stringify(bad));
  }
});

t.test('notes flow to the width; indented lines stay lines', async (t) => {
  const text = 'one two three\nfour five six seven\n  a table row that is long enough to wrap\n\nnext paragraph';
  t.equal(wrap(text, 20), 'one two three four\nfive six seven\n  a table row that\n    is long enough\n    to wrap\n\nnext paragraph');
});
