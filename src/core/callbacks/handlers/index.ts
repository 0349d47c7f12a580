// One handler per event type; anything else is stored and marked ignored.
import type { InboxRoute } from '../../../db/rows.js';
import { isReleaseCheckAccount } from '../release-check.js';
import { authorizationHandler } from './authorization.js';
import { releaseCheckAuthorizationHandler, releaseCheckMessageHandler } from './release-check.js';
import { subscriptionHandler } from './subscription.js';
import { templateReceiptHandler } from './template-receipt.js';
import { ticketHandler } from './ticket.js';
import type { DbHandler, Handler } from './types.js';
import { unauthorizedHandler } from './unauthorized.js';

export const ignoredHandler: DbHandler = {
  kind: 'db',
  async run(_trx, _dialect, { entry }) {
    return { state: 'ignored', outcome: `nothing to do for ${entry.route === 'component' ? 'InfoType' : 'type'} ${entry.eventType}` };
  },
};

export function handlerFor(route: InboxRoute, eventType: string, appid: string | null = null): Handler {
  // WeChat's release-check accounts: answered by serve, never accounts of the platform.
  if (isReleaseCheckAccount(appid)) {
    if (route === 'account') return releaseCheckMessageHandler;
    if (eventType !== 'component_verify_ticket') return releaseCheckAuthorizationHandler;
  }
  if (route === 'component') {
    switch (eventType) {
      case 'component_verify_ticket':
        return ticketHandler;
      case 'authorized':
      case 'updateauthorized':
        return authorizationHandler;
      case 'unauthorized':
        return unauthorizedHandler;
      default:
        return ignoredHandler;
    }
  }
  switch (eventType.toLowerCase()) {
    case 'templatesendjobfinish':
      return templateReceiptHandler;
    case 'subscribe':
    case 'unsubscribe':
      return subscriptionHandler;
    default:
      return ignoredHandler;
  }
}

export type { Handled, Handler, HandlerInput } from './types.js';
export { UnprocessableEventError } from './types.js';
