import { LIMITS } from '../../core/limits.js';
import { bind, int, off, text, verb } from '../define.js';

export const specs = {
  serve: verb({
    summary: 'receive WeChat callbacks: verify, store in the inbox, answer success, process from the inbox',
    options: {
      host: text('<host>', 'address to listen on', { default: '127.0.0.1' }),
      port: int('<port>', 'port to listen on (0 picks a free one)', { ...LIMITS.port, default: 8080 }),
      process: off('only receive; leave processing the inbox to another `wxplat serve`'),
      writeConcurrency: int('<n>', 'inbox batches written at once on MySQL (a tuning knob for bench/serve)', LIMITS.writeConcurrency, { hidden: true }),
    },
    notes: `Routes: POST /wechat/component (authorization events), POST /wechat/accounts/:appid (the accounts'
messages and events; WeChat's $APPID$ URL), GET on both for the echostr check, GET /healthz.
Needs WXPLAT_COMPONENT_APPID, WXPLAT_COMPONENT_TOKEN, WXPLAT_COMPONENT_AES_KEY, WXPLAT_COMPONENT_APPSECRET;
WXPLAT_CALLBACK_MAX_SKEW bounds the timestamp (0 turns the check off). SIGINT/SIGTERM: stop accepting,
finish what is in flight, exit 0.
With WXPLAT_TOKENS_LISTEN=HOST:PORT, a second listener hands the platform's own services tokens:
GET /tokens/component, /tokens/accounts/:appid, /tokens/accounts/:appid/jsapi-ticket;
POST /tokens/accounts/:appid/invalid — each with Authorization: Bearer <key> (\`wxplat token keys add\`).`,
    examples: ['wxplat serve', 'wxplat serve --host 0.0.0.0 --port 8080   # behind your HTTPS proxy'],
    learnMore: 'the-platform-and-its-callbacks',
  }),
};

export const tree = bind('serve', specs.serve, () => import('./serve.js'));
