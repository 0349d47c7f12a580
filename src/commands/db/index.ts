import type { Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  const db = program.command('db').description('migrate, inspect and seed the database');
  db.command('migrate')
    .description('create or adopt the tables and apply pending migrations')
    .option('--dry-run', 'list what would be applied, apply nothing')
    .option('--wait <seconds>', 'how long to wait for another db migrate on this database (default 600)')
    .action(lazy(rt, () => import('./migrate.js')));
  db.command('status')
    .description('applied and pending migrations')
    .action(lazy(rt, () => import('./status.js')));
  db.command('rollback')
    .description('undo the last batch of migrations')
    .option('--force', 'drop tables even when they hold rows')
    .option('--dry-run', 'show what would be undone, undo nothing')
    .option('--wait <seconds>', 'how long to wait for another db migrate on this database (default 600)')
    .action(lazy(rt, () => import('./rollback.js')));
  db.command('seed')
    .description('load the reference data (the 41 industry codes); safe to run again')
    .action(lazy(rt, () => import('./seed.js')));
}
