// component_verify_ticket → the token keeper's ticket, with the time it arrived (a push processed late
// never replaces a newer ticket: the store compares the times).
import { TokenRepository } from '../../../db/repositories/tokens.js';
import { required, type DbHandler } from './types.js';

export const ticketHandler: DbHandler = {
  kind: 'db',
  async run(trx, _dialect, { entry, fields, componentAppid, clock }) {
    const ticket = required(fields, 'ComponentVerifyTicket', 'the component_verify_ticket push');
    await new TokenRepository(trx, clock).saveTicket(componentAppid, ticket, entry.receivedAt);
    return { state: 'done', outcome: 'ticket stored' };
  },
};
