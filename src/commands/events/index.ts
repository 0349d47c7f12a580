import { Argument, type Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  const events = program.command('events').description('the callback inbox: run a row again, send a test event');
  events
    .command('replay')
    .description('run one inbox row again (whatever its state) and print the outcome')
    .argument('<id>', 'the inbox row id (see `wxplat records tail events`)')
    .action(lazy(rt, () => import('./replay.js')));
  events
    .command('trigger')
    .description('send a signed, encrypted event to a receiver exactly as WeChat would')
    .addArgument(
      // Written out, not imported from core/callbacks/trigger.ts: registering commands loads no core module.
      new Argument('<type>', 'the event').choices([
        'component_verify_ticket',
        'authorized',
        'updateauthorized',
        'unauthorized',
        'templatesendjobfinish',
        'subscribe',
        'unsubscribe',
        'text',
        'image',
        'voice',
        'click',
        'view',
        'scan',
        'location',
        'release-check',
      ]),
    )
    .requiredOption('--forward-to <url>', "the receiver: its base URL (the route is added), or a URL with WeChat's $APPID$")
    .option('--appid <appid>', 'the account the event is about (all but component_verify_ticket)')
    .option('--msgid <msgid>', 'MsgID of a templatesendjobfinish (default: random)')
    .option('--openid <openid>', 'the follower of a templatesendjobfinish, subscribe or unsubscribe (default: random)')
    .option('--status <status>', 'Status of a templatesendjobfinish', 'success')
    .option('--auth-code <code>', 'AuthorizationCode of an authorized/updateauthorized event (default: a dummy)')
    .option('--content <text>', "a text message's Content; the EventKey of a click, view or scan")
    .option('--original-id <gh_id>', "the account's original id, for an account's event (default: from this database)")
    .addHelpText(
      'after',
      `
Uses WXPLAT_COMPONENT_APPID, WXPLAT_COMPONENT_TOKEN and WXPLAT_COMPONENT_AES_KEY. The receiver really
processes what it is sent: a component_verify_ticket replaces its stored ticket until WeChat's next push,
and unauthorized removes the account. Exit 0 when the receiver answers 200 "success" or a passive reply
(which is decrypted and printed), 1 otherwise.

release-check rehearses WeChat's release check (全网发布接入检测) with the sandbox as WeChat
(WXPLAT_API_BASE): its test account, the ticket, event, text and QUERY_AUTH_CODE cases, and the
customer-service message the receiver must send. Each case passes or fails; exit 1 on a failure.`,
    )
    .action(lazy(rt, () => import('./trigger.js')));
}
