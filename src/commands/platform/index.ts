import type { Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  const platform = program.command('platform').description('the third-party platform itself: its ticket and token');
  platform
    .command('status')
    .description('ticket age, component token expiry, accounts by token state (never a ticket or token)')
    .action(lazy(rt, () => import('./status.js')));
  const ticket = platform.command('ticket').description('the component_verify_ticket WeChat pushes every 10 minutes');
  ticket
    .command('restart')
    .description('ask WeChat to push a ticket now (api_start_push_ticket); `serve` stores it when it comes')
    .option('--wait <seconds>', 'wait this long for the new ticket to be stored (exit 1 if it does not come)')
    .action(lazy(rt, () => import('./ticket-restart.js')));
}
