import { LIMITS } from '../../core/limits.js';
import { arg, bind, flag, group, int, text, verb } from '../define.js';

export const specs = {
  tail: verb({
    summary: 'the newest records, oldest first; --follow keeps printing new ones until Ctrl-C',
    args: [arg('[kind]', 'sends, receipts, events or forwards (nothing: sends and receipts together)')],
    options: {
      account: text('<account>', 'only this account: id, appid (wx…) or original id (gh_…)'),
      status: text('<status>', 'only these states or outcomes, comma-separated (see below)'),
      since: text('<when>', 'a duration back from now (30s, 10m, 2h, 1d) or the id of a record to start after'),
      limit: int('<n>', 'how many of the newest records to print first (0: none)', LIMITS.records.tailLimit),
      follow: flag('keep printing records as they appear (Ctrl-C ends with exit 0)', { short: 'f' }),
    },
    notes: `States (--status):
  sends     pending, sending, sent, failed, unknown, delivered, blocked, system-failed
            (default: all but the in-flight pending and sending)
  receipts  success, user-block, system-failed, other-failure
  events    pending, retrying, done, ignored, failed (default: all but fresh pending rows)
  forwards  pending, retrying, delivered, dead, failed (a reply that gave no answer;
            default: all but fresh pending deliveries)
  (none)    sent, failed, unknown for sends; the receipt outcomes for receipts

A send is printed again each time it reaches a new state: a sent message whose receipt comes back appears again as delivered (or blocked, system-failed). Without a kind, a send shows WeChat's answer to the call and its receipt shows what happened next, so each event appears once; ids are printed as send:ID and receipt:ID, which --since takes. --json prints one JSON object a line.`,
    examples: [
      'wxplat records tail',
      'wxplat records tail sends --account 3 --status failed,unknown --since 2h',
      'wxplat records tail receipts --since receipt:1200 --limit 20',
      'wxplat records tail events --follow',
      'wxplat records tail --json --follow | jq .',
    ],
    learnMore: 'watching',
  }),
};

export const tree = group('records', 'what was sent, what WeChat reported back, and what the receiver got', [
  bind('tail', specs.tail, () => import('./tail.js')),
], { learnMore: 'watching' });
