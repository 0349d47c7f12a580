import { arg, bind, group, text, verb } from '../define.js';

const learnMore = 'quotas-and-request-ids';
const target = arg('<target>', 'component, or an account');

export const specs = {
  get: verb({
    summary: "today's limit, use and rest for one API (openapi/quota/get), with the rate limits where WeChat gives them",
    args: [target],
    options: {
      api: text('<path>', 'the API, e.g. /cgi-bin/message/template/send (the default for an account; /cgi-bin/component/api_authorizer_token for the component)'),
    },
    examples: ['wxplat quota get 3', 'wxplat quota get 3 --api /cgi-bin/user/get --json', 'wxplat quota get component'],
    learnMore,
  }),
  clear: verb({
    summary: "reset today's call counts (WeChat allows 10 resets a month); asks first unless --yes",
    args: [target],
    examples: ['wxplat quota clear 3', 'wxplat quota clear component --yes'],
    learnMore,
  }),
};

export const tree = group("quota", "an API's daily call quota at WeChat, for an account or the platform (component)", [
  bind('get', specs.get, () => import('./get.js')),
  bind('clear', specs.clear, () => import('./clear.js')),
], { notes: '<target> is `component` (the platform itself) or an account: an id, an appid (wx…) or an original id (gh_…).', learnMore });
