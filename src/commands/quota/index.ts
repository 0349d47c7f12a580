import type { Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  const quota = program
    .command('quota')
    .description("an API's daily call quota at WeChat, for an account or the platform (component)")
    .addHelpText('after', '\n<target> is `component` (the platform itself) or an account: an id, an appid (wx…) or an original id (gh_…).');
  quota
    .command('get')
    .description("today's limit, use and rest for one API (openapi/quota/get), with the rate limits where WeChat gives them")
    .argument('<target>', 'component, or an account')
    .option('--api <path>', 'the API, e.g. /cgi-bin/message/template/send (the default for an account; /cgi-bin/component/api_authorizer_token for the component)')
    .action(lazy(rt, () => import('./get.js')));
  quota
    .command('clear')
    .description("reset today's call counts (WeChat allows 10 resets a month); asks first unless --yes")
    .argument('<target>', 'component, or an account')
    .action(lazy(rt, () => import('./clear.js')));
}
