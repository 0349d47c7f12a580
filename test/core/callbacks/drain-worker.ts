// A separate process that drains the inbox once and prints what it did (processing.test.ts starts
// several at once against one database). Args: database URL, the time to use (ISO), batch size.
import { fixedClock } from '../../../src/clock.js';
import { parseDatabaseUrl } from '../../../src/config/load.js';
import { InboxProcessor } from '../../../src/core/callbacks/processor.js';
import { openDatabase } from '../../../src/db/database.js';
import { silentLogger } from '../../../src/logger.js';
import { COMPONENT, wechatFor } from './helpers.js';

const [url, now, batch] = process.argv.slice(2);
const db = await openDatabase(parseDatabaseUrl(url!, 'worker', process.cwd()));
const clock = fixedClock(new Date(now!));
const processor = new InboxProcessor(
  { db, clock, logger: silentLogger, componentAppid: COMPONENT.appid, wechat: wechatFor(db, 'http://127.0.0.1:9', clock) },
  { batchSize: Number(batch) },
);
// Start together: wait for the go line on stdin.
await new Promise((resolve) => process.stdin.once('data', resolve));
const claimed = await processor.drain();
await db.close();
process.stdout.write(`${JSON.stringify({ claimed, ...processor.stats })}\n`);
