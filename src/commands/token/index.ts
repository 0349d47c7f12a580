import { arg, bind, group, text, verb } from '../define.js';

const learnMore = 'tokens-for-your-services';

export const specs = {
  get: verb({
    summary: 'print the current token of an account (or `component`), refreshing it first when near expiry',
    args: [arg('[account]', 'id, appid or original id, or `component` for the component_access_token')],
    examples: ['wxplat token get wx1234567890abcdef', 'wxplat token get component --json'],
    learnMore,
  }),
  jsapiTicket: verb({
    summary: "print an account's jsapi_ticket (for JS-SDK signatures), kept and refreshed like its token",
    args: [arg('[account]', 'id, appid or original id')],
    examples: ['wxplat token jsapi-ticket 3 --json'],
    learnMore,
  }),
  keysAdd: verb({
    summary: 'make a key for a service and print it (once: only its hash is kept)',
    options: {
      name: text('<name>', 'the service it is for (letters, digits, . _ -)'),
      appid: text('<appids>', 'only these accounts (wx…,wx…); without it, every account and the component token'),
    },
    examples: ['wxplat token keys add --name orders --appid wx1234567890abcdef', 'wxplat token keys add --name menus'],
    learnMore,
  }),
  keysList: verb({ summary: 'the keys: names, scopes, created, last used (never a key)', examples: ['wxplat token keys list'], learnMore }),
  keysRemove: verb({
    summary: 'revoke a key (refused within a second on every host); asks first unless --yes',
    args: [arg('<name>', "the key's name")],
    examples: ['wxplat token keys remove orders --yes'],
    learnMore,
  }),
};

export const tree = group("token", "the tokens wxplat keeps, for the platform's own services and scripts", [
  bind('get', specs.get, () => import('./get.js')),
  bind('jsapi-ticket', specs.jsapiTicket, () => import('./jsapi-ticket.js')),
  group("keys", "the keys the platform's services present to the token listener", [
    bind('add', specs.keysAdd, () => import('./keys-add.js')),
    bind('list', specs.keysList, () => import('./keys-list.js')),
    bind('remove', specs.keysRemove, () => import('./keys-remove.js')),
  ], { learnMore }),
], {
  notes: `Services should ask \`wxplat serve\` for tokens (WXPLAT_TOKENS_LISTEN) instead of refreshing their own,
which invalidates everyone else's. These commands print a token because they are asked to.`,
  learnMore,
});
