import type { Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  const industry = program.command('industry').description("template-message industries: the codes, and each account's pair");
  industry
    .command('list')
    .description('the industry codes (run `wxplat db seed` first)')
    .action(lazy(rt, () => import('./list.js')));
  industry
    .command('get')
    .description("an account's industries at WeChat (mapped back to codes) beside the local record")
    .argument('[account]', 'id, appid or original id')
    .action(lazy(rt, () => import('./get.js')));
  industry
    .command('set')
    .description("set an account's two industries (WeChat allows one change a month; a change deletes its templates)")
    .argument('[account]', 'id, appid or original id')
    .argument('[primary-code]', 'industry code, see `wxplat industry list`')
    .argument('[secondary-code]', 'industry code, different from the primary')
    .option('--force', 'ask WeChat even when the local record changed this month')
    .action(lazy(rt, () => import('./set.js')));
}
