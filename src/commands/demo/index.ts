import { LIMITS } from '../../core/limits.js';
import { bind, flag, int, verb } from '../define.js';

export const specs = {
  demo: verb({
    summary: 'the whole job end to end on the embedded SQLite and the WeChat sandbox, no account or server needed',
    options: {
      followers: int('<n>', 'followers of the demo account', LIMITS.demoFollowers),
      keep: flag('keep the demo database (in a temporary folder) and print where it is'),
    },
    notes: `Runs the receiver and the sandbox in this process, on loopback, with made-up credentials: migrate, seed,
ticket, authorize, industries, templates, followers, a bulk send, receipts, the tail. Your own
configuration and database are not touched (unless you pass --db).`,
    examples: ['wxplat demo', 'npm run demo'],
    learnMore: 'quick-start',
  }),
};

export const tree = bind('demo', specs.demo, () => import('./run.js'));
