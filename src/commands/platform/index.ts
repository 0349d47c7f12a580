import type { Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  const platform = program.command('platform').description('the third-party platform itself: its ticket and token');
  platform
    .command('status')
    .description('ticket age, component token expiry, accounts by token state (never a ticket or token)')
    .action(lazy(rt, () => import('./status.js')));
}
