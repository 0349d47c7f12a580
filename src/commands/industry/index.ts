import type { Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  const industry = program.command('industry').description("template-message industries: the codes, and each account's pair");
  industry
    .command('list')
    .description('the industry codes (run `wxplat db seed` first)')
    .action(lazy(rt, () => import('./list.js')));
}
