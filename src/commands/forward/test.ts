// `wxplat forward test <rule> [--sample kind]`
import type { CommandContext } from '../../context.js';
import { testForwardRule } from '../../core/forwarding/manage.js';
import { createPoster } from '../../core/forwarding/post.js';
import { FailedError } from '../../errors.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';

export async function run(ctx: CommandContext, { args: [ref], opts }: InputOf<typeof specs.test>): Promise<void> {
  const poster = createPoster({ maxSockets: 1 });
  ctx.onClose(() => poster.close());
  const r = await testForwardRule({ db: await ctx.db(), clock: ctx.clock, poster, componentAppid: ctx.config().component.appid ?? null }, ref, opts.sample);
  ctx.out.result(r, () => {
    ctx.out.line(`POST ${r.target} (${r.sample}, event ${r.eventId})`);
    ctx.out.line(`${r.status ?? 'no answer'} in ${r.ms} ms${r.answer ? `: ${r.answer}` : ''}`);
    if (r.reply) ctx.out.line(r.reply.xml ? `reply to WeChat: ${r.reply.xml.replace(/\s+/g, ' ').slice(0, 200)}` : `WeChat would get "success": ${r.reply.problem ?? 'the service answered no reply'}`);
  });
  if (!r.delivered) throw new FailedError(`the target did not take the push (${r.status === null ? r.answer : `HTTP ${r.status}`})`, 'a 2xx is delivered; anything else would be retried');
}
