// A separate process that works the inbox and prints what it did (processing.test.ts starts several at
// once against one database). Args: database URL, the time to use (ISO), batch size, and the most rows
// it takes (so that each worker gets a part, however fast the first one is). It says `ready` once
// connected, starts on `go` (stdin), and stops at its cap or when no row is left pending.
import { fixedClock } from '../../../src/clock.js';
import { parseDatabaseUrl } from '../../../src/config/load.js';
import { InboxProcessor } from '../../../src/core/callbacks/processor.js';
import { openDatabase } from '../../../src/db/database.js';
import { silentLogger } from '../../../src/logger.js';
import { COMPONENT, wechatFor } from './helpers.js';

const [url, now, batch, cap] = process.argv.slice(2);
const db = await openDatabase(parseDatabaseUrl(url, 'worker', process.cwd()));
const clock = fixedClock(new Date(now));
const processor = new InboxProcessor(
  { db, clock, logger: silentLogger, componentAppid: COMPONENT.appid, wechat: wechatFor(db, 'http://127.0.0.1:9', clock) },
  { batchSize: Number(batch) },
);
await db.knex.raw('select 1');
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
let claimed = 0;
while (claimed < Number(cap)) {
  const n = await processor.runOnce();
  claimed += n;
  if (n > 0) continue;
  // Nothing due for this worker: the end, unless rows are still held by another.
  const left = await db.knex('wxplat_callback_inbox').where('state', 'pending').count({ n: '*' }).first();
  if (Number(left!.n) === 0) break;
  await new Promise((r) => setTimeout(r, 10));
}
await db.close();
process.stdout.write(`${JSON.stringify({ claimed, ...processor.stats })}\n`);
process.stdin.destroy();
