import { arg, bind, flag, group, maybe, text, verb } from '../define.js';

const account = arg('[account]', 'id, appid or original id');
const learnMore = 'accounts';

export const specs = {
  list: verb({
    summary: 'every account: types, permission sets, status and token state (never a token)',
    options: { all: flag('include removed accounts') },
    examples: ['wxplat account list', 'wxplat account list --all'],
    learnMore,
  }),
  show: verb({
    summary: 'one account in full',
    args: [account],
    examples: ['wxplat account show wx1234567890abcdef'],
    learnMore,
  }),
  authorize: verb({
    summary: 'authorize an account: print the authorization links, then exchange the code WeChat returns',
    options: {
      authCode: text('<code>', 'exchange this authorization code (auth_code) without asking'),
      redirectUrl: text('<url>', 'the whole address WeChat redirected to; its auth_code is exchanged'),
      authType: text('<type>', 'which accounts the page offers: 1 official accounts (default), 2 mini programs, 3 both'),
      redirectUri: text('<uri>', 'where WeChat sends the admin afterwards (on the platform domain)'),
      urlOnly: flag('print the links and stop (finish later with --redirect-url, or let `wxplat serve` do it)'),
    },
    examples: [
      'wxplat account authorize',
      'wxplat account authorize --url-only --redirect-uri https://platform.example.com/authorized',
      "wxplat account authorize --redirect-url 'https://platform.example.com/authorized?auth_code=…&expires_in=600'",
    ],
    learnMore,
  }),
  refresh: verb({
    summary: "fetch an account's profile from WeChat again",
    args: [account],
    options: { all: flag('every account (one failure does not stop the rest; exit 3)') },
    examples: ['wxplat account refresh gh_eb5e3a772040', 'wxplat account refresh --all'],
    learnMore,
  }),
  remove: verb({
    summary: 'mark an account removed (status -2); asks first unless --yes',
    args: [account],
    examples: ['wxplat account remove 3 --yes'],
    learnMore,
  }),
  reconcile: verb({
    summary:
      "make the accounts agree with WeChat's list of authorizations: adopt, restore, mark removed, take refresh tokens (exit 3 when some are left undone)",
    options: { dryRun: flag('show what would change; change nothing') },
    examples: ['wxplat account reconcile --dry-run', 'wxplat account reconcile'],
    learnMore,
  }),
  paySet: verb({
    summary: 'set the merchant number, name and pay key (the key from stdin or a hidden prompt, never a flag)',
    args: [account],
    options: {
      mchId: text('<id>', 'the merchant number (digits)'),
      name: text('<name>', 'the company name'),
      // Present only to refuse them with a clear message: a key on the command line would leak.
      key: maybe('[value]', 'refused', { hidden: true }),
      payKey: maybe('[value]', 'refused', { hidden: true }),
      appkey: maybe('[value]', 'refused', { hidden: true }),
    },
    examples: ["echo \"$PAY_KEY\" | wxplat account pay set 3 --mch-id 1230000109 --name '某某科技有限公司'"],
    learnMore,
  }),
  payShow: verb({
    summary: 'the merchant settings, the key masked',
    args: [account],
    examples: ['wxplat account pay show 3'],
    learnMore,
  }),
};

export const tree = group(
  'account',
  'the official accounts (公众号) authorized to the platform',
  [
    bind('list', specs.list, () => import('./list.js')),
    bind('show', specs.show, () => import('./show.js')),
    bind('authorize', specs.authorize, () => import('./authorize.js')),
    bind('refresh', specs.refresh, () => import('./refresh.js')),
    bind('remove', specs.remove, () => import('./remove.js')),
    bind('reconcile', specs.reconcile, () => import('./reconcile.js')),
    group("pay", "an account's WeChat Pay merchant settings", [
      bind('set', specs.paySet, () => import('./pay-set.js')),
      bind('show', specs.payShow, () => import('./pay-show.js')),
    ], { learnMore }),
  ],
  { notes: '<account> is an account id, an appid (wx…) or an original id (gh_…); at a terminal it may be left out to pick one.', learnMore },
);
