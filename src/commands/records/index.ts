import type { Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  const records = program.command('records').description('what was sent, what WeChat reported back, and what the receiver got');
  records
    .command('tail')
    .description('the newest records, oldest first; --follow keeps printing new ones until Ctrl-C')
    .argument('[kind]', 'sends, receipts, events or forwards (nothing: sends and receipts together)')
    .option('--account <account>', 'only this account: id, appid (wx…) or original id (gh_…)')
    .option('--status <status>', 'only these states or outcomes, comma-separated (see below)')
    .option('--since <when>', 'a duration back from now (30s, 10m, 2h, 1d) or the id of a record to start after')
    .option('--limit <n>', 'how many of the newest records to print first (0: none)', '50')
    .option('-f, --follow', 'keep printing records as they appear (Ctrl-C ends with exit 0)')
    .addHelpText(
      'after',
      `
States (--status):
  sends     pending, sending, sent, failed, unknown, delivered, blocked, system-failed
            (default: all but the in-flight pending and sending)
  receipts  success, user-block, system-failed, other-failure
  events    pending, retrying, done, ignored, failed (default: all but fresh pending rows)
  forwards  pending, retrying, delivered, dead, failed (a reply that gave no answer;
            default: all but fresh pending deliveries)
  (none)    sent, failed, unknown for sends; the receipt outcomes for receipts

A send is printed again each time it reaches a new state: a sent message whose receipt comes back
appears again as delivered (or blocked, system-failed). Without a kind, a send shows WeChat's answer to
the call and its receipt shows what happened next, so each event appears once; ids are printed as
send:ID and receipt:ID, which --since takes. --json prints one JSON object a line.`,
    )
    .action(lazy(rt, () => import('./tail.js')));
}
