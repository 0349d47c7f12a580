import { requireComponent } from '../../config/load.js';
import type { CommandContext } from '../../context.js';
import { replayInboxRow } from '../../core/callbacks/replay.js';
import { FailedError } from '../../errors.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';

export async function run(ctx: CommandContext, { args }: InputOf<typeof specs.replay>): Promise<void> {
  const [id] = args;
  const { appid } = requireComponent(ctx.config(), ['appid']);
  const db = await ctx.db();
  const result = await replayInboxRow({ db, wechat: () => ctx.wechat(), clock: ctx.clock, logger: ctx.logger, componentAppid: appid }, id);
  const doc = { ...result, retryAt: result.retryAt?.toISOString() ?? null };
  ctx.out.result(doc, (r) => {
    const who = r.appid ? ` ${r.appid}` : '';
    ctx.out.line(`inbox row ${r.id}: ${r.eventType}${who} (attempt ${r.attempts})`);
    ctx.out.line(`${r.state}${r.outcome ? `: ${r.outcome}` : ''}`);
    if (r.forwards > 0) ctx.out.line(`${r.forwards} forward${r.forwards === 1 ? '' : 's'} due again (a running serve sends them)`);
  });
  if (result.state === 'pending' || result.state === 'failed') {
    throw new FailedError(
      `processing inbox row ${result.id} failed: ${result.error}`,
      result.retryAt ? `the receiver will try it again from ${result.retryAt.toISOString()}` : 'it will not be tried again automatically',
    );
  }
}
