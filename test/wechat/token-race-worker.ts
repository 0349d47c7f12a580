// One of the ten processes of the token race (token-race.test.ts): waits for the common start time,
// asks the token keeper for the account's token, prints it.
import { systemClock } from '../../src/clock.js';
import { parseDatabaseUrl } from '../../src/config/load.js';
import { openDatabase } from '../../src/db/database.js';
import { TokenRepository } from '../../src/db/repositories/tokens.js';
import { WeChatClient } from '../../src/wechat/client.js';

const [dbUrl, apiBase, componentAppid, appsecret, appid, startAt] = process.argv.slice(2) as [string, string, string, string, string, string];
const db = await openDatabase(parseDatabaseUrl(dbUrl, 'test', process.cwd()));
const client = new WeChatClient({
  apiBase,
  component: { appid: componentAppid, appsecret },
  store: new TokenRepository(db.knex, systemClock),
  clock: systemClock,
});
await db.knex.raw('select 1'); // connected before the start line
while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 1));
try {
  const token = await client.tokens.authorizerToken(appid);
  process.stdout.write(`${JSON.stringify({ token: token.length > 0 ? token : null })}\n`);
} finally {
  await db.close();
}
