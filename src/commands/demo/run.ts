// `wxplat demo` — `npm run demo` on a fresh clone.
import type { CommandContext } from '../../context.js';
import { runDemo } from '../../core/demo/run.js';
import { silentLogger } from '../../logger.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { formatLine } from '../records/line.js';

export async function run(ctx: CommandContext, { opts }: InputOf<typeof specs.demo>): Promise<void> {
  const { out } = ctx;
  let n = 0;
  const started = Date.now();
  const result = await runDemo(
    {
      clock: ctx.clock,
      logger: ctx.globals.verbose ? ctx.logger : silentLogger,
      signal: ctx.signal,
      step: (title) => {
        if (!out.json) out.line(`\n${out.c.bold(`${++n}. ${title}`)}`);
      },
      detail: (text) => {
        if (!out.json) out.line(`   ${text}`);
      },
      record: (record) => {
        if (!out.json) out.line(`   ${formatLine(record, true, out.c)}`);
      },
    },
    // A database of its own, unless the operator names one: the demo never writes into theirs.
    { followers: opts.followers, keep: Boolean(opts.keep), database: ctx.globals.db ? ctx.config().database : undefined },
  );
  const seconds = (Date.now() - started) / 1000;
  out.result({ database: result.database, seconds, appid: result.appid, send: result.send, receipts: result.receipts, forwarding: result.forwarding }, (r) => {
    out.line(`\n${out.c.green('done')} in ${r.seconds.toFixed(1)} s.`);
    if (opts.keep || !result.temporary) {
      out.line(`The database is ${r.database}: look around with`);
      out.line(`  npx wxplat --db ${r.database} account list`);
      out.line(`  npx wxplat --db ${r.database} records tail --limit 20`);
    }
    out.line('To do the same by hand against the sandbox, see "The walkthrough by hand" in the README.');
  });
}
