import type { Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  program
    .command('rid')
    .description('what WeChat kept of a failed call, by the rid in its errmsg (7 days): time, cost, request, answer')
    .argument('<rid>', 'the rid, e.g. 61725984-6126f6f9-040f19c4')
    .option('--account <account>', 'the call was made for this account (found from the failed sends otherwise; else the platform asks)')
    .action(lazy(rt, () => import('./show.js')));
}
