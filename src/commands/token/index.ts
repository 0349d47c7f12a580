import type { Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  const token = program
    .command('token')
    .description("the tokens wxplat keeps, for the platform's own services and scripts")
    .addHelpText(
      'after',
      `
Services should ask \`wxplat serve\` for tokens (WXPLAT_TOKENS_LISTEN) instead of refreshing their own,
which invalidates everyone else's. These commands print a token because they are asked to.`,
    );
  token
    .command('get')
    .description('print the current token of an account (or `component`), refreshing it first when near expiry')
    .argument('[account]', 'id, appid or original id, or `component` for the component_access_token')
    .action(lazy(rt, () => import('./get.js')));
  token
    .command('jsapi-ticket')
    .description("print an account's jsapi_ticket (for JS-SDK signatures), kept and refreshed like its token")
    .argument('[account]', 'id, appid or original id')
    .action(lazy(rt, () => import('./jsapi-ticket.js')));

  const keys = token.command('keys').description("the keys the platform's services present to the token listener");
  keys
    .command('add')
    .description('make a key for a service and print it (once: only its hash is kept)')
    .option('--name <name>', 'the service it is for (letters, digits, . _ -)')
    .option('--appid <appids>', 'only these accounts (wx…,wx…); without it, every account and the component token')
    .action(lazy(rt, () => import('./keys-add.js')));
  keys
    .command('list')
    .description('the keys: names, scopes, created, last used (never a key)')
    .action(lazy(rt, () => import('./keys-list.js')));
  keys
    .command('remove')
    .description('revoke a key (refused within a second on every host); asks first unless --yes')
    .argument('<name>', "the key's name")
    .action(lazy(rt, () => import('./keys-remove.js')));
}
