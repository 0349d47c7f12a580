// `wxplat doctor`
import type { ChalkInstance } from 'chalk';
import type { CommandContext } from '../../context.js';
import type { CheckStatus } from '../../core/doctor/check.js';
import { runDoctor, type DoctorReport } from '../../core/doctor/doctor.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';

function styleStatus(text: string, status: CheckStatus, c: ChalkInstance): string {
  if (status === 'ok') return c.green(text);
  if (status === 'warn') return c.yellow(text);
  if (status === 'fail') return c.red(text);
  return c.dim(text);
}

export async function run(ctx: CommandContext, _input: InputOf<typeof specs.doctor>): Promise<void> {
  const report = await runDoctor(
    { clock: ctx.clock },
    { env: ctx.io.env, cwd: ctx.io.cwd, dbFlag: ctx.globals.db },
  );
  ctx.out.result(report, (r) => print(ctx, r));
  ctx.exitCode = report.exitCode;
}

function print(ctx: CommandContext, r: DoctorReport): void {
  const { out } = ctx;
  out.table(
    [
      { header: 'check', value: (c) => c.name, keep: true },
      { header: 'state', value: (c) => c.state, style: (text, c, chalk) => styleStatus(text, c.state, chalk) },
      { header: 'detail', value: (c) => c.detail },
    ],
    r.checks,
    // Each detail says what is wrong: wrapped, never cut.
    { wrap: true },
  );
  const advice = r.checks.filter((c) => c.advice);
  if (advice.length > 0) {
    out.line();
    for (const c of advice) out.line(`${styleStatus(`${c.name}:`, c.state, out.c)} ${c.advice}`);
  }
  out.line();
  const { warn, fail } = r.counts;
  if (fail === 0 && warn === 0) out.line(out.c.green('all checks passed'));
  else out.line(`${fail ? out.c.red(`${fail} failed`) : '0 failed'}, ${warn ? out.c.yellow(`${warn} ${warn === 1 ? 'warning' : 'warnings'}`) : '0 warnings'}`);
}
