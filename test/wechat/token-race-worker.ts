// One of the ten processes of the token race (token-race.test.ts): connects, says `ready`, waits for
// `go` on stdin, says `asking`, asks the token keeper for the account's token, prints it.
import { systemClock } from '../../src/clock.js';
import { parseDatabaseUrl } from '../../src/config/load.js';
import { openDatabase } from '../../src/db/database.js';
import { TokenRepository } from '../../src/db/repositories/tokens.js';
import { WeChatClient } from '../../src/wechat/client.js';

const [dbUrl, apiBase, componentAppid, appsecret, appid] = process.argv.slice(2) as [string, string, string, string, string];
const db = await openDatabase(parseDatabaseUrl(dbUrl, 'test', process.cwd()));
const client = new WeChatClient({
  apiBase,
  component: { appid: componentAppid, appsecret },
  store: new TokenRepository(db.knex, systemClock),
  clock: systemClock,
});
await db.knex.raw('select 1'); // connected before the start line
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdout.write('asking\n');
try {
  const token = await client.tokens.authorizerToken(appid);
  process.stdout.write(`${JSON.stringify({ token: token.length > 0 ? token : null })}\n`);
} finally {
  await db.close();
  process.stdin.destroy();
}
