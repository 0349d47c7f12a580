// `wxplat platform ticket restart [--wait SECONDS]`
import type { CommandContext } from '../../context.js';
import { describeDuration } from '../../core/platform/age.js';
import { restartTicketPush, type TicketRestart } from '../../core/platform/ticket-restart.js';
import { FailedError } from '../../errors.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';

export async function run(ctx: CommandContext, { opts }: InputOf<typeof specs.ticketRestart>): Promise<void> {
  const wait = opts.wait ?? 0;
  if (wait > 0) ctx.out.note(`asked WeChat to push a ticket; waiting up to ${wait} s for \`wxplat serve\` to store it…`);
  const result = await restartTicketPush({ db: await ctx.db(), wechat: await ctx.wechat(), clock: ctx.clock, signal: ctx.signal }, wait);
  ctx.out.result(result, (r) => print(ctx, r));
  if (wait > 0 && !result.arrived) {
    throw new FailedError(
      `no new ticket was stored within ${wait} s`,
      'WeChat pushes it to the authorization event URL: is `wxplat serve` running there, reachable by WeChat (whitelist, HTTPS proxy), and `wxplat records tail events` receiving?',
    );
  }
}

function print(ctx: CommandContext, r: TicketRestart): void {
  const { out } = ctx;
  out.line(`WeChat accepted: it pushes a component_verify_ticket to the authorization event URL shortly (POST /wechat/component, stored by \`wxplat serve\`).`);
  out.line(r.previous ? `the last ticket arrived ${describeDuration(r.previous.ageSeconds * 1000)} ago (${out.time(r.previous.receivedAt)})` : 'no ticket had arrived before');
  if (r.arrived) out.line(out.c.green(`a new ticket arrived ${r.arrived.afterSeconds} s later (${out.time(r.arrived.receivedAt)})`));
  else if (r.waitedSeconds === 0) out.line('`wxplat platform status` shows when it arrives');
}
