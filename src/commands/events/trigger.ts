import { requireComponent } from '../../config/load.js';
import type { CommandContext } from '../../context.js';
import { resolveAccount } from '../../core/accounts/resolve.js';
import { rehearseReleaseCheck, type RehearsalResult } from '../../core/callbacks/release-rehearsal.js';
import { sendTrigger } from '../../core/callbacks/trigger.js';
import { FailedError } from '../../errors.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';


export async function run(ctx: CommandContext, { args, opts }: InputOf<typeof specs.trigger>): Promise<void> {
  const [type] = args;
  const c = requireComponent(ctx.config(), ['appid', 'token', 'aesKey']);
  if (type === 'release-check') {
    const result = await rehearseReleaseCheck({
      forwardTo: opts.forwardTo,
      apiBase: ctx.config().apiBase,
      component: { appid: c.appid, token: c.token, encodingAesKey: c.aesKey.reveal() },
      now: () => ctx.clock.now(),
    });
    ctx.out.result(result, (r) => printRehearsal(ctx, r));
    if (!result.passed) throw new FailedError(`WeChat's release check would fail: ${result.cases.filter((x) => !x.pass).map((x) => x.name).join(', ')}`, 'each failed case says what the receiver answered');
    return;
  }
  let result;
  try {
    result = await sendTrigger({
      type,
      forwardTo: opts.forwardTo,
      appid: opts.appid,
      msgid: opts.msgid,
      openid: opts.openid,
      status: opts.status,
      authCode: opts.authCode,
      originalId: opts.originalId,
      content: opts.content,
      component: { appid: c.appid, token: c.token, encodingAesKey: c.aesKey.reveal() },
      now: ctx.clock.now(),
    }, {
      // Without --original-id, the account's row in this database names it, when there is one.
      originalIdOf: async (appid) => {
        try {
          return (await resolveAccount(await ctx.db(), appid, { includeRemoved: true })).original_id;
        } catch {
          return null;
        }
      },
    });
  } catch (err) {
    if (err instanceof Error && !(err as { exitCode?: number }).exitCode) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new FailedError(`could not reach ${opts.forwardTo}: ${cause?.code ?? cause?.message ?? err.message}`);
    }
    throw err;
  }
  ctx.out.result(result, (r) => {
    ctx.out.line(`POST ${r.target} (${r.type})`);
    ctx.out.line(r.reply ? `${r.status} a passive reply:` : `${r.status} ${r.body.trim()}`);
    if (r.reply) ctx.out.line(`  ${r.reply.replace(/\s+/g, ' ')}`);
  });
  if (!result.accepted) {
    throw new FailedError(`the receiver did not accept the event (HTTP ${result.status})`, 'its log line names the check that failed');
  }
}

function printRehearsal(ctx: CommandContext, r: RehearsalResult): void {
  const { c } = ctx.out;
  ctx.out.line(`WeChat's release check (全网发布接入检测) against ${r.target}, test account ${r.account.appid} (${r.account.userName}):`);
  for (const x of r.cases) {
    ctx.out.line(`  ${x.pass ? c.green('pass') : c.red('FAIL')}  ${x.name.padEnd(6)} ${x.sends} → ${x.expects}`);
    ctx.out.line(`        ${x.detail}`);
  }
  ctx.out.line(r.passed ? c.green('every case passes') : c.red('WeChat would refuse the release'));
}
