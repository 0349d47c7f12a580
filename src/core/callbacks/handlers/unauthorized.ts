// unauthorized → the account's status becomes -2 (logically deleted) and its tokens are dropped; its
// rows stay. An `unauthorized` that WeChat made before a later authorization of the same account (and
// is processed after it, say after a retry) changes nothing.
import { AccountRepository } from '../../../db/repositories/accounts.js';
import { InboxRepository } from '../../../db/repositories/inbox.js';
import { TokenRepository } from '../../../db/repositories/tokens.js';
import { STATUS } from '../../../db/rows.js';
import { toSqlDateTime } from '../../../db/time.js';
import { required, type DbHandler } from './types.js';

export const unauthorizedHandler: DbHandler = {
  kind: 'db',
  async run(trx, dialect, { entry, fields, clock, now }) {
    const appid = required(fields, 'AuthorizerAppid', 'the unauthorized event');
    if (entry.messageTime) {
      const later = await new InboxRepository(trx, dialect).laterEvent(appid, ['authorized', 'updateauthorized'], entry.messageTime, entry.id);
      if (later !== null) return { state: 'ignored', outcome: `superseded by the later authorization in inbox row ${later}` };
    }
    const accounts = new AccountRepository(trx);
    const account = await accounts.findByAppid(appid);
    if (account && account.status !== STATUS.deleted) {
      await accounts.setStatus(account.official_account_id, STATUS.deleted, toSqlDateTime(now));
    }
    await new TokenRepository(trx, clock).dropAuthorizer(appid);
    return {
      state: 'done',
      outcome: account
        ? `account ${account.official_account_id} removed (status -2); tokens dropped`
        : `no account with appid ${appid}; tokens dropped`,
    };
  },
};
