import type { Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  program
    .command('doctor')
    .description('check the configuration, database, ticket, tokens, accounts, sends and inbox')
    .addHelpText(
      'after',
      `
Each check is ok, warn or fail (skip when what it needs is broken), with advice for each that is not
ok. Exit 1 when any check fails, 0 otherwise (warnings too), so that a monitor can run it; --json for
machines. Configuration is reported by variable name and source only, never a value.`,
    )
    .action(lazy(rt, () => import('./doctor.js')));
}
