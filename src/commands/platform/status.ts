// `wxplat platform status`
import type { ChalkInstance } from 'chalk';
import { requireComponent } from '../../config/load.js';
import type { CommandContext } from '../../context.js';
import { TOKEN_STATE_WORDS } from '../../core/accounts/view.js';
import { describeDuration } from '../../core/platform/age.js';
import { platformStatus, TOKEN_STATE_KEY, type PlatformStatus } from '../../core/platform/status.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';

export async function run(ctx: CommandContext, _input: InputOf<typeof specs.status>): Promise<void> {
  const { appid } = requireComponent(ctx.config(), ['appid']);
  const status = await platformStatus({ db: await ctx.db(), clock: ctx.clock }, appid);
  ctx.out.result(status, (s) => print(ctx, s));
}

function colour(c: ChalkInstance, good: boolean, bad: boolean, text: string): string {
  return good ? c.green(text) : bad ? c.red(text) : c.yellow(text);
}

function print(ctx: CommandContext, s: PlatformStatus): void {
  const { c } = ctx.out;
  const t = s.ticket;
  const ticket =
    t.state === 'missing'
      ? `${c.red('none yet')}: run \`wxplat serve\` where WeChat can reach it; \`wxplat platform ticket restart\` asks WeChat to push one`
      : `${colour(c, t.state === 'fresh', t.state === 'expired', t.state)}, received ${describeDuration(t.ageSeconds! * 1000)} ago (${ctx.out.time(t.receivedAt)})`;
  const k = s.componentToken;
  const token =
    k.state === 'missing'
      ? 'none yet (fetched on first use)'
      : k.state === 'expired'
        ? `${c.yellow('expired')} ${describeDuration(-k.expiresInSeconds! * 1000)} ago (renewed on next use)`
        : `${colour(c, k.state === 'valid', false, k.state)}, expires in ${describeDuration(k.expiresInSeconds! * 1000)} (${ctx.out.time(k.expiresAt)})`;
  const a = s.accounts;
  const states = (['valid', 'expiring', 'needs-reauthorization'] as const)
    .map((state) => {
      const n = a.byTokenState[TOKEN_STATE_KEY[state]];
      const text = `${n} ${TOKEN_STATE_WORDS[state]}`;
      return n === 0 ? text : colour(c, state === 'valid', state === 'needs-reauthorization', text);
    })
    .join(', ');
  const fields: Array<[string, string]> = [
    ['component', s.componentAppid],
    ['ticket', ticket],
    ['component token', token],
    ['accounts', `${a.authorized} authorized: ${states}${a.removed ? ` (${a.removed} removed)` : ''}`],
  ];
  for (const n of a.needingAuthorization) fields.push(['', `${c.red('needs re-authorization')}: ${n.appid ?? n.id}${n.nickname ? ` (${n.nickname})` : ''}${n.reason ? ` — ${n.reason}` : ''}`]);
  if (s.forwarding.length === 0) fields.push(['forwarding', 'no rules (`wxplat forward add`)']);
  for (const [i, f] of s.forwarding.entries()) {
    const waiting = f.pending ? `${f.pending} waiting since ${ctx.out.time(f.oldestPendingAt)}` : 'nothing waiting';
    const dead = f.dead ? c.red(`, ${f.dead} dead`) : '';
    fields.push([i === 0 ? 'forwarding' : '', `rule ${f.name ? `${f.ruleId} (${f.name})` : f.ruleId} ${f.mode} → ${f.target}: ${waiting}${dead}`]);
  }
  for (const [label, value] of fields) ctx.out.line(`${c.dim(label.padEnd(17))}${value}`);
}
