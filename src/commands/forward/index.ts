import type { Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  const forward = program.command('forward').description("forward accounts' messages and events to the platform's own services");
  forward
    .command('add')
    .description('add a rule: pushes it takes go to a URL (async, signed, retried; or reply, answering WeChat)')
    .requiredOption('--to <url>', 'the http(s) URL; $APPID$ stands for the account')
    .option('--route <route>', 'account (messages and events) or component (authorization events)', 'account')
    .option('--appid <appids>', 'one or several appids (comma-separated), or * for every account', '*')
    .option('--msg-type <types>', 'MsgTypes, comma-separated: text,image,voice,video,shortvideo,location,link,event')
    .option('--event <events>', 'Events, comma-separated: subscribe,unsubscribe,SCAN,LOCATION,CLICK,VIEW,TEMPLATESENDJOBFINISH,…')
    .option('--info-type <types>', 'InfoTypes of the component route: authorized,updateauthorized,unauthorized,…')
    .option('--mode <mode>', 'async (delivered from the inbox, retried) or reply (answers WeChat within 4 s)', 'async')
    .option('--format <format>', 'xml (the message as WeChat sent it) or json (its fields)', 'xml')
    .option('--name <name>', 'a name to refer to the rule by')
    .option('--retry-for <duration>', 'how long an async delivery is retried before it is dead (1s to 30d)', '24h')
    .addHelpText(
      'after',
      `
Prints the rule's signing secret once: each request carries X-Wxplat-Signature: sha256=HMAC-SHA256(secret,
timestamp + "." + body), with X-Wxplat-Timestamp, X-Wxplat-Event-Id (the same on every retry) and
X-Wxplat-Appid. Omitted filters match everything; --msg-type and --event add up (text messages and CLICK
events). A message has at most one reply rule.`,
    )
    .action(lazy(rt, () => import('./add.js')));
  forward
    .command('list')
    .description('the rules in force, with each one\'s waiting and dead deliveries')
    .action(lazy(rt, () => import('./list.js')));
  forward
    .command('remove')
    .description('remove a rule (its waiting deliveries are not sent)')
    .argument('<rule>', 'the rule id or name')
    .action(lazy(rt, () => import('./remove.js')));
  forward
    .command('test')
    .description("send a sample push, signed, to a rule's target, and show its answer")
    .argument('<rule>', 'the rule id or name')
    .option('--sample <kind>', 'text, image, voice, click, view, scan, location, subscribe, unsubscribe (component: authorized, updateauthorized, unauthorized)')
    .action(lazy(rt, () => import('./test.js')));
  forward
    .command('retry')
    .description('send again now: deliveries waiting after a failure, or with --dead those given up')
    .option('--dead', 'the dead deliveries (their retry window starts again)')
    .option('--rule <rule>', 'of this rule only')
    .action(lazy(rt, () => import('./retry.js')));
  forward
    .command('rotate-secret')
    .description("give a rule a new signing secret (printed once); the old one stops signing at once")
    .argument('<rule>', 'the rule id or name')
    .action(lazy(rt, () => import('./rotate-secret.js')));
}
