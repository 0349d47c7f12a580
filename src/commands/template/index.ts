import { LIMITS } from '../../core/limits.js';
import { arg, bind, flag, group, int, list, repeat, text, verb } from '../define.js';

const account = arg('[account]', 'id, appid or original id');

export const specs = {
  systemList: verb({
    summary: "the catalogue, with each entry's industry, placeholders and keywords",
    options: { all: flag('include removed entries') },
    examples: ['wxplat template system list'],
    learnMore: 'industries-and-templates',
  }),
  systemAdd: verb({
    summary: "add a template of WeChat's library to the catalogue",
    options: {
      code: text('<code>', "WeChat's library number (template_id_short)"),
      title: text('<title>', 'its title, as WeChat shows it'),
      industry: text('<code>', 'the industry code it belongs to (`wxplat industry list`)'),
      content: text('<text>', 'its content, with {{name.DATA}} placeholders'),
      keywords: text('<k1,k2>', 'keyword_name_list, in order: what new category templates are added with'),
    },
    examples: [
      "wxplat template system add --code 43568 --title 订单支付成功通知 --industry 1 \\\n      --content $'订单编号:{{character_string1.DATA}}\\n支付金额:{{amount2.DATA}}' --keywords 订单编号,支付金额",
    ],
    learnMore: 'industries-and-templates',
  }),
  systemRemove: verb({
    summary: 'remove an entry from the catalogue (status -2); accounts keep their templates',
    args: [arg('[code]', "the entry's code")],
    examples: ['wxplat template system remove 43568'],
    learnMore: 'industries-and-templates',
  }),
  sync: verb({
    summary: 'give an account every catalogue template of its industries, and map them (exit 3 when partly done)',
    args: [account],
    options: { all: flag('every account (one failure does not stop the rest)'), dryRun: flag('show what would change; change nothing at WeChat or here') },
    examples: ['wxplat template sync 3', 'wxplat template sync --all --dry-run'],
    learnMore: 'industries-and-templates',
  }),
  list: verb({
    summary: "an account's templates, with catalogue code and placeholders",
    args: [account],
    options: { all: flag('include removed ones') },
    examples: ['wxplat template list 3'],
    learnMore: 'industries-and-templates',
  }),
  send: verb({
    summary: 'send a template message to many recipients, exactly once, resumable (cron-safe)',
    args: [arg('<account>', 'id, appid or original id')],
    options: {
      template: text('<code|template_id>', "a catalogue code or one of the account's template_ids"),
      to: list('<openid...>', 'recipients'),
      toFile: text('<file>', 'recipients, one openid a line (# comments and blank lines skipped)'),
      allFollowers: flag('every follower of the account (status 1)'),
      data: repeat('<key=value>', 'a keyword value (repeat for each keyword)'),
      dataFile: text('<file>', 'keyword values as JSON: {"k":"v"} or {"k":{"value":"v"}}'),
      url: text('<url>', 'where the message opens (http or https)'),
      miniprogram: text('<appid:pagepath>', 'open a linked mini program instead'),
      idempotencyKey: text('<key>', 'the same key finds the same job and carries it on (use one per cron run)'),
      allowRepeat: flag('send even if the same send was made in the last 24 hours (refused without it, unless a key is given)'),
      dryRun: flag('show the rendered message and the recipients; store and send nothing'),
      concurrency: int('<n>', 'requests in flight at once', LIMITS.send.concurrency),
      rate: int('<n>', 'at most n messages a second from this process', LIMITS.send.rate),
      leaseSeconds: int('<n>', 'how long a claimed row is held', LIMITS.send.leaseSeconds, { hidden: true }),
    },
    examples: [
      'wxplat template send 3 --template 43568 --to-file openids.txt \\\n      --data character_string1=SN1001 --data amount2=39.8元 --idempotency-key order-1001',
      'wxplat template send 3 --template 43568 --all-followers --data-file data.json --dry-run',
      'wxplat template send 3 --template Doclyl5uP7Aciu-qZ7mJNPtWkbkYnWBWVja26EGbNyk --to oAbc… oDef… --data-file data.json',
    ],
    learnMore: 'sending',
  }),
};

export const tree = group("template", "the platform's template catalogue, each account's templates, and sending", [
  group("system", "the platform's catalogue of templates (system_message_templates)", [
    bind('list', specs.systemList, () => import('./system-list.js')),
    bind('add', specs.systemAdd, () => import('./system-add.js')),
    bind('remove', specs.systemRemove, () => import('./system-remove.js')),
  ], { learnMore: 'industries-and-templates' }),
  bind('sync', specs.sync, () => import('./sync.js')),
  bind('list', specs.list, () => import('./list.js')),
  bind('send', specs.send, () => import('./send.js')),
], { learnMore: 'industries-and-templates' });
