import { LIMITS } from '../../core/limits.js';
import { bind, flag, group, int, verb } from '../define.js';

const learnMore = 'database';
const wait = () => int('<seconds>', 'how long to wait for another db migrate on this database', LIMITS.migrationWait);

export const specs = {
  migrate: verb({
    summary: 'create or adopt the tables and apply pending migrations',
    options: { dryRun: flag('list what would be applied, apply nothing'), wait: wait() },
    examples: ['wxplat db migrate', 'wxplat db migrate --dry-run', 'wxplat db migrate --wait 0   # refuse at once when another db migrate is running here'],
    learnMore,
  }),
  status: verb({ summary: 'applied and pending migrations', examples: ['wxplat db status'], learnMore }),
  rollback: verb({
    summary: 'undo the last batch of migrations',
    options: { force: flag('drop tables even when they hold rows'), dryRun: flag('show what would be undone, undo nothing'), wait: wait() },
    examples: ['wxplat db rollback', 'wxplat db rollback --dry-run'],
    learnMore,
  }),
  seed: verb({ summary: 'load the reference data (the 41 industry codes); safe to run again', examples: ['wxplat db seed'], learnMore }),
};

export const tree = group('db', 'migrate, inspect and seed the database', [
  bind('migrate', specs.migrate, () => import('./migrate.js')),
  bind('status', specs.status, () => import('./status.js')),
  bind('rollback', specs.rollback, () => import('./rollback.js')),
  bind('seed', specs.seed, () => import('./seed.js')),
], { learnMore });
