import { Option, type Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  const template = program.command('template').description("the platform's template catalogue, each account's templates, and sending");
  const system = template.command('system').description("the platform's catalogue of templates (system_message_templates)");
  system
    .command('list')
    .description('the catalogue, with each entry\'s industry, placeholders and keywords')
    .option('--all', 'include removed entries')
    .action(lazy(rt, () => import('./system-list.js')));
  system
    .command('add')
    .description('add a template of WeChat\'s library to the catalogue')
    .option('--code <code>', "WeChat's library number (template_id_short)")
    .option('--title <title>', 'its title, as WeChat shows it')
    .option('--industry <code>', 'the industry code it belongs to (`wxplat industry list`)')
    .option('--content <text>', 'its content, with {{name.DATA}} placeholders')
    .option('--keywords <k1,k2>', 'keyword_name_list, in order: what new category templates are added with')
    .action(lazy(rt, () => import('./system-add.js')));
  system
    .command('remove')
    .description('remove an entry from the catalogue (status -2); accounts keep their templates')
    .argument('[code]', 'the entry\'s code')
    .action(lazy(rt, () => import('./system-remove.js')));
  template
    .command('sync')
    .description("give an account every catalogue template of its industries, and map them (exit 3 when partly done)")
    .argument('[account]', 'id, appid or original id')
    .option('--all', 'every account (one failure does not stop the rest)')
    .option('--dry-run', 'show what would change; change nothing at WeChat or here')
    .action(lazy(rt, () => import('./sync.js')));
  template
    .command('list')
    .description("an account's templates, with catalogue code and placeholders")
    .argument('[account]', 'id, appid or original id')
    .option('--all', 'include removed ones')
    .action(lazy(rt, () => import('./list.js')));
  template
    .command('send')
    .description('send a template message to many recipients, exactly once, resumable (cron-safe)')
    .argument('<account>', 'id, appid or original id')
    .option('--template <code|template_id>', 'a catalogue code or one of the account\'s template_ids')
    .option('--to <openid...>', 'recipients')
    .option('--to-file <file>', 'recipients, one openid a line (# comments and blank lines skipped)')
    .option('--all-followers', 'every follower of the account (status 1)')
    .option('--data <key=value>', 'a keyword value (repeat for each keyword)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--data-file <file>', 'keyword values as JSON: {"k":"v"} or {"k":{"value":"v"}}')
    .option('--url <url>', 'where the message opens (http or https)')
    .option('--miniprogram <appid:pagepath>', 'open a linked mini program instead')
    .option('--idempotency-key <key>', 'the same key finds the same job and carries it on (use one per cron run)')
    .option('--allow-repeat', 'send even if the same send was made in the last 24 hours (refused without it, unless a key is given)')
    .option('--dry-run', 'show the rendered message and the recipients; store and send nothing')
    .option('--concurrency <n>', 'requests in flight at once (default 16)')
    .option('--rate <n>', 'at most n messages a second from this process')
    .addOption(new Option('--lease-seconds <n>', 'how long a claimed row is held').hideHelp())
    .action(lazy(rt, () => import('./send.js')));
}
