import { LIMITS } from '../../core/limits.js';
import { bind, group, int, verb } from '../define.js';

const learnMore = 'the-platform-and-its-callbacks';

export const specs = {
  status: verb({
    summary: 'ticket age, component token expiry, accounts by token state (never a ticket or token)',
    examples: ['wxplat platform status'],
    learnMore,
  }),
  ticketRestart: verb({
    summary: 'ask WeChat to push a ticket now (api_start_push_ticket); `serve` stores it when it comes',
    options: { wait: int('<seconds>', 'wait this long for the new ticket to be stored (exit 1 if it does not come)', LIMITS.ticketWait) },
    examples: ['wxplat platform ticket restart', 'wxplat platform ticket restart --wait 60'],
    learnMore,
  }),
};

export const tree = group('platform', 'the third-party platform itself: its ticket and token', [
  bind('status', specs.status, () => import('./status.js')),
  group('ticket', 'the component_verify_ticket WeChat pushes every 10 minutes', [bind('restart', specs.ticketRestart, () => import('./ticket-restart.js'))], {
    learnMore,
  }),
], { learnMore });
