import { arg, bind, flag, group, verb } from '../define.js';

const learnMore = 'industries-and-templates';

export const specs = {
  list: verb({ summary: 'the industry codes (run `wxplat db seed` first)', examples: ['wxplat industry list'], learnMore }),
  get: verb({
    summary: "an account's industries at WeChat (mapped back to codes) beside the local record",
    args: [arg('[account]', 'id, appid or original id')],
    examples: ['wxplat industry get 3'],
    learnMore,
  }),
  set: verb({
    summary: "set an account's two industries (WeChat allows one change a month; a change deletes its templates)",
    args: [
      arg('[account]', 'id, appid or original id'),
      arg('[primary-code]', 'industry code, see `wxplat industry list`'),
      arg('[secondary-code]', 'industry code, different from the primary'),
    ],
    options: { force: flag('ask WeChat even when the local record changed this month') },
    examples: ['wxplat industry set 3 1 2   # account 3; codes 1 and 2 (IT科技/互联网/电子商务, IT科技/IT软件与服务)'],
    learnMore,
  }),
};

export const tree = group("industry", "template-message industries: the codes, and each account's pair", [
  bind('list', specs.list, () => import('./list.js')),
  bind('get', specs.get, () => import('./get.js')),
  bind('set', specs.set, () => import('./set.js')),
], { learnMore });
