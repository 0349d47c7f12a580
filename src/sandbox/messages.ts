// Customer-service messages, /cgi-bin/message/custom/send: an account answers a user who wrote to it
// lately — for 48 hours after the user's message, at most 5 messages (WeChat's rule for "users send
// messages"); after that 45015, beyond the count 45047. A user not following gets 45015 too ("or
// subscription is canceled"). Each accepted message is kept, for tests and GET /sandbox/state.
import { ApiError, OK_BODY } from './errors.js';
import { Membership } from './followers.js';
import { jsonBody, type Route, type Sim } from './routes.js';

export const REPLY_WINDOW_MS = 48 * 3600 * 1000;
export const REPLIES_PER_MESSAGE = 5;

const MSGTYPES = new Set(['text', 'image', 'voice', 'video', 'music', 'news', 'mpnews', 'mpnewsarticle', 'msgmenu', 'wxcard', 'miniprogrampage']);

export function messageRoutes(sim: Sim): Record<string, Route> {
  const { world } = sim;
  return {
    'cgi-bin/message/custom/send': {
      method: 'POST',
      auth: 'account',
      needs: 'message',
      handle(req, account) {
        const body = jsonBody(req);
        const touser = body.touser;
        if (typeof touser !== 'string' || touser === '') throw new ApiError(40003);
        const membership = account.followers.membership(touser);
        if (membership === Membership.Foreign) throw new ApiError(40003);
        const msgtype = body.msgtype;
        if (typeof msgtype !== 'string' || !MSGTYPES.has(msgtype)) throw new ApiError(40008);
        const part = body[msgtype];
        if (part === null || typeof part !== 'object') throw new ApiError(47001);
        let content: string | null = null;
        if (msgtype === 'text') {
          const text = (part as { content?: unknown }).content;
          if (typeof text !== 'string' || text === '') throw new ApiError(44004);
          content = text;
        }
        if (membership === Membership.NotFollowing) throw new ApiError(45015);
        const now = world.time.now();
        const interaction = account.interactions.get(touser);
        if (!interaction || now - interaction.at > REPLY_WINDOW_MS) throw new ApiError(45015);
        if (interaction.sent >= REPLIES_PER_MESSAGE) throw new ApiError(45047);
        interaction.sent++;
        world.recordCustomMessage({ appid: account.appid, touser, msgtype, content, body, at: new Date(now).toISOString() });
        return OK_BODY;
      },
    },
  };
}
