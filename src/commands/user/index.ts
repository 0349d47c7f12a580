import type { Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  const user = program.command('user').description("an account's followers (official_account_users)");
  user
    .command('sync')
    .description("bring the account's followers up to date from WeChat; an interrupted sync carries on where it stopped")
    .argument('[account]', 'id, appid or original id')
    .option('--concurrency <n>', 'user/info/batchget calls in flight at once (default 8)')
    .option('--restart', 'drop an interrupted sync and start again from the first page')
    .action(lazy(rt, () => import('./sync.js')));
  user
    .command('list')
    .description("the account's followers, a page at a time")
    .argument('[account]', 'id, appid or original id')
    .option('--limit <n>', 'rows a page (default 100, at most 10000)')
    .option('--after <id|openid>', 'start after this row (the last id of the page before)')
    .option('--all', 'include those no longer following (status -2)')
    .action(lazy(rt, () => import('./list.js')));
}
