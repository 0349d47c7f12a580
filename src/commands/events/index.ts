import { TRIGGER_TYPES } from '../../core/callbacks/trigger-types.js';
import { LIMITS } from '../../core/limits.js';
import { arg, bind, group, intArg, text, verb } from '../define.js';

const learnMore = 'the-platform-and-its-callbacks';

export const specs = {
  replay: verb({
    summary: 'run one inbox row again (whatever its state) and print the outcome',
    args: [intArg('<id>', 'the inbox row id (see `wxplat records tail events`)', LIMITS.rowId, 'the inbox row id')],
    examples: ['wxplat events replay 42'],
    learnMore,
  }),
  trigger: verb({
    summary: 'send a signed, encrypted event to a receiver exactly as WeChat would',
    args: [
      arg('<type>', 'the event', {
        choices: [...TRIGGER_TYPES, 'release-check'],
      }),
    ],
    options: {
      forwardTo: text('<url>', "the receiver: its base URL (the route is added), or a URL with WeChat's $APPID$", { required: true }),
      appid: text('<appid>', 'the account the event is about (all but component_verify_ticket)'),
      msgid: text('<msgid>', 'MsgID of a templatesendjobfinish (default: random)'),
      openid: text('<openid>', 'the follower of a templatesendjobfinish, subscribe or unsubscribe (default: random)'),
      status: text('<status>', 'Status of a templatesendjobfinish', { default: 'success' }),
      authCode: text('<code>', 'AuthorizationCode of an authorized/updateauthorized event (default: a dummy)'),
      content: text('<text>', "a text message's Content; the EventKey of a click, view or scan"),
      originalId: text('<gh_id>', "the account's original id, for an account's event (default: from this database)"),
    },
    notes: `Uses WXPLAT_COMPONENT_APPID, WXPLAT_COMPONENT_TOKEN and WXPLAT_COMPONENT_AES_KEY. The receiver really
processes what it is sent: a component_verify_ticket replaces its stored ticket until WeChat's next push,
and unauthorized removes the account. Exit 0 when the receiver answers 200 "success" or a passive reply
(which is decrypted and printed), 1 otherwise.

release-check rehearses WeChat's release check (全网发布接入检测) with the sandbox as WeChat
(WXPLAT_API_BASE): its test account, the ticket, event, text and QUERY_AUTH_CODE cases, and the
customer-service message the receiver must send. Each case passes or fails; exit 1 on a failure.`,
    examples: [
      'wxplat events trigger templatesendjobfinish --forward-to https://cb.example.com --appid wx… --msgid 3717005636572528642',
      'wxplat events trigger text --appid wx… --content 你好 --forward-to http://127.0.0.1:8080',
      'wxplat events trigger release-check --forward-to http://127.0.0.1:8080',
    ],
    learnMore,
  }),
};

export const tree = group('events', 'the callback inbox: run a row again, send a test event', [
  bind('replay', specs.replay, () => import('./replay.js')),
  bind('trigger', specs.trigger, () => import('./trigger.js')),
], { learnMore });
