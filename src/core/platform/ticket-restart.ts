// `platform ticket restart`: asks WeChat to start pushing component_verify_ticket again
// (api_start_push_ticket, with the appsecret: it works when no ticket, hence no component token, is
// at hand). The ticket itself arrives at the authorization event URL, where `wxplat serve` stores it;
// with a wait, this watches the store for it.
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { TokenRepository } from '../../db/repositories/tokens.js';
import { InterruptedError } from '../../errors.js';
import type { WeChatClient } from '../../wechat/client.js';
import { realSleep, type Sleep } from '../../wechat/retry.js';

export interface TicketRestartDeps {
  db: Database;
  wechat: WeChatClient;
  clock: Clock;
  signal: AbortSignal;
  sleep?: Sleep;
}

export interface TicketRestart {
  componentAppid: string;
  askedAt: string;
  /** The ticket stored before asking (its arrival only). */
  previous: { receivedAt: string; ageSeconds: number } | null;
  /** With a wait: when the new ticket was stored, or null when none came in time. */
  arrived: { receivedAt: string; afterSeconds: number } | null;
  waitedSeconds: number;
}

export async function restartTicketPush(deps: TicketRestartDeps, waitSeconds = 0): Promise<TicketRestart> {
  const { db, wechat, clock } = deps;
  const sleep = deps.sleep ?? realSleep;
  const tokens = new TokenRepository(db.knex, clock);
  const appid = wechat.componentAppid;
  const before = await tokens.readTicket(appid);
  const asked = clock.now();
  await wechat.startPushTicket();
  const result: TicketRestart = {
    componentAppid: appid,
    askedAt: asked.toISOString(),
    previous: before
      ? { receivedAt: before.receivedAt.toISOString(), ageSeconds: Math.max(0, Math.round((asked.getTime() - before.receivedAt.getTime()) / 1000)) }
      : null,
    arrived: null,
    waitedSeconds: 0,
  };
  // The push is WeChat's; the serve that stores it may run on another host: watch the shared store.
  // DATETIME columns hold whole seconds, so "newer" is measured from the second of asking.
  const since = Math.floor(asked.getTime() / 1000) * 1000;
  for (const deadline = asked.getTime() + waitSeconds * 1000; waitSeconds > 0; ) {
    const now = clock.now().getTime();
    const ticket = await tokens.readTicket(appid);
    if (ticket && ticket.receivedAt.getTime() >= since && (!before || ticket.ticket !== before.ticket)) {
      result.arrived = { receivedAt: ticket.receivedAt.toISOString(), afterSeconds: Math.max(0, Math.round((ticket.receivedAt.getTime() - asked.getTime()) / 1000)) };
      break;
    }
    if (now >= deadline) break;
    if (deps.signal.aborted) throw new InterruptedError('interrupted while waiting for the ticket');
    await sleep(500);
  }
  result.waitedSeconds = Math.round((clock.now().getTime() - asked.getTime()) / 1000);
  return result;
}
