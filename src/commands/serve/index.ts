import type { Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  program
    .command('serve')
    .description('receive WeChat callbacks: verify, store in the inbox, answer success, process from the inbox')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8080')
    .option('--no-process', 'only receive; leave processing the inbox to another `wxplat serve`')
    .addHelpText(
      'after',
      `
Routes: POST /wechat/component (authorization events), POST /wechat/accounts/:appid (the accounts'
messages and events; WeChat's $APPID$ URL), GET on both for the echostr check, GET /healthz.
Needs WXPLAT_COMPONENT_APPID, WXPLAT_COMPONENT_TOKEN, WXPLAT_COMPONENT_AES_KEY, WXPLAT_COMPONENT_APPSECRET;
WXPLAT_CALLBACK_MAX_SKEW bounds the timestamp (0 turns the check off). SIGINT/SIGTERM: stop accepting,
finish what is in flight, exit 0.
With WXPLAT_TOKENS_LISTEN=HOST:PORT, a second listener hands the platform's own services tokens:
GET /tokens/component, /tokens/accounts/:appid, /tokens/accounts/:appid/jsapi-ticket;
POST /tokens/accounts/:appid/invalid — each with Authorization: Bearer <key> (\`wxplat token keys add\`).`,
    )
    .action(lazy(rt, () => import('./serve.js')));
}
