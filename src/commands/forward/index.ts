import { arg, bind, flag, group, text, verb } from '../define.js';

const learnMore = 'forwarding-to-your-services';
const rule = arg('<rule>', 'the rule id or name');

export const specs = {
  add: verb({
    summary: 'add a rule: pushes it takes go to a URL (async, signed, retried; or reply, answering WeChat)',
    options: {
      to: text('<url>', 'the http(s) URL; $APPID$ stands for the account', { required: true }),
      route: text('<route>', 'account (messages and events) or component (authorization events)', { default: 'account' }),
      appid: text('<appids>', 'one or several appids (comma-separated), or * for every account', { default: '*' }),
      msgType: text('<types>', 'MsgTypes, comma-separated: text,image,voice,video,shortvideo,location,link,event'),
      event: text('<events>', 'Events, comma-separated, e.g. subscribe,unsubscribe,SCAN (also LOCATION, CLICK, VIEW, TEMPLATESENDJOBFINISH, …)'),
      infoType: text('<types>', 'InfoTypes of the component route: authorized,updateauthorized,unauthorized,…'),
      mode: text('<mode>', 'async (delivered from the inbox, retried) or reply (answers WeChat within 4 s)', { default: 'async' }),
      format: text('<format>', 'xml (the message as WeChat sent it) or json (its fields)', { default: 'xml' }),
      name: text('<name>', 'a name to refer to the rule by'),
      retryFor: text('<duration>', 'how long an async delivery is retried before it is dead (1s to 30d)', { default: '24h' }),
    },
    notes: `Prints the rule's signing secret once: each request carries X-Wxplat-Signature: sha256=HMAC-SHA256(secret,
timestamp + "." + body), with X-Wxplat-Timestamp, X-Wxplat-Event-Id (the same on every retry) and
X-Wxplat-Appid. Omitted filters match everything; --msg-type and --event add up (text messages and CLICK
events). A message has at most one reply rule.`,
    examples: [
      "wxplat forward add --to 'https://cs.internal/wx/$APPID$' --msg-type text,image,voice --mode reply --name cs",
      'wxplat forward add --to http://orders.internal/wx --event subscribe,unsubscribe,SCAN --appid wx… --format json',
      'wxplat forward add --to http://audit.internal/wx --route component --info-type authorized,unauthorized',
    ],
    learnMore,
  }),
  list: verb({ summary: "the rules in force, with each one's waiting and dead deliveries", examples: ['wxplat forward list'], learnMore }),
  remove: verb({ summary: 'remove a rule (its waiting deliveries are not sent)', args: [rule], examples: ['wxplat forward remove cs'], learnMore }),
  test: verb({
    summary: "send a sample push, signed, to a rule's target, and show its answer",
    args: [rule],
    options: {
      sample: text('<kind>', 'text, image, voice, click, view, scan, location, subscribe, unsubscribe (component: authorized, updateauthorized, unauthorized)'),
    },
    examples: ['wxplat forward test cs --sample text'],
    learnMore,
  }),
  retry: verb({
    summary: 'send again now: deliveries waiting after a failure, or with --dead those given up',
    options: { dead: flag('the dead deliveries (their retry window starts again)'), rule: text('<rule>', 'of this rule only') },
    examples: ['wxplat forward retry --dead --rule orders'],
    learnMore,
  }),
  rotateSecret: verb({
    summary: 'give a rule a new signing secret (printed once); the old one stops signing at once',
    args: [rule],
    examples: ['wxplat forward rotate-secret cs'],
    learnMore,
  }),
};

export const tree = group("forward", "forward accounts' messages and events to the platform's own services", [
  bind('add', specs.add, () => import('./add.js')),
  bind('list', specs.list, () => import('./list.js')),
  bind('remove', specs.remove, () => import('./remove.js')),
  bind('test', specs.test, () => import('./test.js')),
  bind('retry', specs.retry, () => import('./retry.js')),
  bind('rotate-secret', specs.rotateSecret, () => import('./rotate-secret.js')),
], { learnMore });
