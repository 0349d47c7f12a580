// `wxplat demo` — `npm run demo` on a fresh clone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommandContext } from '../../context.js';
import { runWalkthrough } from '../../core/demo/walkthrough.js';
import { parseDatabaseUrl } from '../../config/load.js';
import { openDatabase } from '../../db/database.js';
import { silentLogger } from '../../logger.js';
import { realSleep } from '../../wechat/retry.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { formatLine } from '../records/line.js';

export async function run(ctx: CommandContext, { opts }: InputOf<typeof specs.demo>): Promise<void> {
  const { out } = ctx;
  // A database of its own, unless the operator names one: the demo never writes into theirs.
  const dir = ctx.globals.db ? null : mkdtempSync(path.join(tmpdir(), 'wxplat-demo-'));
  const target = dir ? parseDatabaseUrl(`sqlite:${path.join(dir, 'demo.sqlite3')}`, 'demo', dir) : ctx.config().database;
  const db = await openDatabase(target, { createIfMissing: true });
  let n = 0;
  const started = Date.now();
  try {
    const result = await runWalkthrough(
      {
        db,
        clock: ctx.clock,
        logger: ctx.globals.verbose ? ctx.logger : silentLogger,
        signal: ctx.signal,
        sleep: realSleep,
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
      { followers: opts.followers },
    );
    const seconds = Math.round(Date.now() - started) / 1000;
    out.result({ database: db.target.display, seconds, appid: result.appid, send: result.send, receipts: result.receipts, forwarding: result.forwarding }, (r) => {
      out.line(`\n${out.c.green('done')} in ${r.seconds.toFixed(1)} s.`);
      if (opts.keep || !dir) {
        out.line(`The database is ${r.database}: look around with`);
        out.line(`  npx wxplat --db ${r.database} account list`);
        out.line(`  npx wxplat --db ${r.database} records tail --limit 20`);
      }
      out.line('To do the same by hand against the sandbox, see "The walkthrough by hand" in the README.');
    });
  } finally {
    await db.close();
    if (dir && !opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}
