import { LIMITS } from '../../core/limits.js';
import { bind, int, text, verb } from '../define.js';

export const specs = {
  sandbox: verb({
    summary: 'run a WeChat simulator on loopback to try wxplat end to end (runs until Ctrl-C)',
    options: {
      port: int('<port>', 'port to listen on (0 = any free port)', { ...LIMITS.port, default: 8790 }),
      callback: text('<url>', 'origin of the callback receiver (`wxplat serve`), e.g. http://127.0.0.1:8080: pushes go there'),
      ticketInterval: int('<seconds>', 'with --callback: push a component_verify_ticket every N seconds (0 = only at start)', LIMITS.sandbox.ticketIntervalSeconds),
      latency: int('<ms>', 'added to every API answer', LIMITS.sandbox.latencyMs),
      followers: int('<n>', 'followers of each account the authorization page creates', LIMITS.sandbox.followers),
      state: text('<file>', 'keep the sandbox\'s state (accounts, tokens, templates) in this file across restarts; without it, state is in memory'),
    },
    notes: `Uses WXPLAT_COMPONENT_* from the configuration when they are set; otherwise it makes sandbox credentials
and adds them, with WXPLAT_API_BASE, to .env in this folder (existing lines are never changed).
The control API is under <url>/sandbox/ (GET /sandbox/state to begin).
State (accounts, their tokens and templates) is in memory unless --state FILE keeps it: after a restart
without it, every account authorized before needs authorizing again (WeChat's 61003).`,
    examples: [
      'wxplat sandbox --callback http://127.0.0.1:8080 --ticket-interval 10 --state sandbox-state.json',
      'wxplat sandbox --port 8790 --followers 5000',
    ],
    learnMore: 'the-sandbox',
  }),
};

export const tree = bind('sandbox', specs.sandbox, () => import('./start.js'));
