// `wxplat records tail [sends|receipts|events] [--account A] [--status S] [--since WHEN] [--limit N] [--follow]`
import type { CommandContext } from '../../context.js';
import { planTail, tailRecords } from '../../core/records/tail.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { localZone } from '../../output/time.js';
import { formatLine, headerLine } from './line.js';


export async function run(ctx: CommandContext, { args: [kind], opts }: InputOf<typeof specs.tail>): Promise<void> {
  const plan = planTail({ noun: kind, ...opts }, ctx.clock.now());
  const db = await ctx.db();
  const { out } = ctx;
  let printed = 0;
  await tailRecords(
    {
      db,
      clock: ctx.clock,
      signal: ctx.signal,
      onPollError: (err, attempt) => {
        if (attempt === 1) out.warn(`reading the database failed (${err.message}); trying again`);
      },
      onRecovered: () => out.note('the database answers again'),
    },
    plan,
    (record) => {
      // A header over the first line on a terminal; piped, lines only (grep and awk read them).
      if (printed === 0 && !out.json && out.stdoutIsTerminal) out.line(headerLine(plan.noun === undefined, out.c, localZone(ctx.clock.now())));
      printed++;
      if (out.json) out.record(record);
      else out.line(formatLine(record, plan.noun === undefined, out.c, out.stdoutIsTerminal));
    },
  );
  if (printed === 0 && !plan.follow && !out.json) out.note(`nothing to show${plan.since || plan.account || opts.status ? ' for these filters' : ' yet'}`);
  // Ctrl-C is how a followed tail ends.
  if (plan.follow) ctx.exitCode = 0;
}
