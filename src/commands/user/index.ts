import { LIMITS } from '../../core/limits.js';
import { arg, bind, flag, group, int, text, verb } from '../define.js';

const learnMore = 'followers';

export const specs = {
  sync: verb({
    summary: "bring the account's followers up to date from WeChat; an interrupted sync carries on where it stopped",
    args: [arg('[account]', 'id, appid or original id')],
    options: {
      concurrency: int('<n>', 'user/info/batchget calls in flight at once', LIMITS.followers.syncConcurrency),
      restart: flag('drop an interrupted sync and start again from the first page'),
    },
    examples: ['wxplat user sync 3', 'wxplat user sync 3 --restart'],
    learnMore,
  }),
  list: verb({
    summary: "the account's followers, a page at a time",
    args: [arg('[account]', 'id, appid or original id')],
    options: {
      limit: int('<n>', 'rows a page', LIMITS.followers.listLimit),
      after: text('<id|openid>', 'start after this row (the last id of the page before)'),
      all: flag('include those no longer following (status -2)'),
    },
    examples: ['wxplat user list 3 --limit 100 --after 2400'],
    learnMore,
  }),
};

export const tree = group("user", "an account's followers (official_account_users)", [
  bind('sync', specs.sync, () => import('./sync.js')),
  bind('list', specs.list, () => import('./list.js')),
], { learnMore });
