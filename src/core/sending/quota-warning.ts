// Before a send starts: does the account's quota for the send API (what is left of today's) cover the
// recipients? Only a warning: the job still starts, and 45009 still pauses it until the reset. Where
// WeChat does not answer the question (an error, an old account), nothing is said.
import type { Logger } from '../../logger.js';
import type { AccountClient } from '../../wechat/client.js';

export const SEND_API_PATH = '/cgi-bin/message/template/send';

export async function quotaWarning(account: AccountClient, recipients: number, logger: Logger): Promise<string | null> {
  if (recipients === 0) return null;
  let remaining: number;
  let limit: number;
  try {
    const res = await account.quota(SEND_API_PATH);
    remaining = Number(res.quota?.remain);
    limit = Number(res.quota?.daily_limit);
  } catch (err) {
    logger.debug('the send quota could not be read', { error: (err as Error).message });
    return null;
  }
  if (!Number.isFinite(remaining) || remaining >= recipients) return null;
  return (
    `${recipients} recipients, but WeChat says ${remaining} of the account's ${Number.isFinite(limit) ? limit : '?'} template sends are left today: ` +
    'the job starts, and pauses at the quota (45009) until midnight Beijing time (`wxplat quota clear <account>` resets it, 10 times a month)'
  );
}
