import { Option, type Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  const account = program
    .command('account')
    .description('the official accounts (公众号) authorized to the platform')
    .addHelpText('after', '\n<account> is an account id, an appid (wx…) or an original id (gh_…); at a terminal it may be left out to pick one.');
  account
    .command('list')
    .description('every account: types, permission sets, status and token state (never a token)')
    .option('--all', 'include removed accounts')
    .action(lazy(rt, () => import('./list.js')));
  account
    .command('show')
    .description('one account in full')
    .argument('[account]', 'id, appid or original id')
    .action(lazy(rt, () => import('./show.js')));
  account
    .command('authorize')
    .description('authorize an account: print the authorization links, then exchange the code WeChat returns')
    .option('--auth-code <code>', 'exchange this authorization code (auth_code) without asking')
    .option('--redirect-url <url>', 'the whole address WeChat redirected to; its auth_code is exchanged')
    .option('--auth-type <type>', 'which accounts the page offers: 1 official accounts (default), 2 mini programs, 3 both')
    .option('--redirect-uri <uri>', 'where WeChat sends the admin afterwards (on the platform domain)')
    .option('--url-only', 'print the links and stop (finish later with --redirect-url, or let `wxplat serve` do it)')
    .action(lazy(rt, () => import('./authorize.js')));
  account
    .command('refresh')
    .description("fetch an account's profile from WeChat again")
    .argument('[account]', 'id, appid or original id')
    .option('--all', 'every account (one failure does not stop the rest; exit 3)')
    .action(lazy(rt, () => import('./refresh.js')));
  account
    .command('remove')
    .description('mark an account removed (status -2); asks first unless --yes')
    .argument('[account]', 'id, appid or original id')
    .action(lazy(rt, () => import('./remove.js')));

  account
    .command('reconcile')
    .description("make the accounts agree with WeChat's list of authorizations: adopt, restore, mark removed, take refresh tokens (exit 3 when some are left undone)")
    .option('--dry-run', 'show what would change; change nothing')
    .action(lazy(rt, () => import('./reconcile.js')));

  const pay = account.command('pay').description("an account's WeChat Pay merchant settings");
  pay
    .command('set')
    .description('set the merchant number, name and pay key (the key from stdin or a hidden prompt, never a flag)')
    .argument('[account]', 'id, appid or original id')
    .option('--mch-id <id>', 'the merchant number (digits)')
    .option('--name <name>', 'the company name')
    // Present only to refuse them with a clear message: a key on the command line would leak.
    .addOption(new Option('--key [value]').hideHelp())
    .addOption(new Option('--pay-key [value]').hideHelp())
    .addOption(new Option('--appkey [value]').hideHelp())
    .action(lazy(rt, () => import('./pay-set.js')));
  pay
    .command('show')
    .description('the merchant settings, the key masked')
    .argument('[account]', 'id, appid or original id')
    .action(lazy(rt, () => import('./pay-show.js')));
}
