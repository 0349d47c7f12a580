import { arg, bind, text, verb } from '../define.js';

export const specs = {
  show: verb({
    summary: 'what WeChat kept of a failed call, by the rid in its errmsg (7 days): time, cost, request, answer',
    args: [arg('<rid>', 'the rid, e.g. 61725984-6126f6f9-040f19c4')],
    options: { account: text('<account>', 'the call was made for this account (found from the failed sends otherwise; else the platform asks)') },
    examples: ['wxplat rid 61725984-6126f6f9-040f19c4', 'wxplat rid 61725984-6126f6f9-040f19c4 --account 3'],
    learnMore: 'quotas-and-request-ids',
  }),
};

export const tree = bind('rid', specs.show, () => import('./show.js'));
