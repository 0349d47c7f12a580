import type { Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  program
    .command('demo')
    .description('the whole job end to end on the embedded SQLite and the WeChat sandbox, no account or server needed')
    .option('--followers <n>', 'followers of the demo account', '300')
    .option('--keep', 'keep the demo database (in a temporary folder) and print where it is')
    .addHelpText(
      'after',
      `
Runs the receiver and the sandbox in this process, on loopback, with made-up credentials: migrate, seed,
ticket, authorize, industries, templates, followers, a bulk send, receipts, the tail. Your own
configuration and database are not touched (unless you pass --db).`,
    )
    .action(lazy(rt, () => import('./run.js')));
}
