import path from 'node:path';
import type { CommandContext } from '../../context.js';
import { EXIT, FailedError, UsageError } from '../../errors.js';
import { VARIABLES } from '../../config/load.js';
import { SandboxError, startSandbox } from '../../sandbox/index.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { addToEnvFile, checkEnvFileMode, sandboxCredentials, type EnvFileChange } from './credentials.js';



export async function run(ctx: CommandContext, { opts }: InputOf<typeof specs.sandbox>): Promise<void> {
  const { port, ticketInterval, latency, followers } = opts;
  const credentials = sandboxCredentials(ctx.config().component);
  const envFile = path.join(ctx.io.cwd, '.env');
  // Before the sandbox starts: made-up secrets are never added to a .env that others can read.
  checkEnvFileMode(envFile, credentials.generated);

  const sandbox = await startSandbox({
    port,
    component: credentials,
    callbackUrl: opts.callback,
    ticketIntervalSeconds: opts.callback ? ticketInterval : 0,
    latencyMs: latency,
    defaultFollowers: followers,
    stateFile: opts.state === undefined ? undefined : path.resolve(ctx.io.cwd, opts.state),
    // A receiver that is down or refusing is worth a line each time, not a silence.
    onPushFailed: (p) => ctx.out.warn(`push ${p.kind} to ${p.url} failed after ${p.attempts} attempt${p.attempts === 1 ? '' : 's'}: ${p.error ?? 'no answer'}`),
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') throw new FailedError(`port ${port} is in use`, 'pass --port 0 for any free port, or stop what listens there');
    if (err instanceof SandboxError) throw new UsageError(err.message);
    throw err;
  });
  ctx.onClose(() => sandbox.close());

  // Made-up credentials only make sense together with the sandbox's URL; configured ones stay untouched.
  const generated = credentials.generated.length > 0;
  const env: EnvFileChange = generated
    ? addToEnvFile(envFile, [...credentials.generated, [VARIABLES.apiBase, sandbox.url]], `wxplat sandbox credentials (${ctx.clock.now().toISOString()})`)
    : { wrote: [], kept: {} };
  const keptBase = env.kept[VARIABLES.apiBase];
  const inEnvFile = env.wrote.includes(VARIABLES.apiBase) || keptBase === sandbox.url;
  const fromEnvOther = Boolean(ctx.io.env[VARIABLES.apiBase]) && ctx.io.env[VARIABLES.apiBase] !== sandbox.url;

  ctx.out.result(
    {
      url: sandbox.url,
      appid: credentials.appid,
      envFile,
      wrote: env.wrote,
      credentials: generated ? 'generated' : 'configured',
      callbackUrl: sandbox.callbackUrl ?? null,
      ticketIntervalSeconds: opts.callback ? ticketInterval : 0,
      controlUrl: `${sandbox.url}/sandbox`,
      stateFile: opts.state === undefined ? null : path.resolve(ctx.io.cwd, opts.state),
      stateRestored: sandbox.restored,
    },
    (r) => {
      ctx.out.line(`WeChat sandbox listening on ${r.url}`);
      const source = generated ? (credentials.generated.length === 4 ? 'made up for the sandbox' : 'partly made up for the sandbox') : 'from the configuration';
      ctx.out.line(`  component appid   ${r.appid} (${source})`);
      if (env.wrote.length > 0) ctx.out.line(`  wrote to ${envFile}: ${env.wrote.join(', ')}`);
      if (r.callbackUrl) {
        const every = r.ticketIntervalSeconds > 0 ? `, then every ${r.ticketIntervalSeconds} s` : '';
        ctx.out.line(`  pushes            to ${r.callbackUrl}/wechat/… (a component_verify_ticket now${every})`);
      } else {
        ctx.out.line('  pushes            none (no --callback); POST /sandbox/tickets makes a ticket');
      }
      ctx.out.line(`  control API       ${r.controlUrl}/state`);
      if (r.stateFile === null) ctx.out.line('  state             in memory: a restart forgets accounts and tokens (--state FILE keeps them)');
      else ctx.out.line(`  state             ${r.stateRestored ? 'read from and kept in' : 'kept in (new)'} ${r.stateFile}`);
      ctx.out.line('');
      if (inEnvFile && !fromEnvOther) {
        // .env is read from the folder a command runs in: nothing to export there.
        ctx.out.line(`wxplat commands run in this folder use it (.env has ${VARIABLES.apiBase}=${r.url}).`);
      } else {
        ctx.out.line('Point wxplat at it:');
        ctx.out.line(`  export ${VARIABLES.apiBase}=${r.url}`);
      }
      ctx.out.line('');
      ctx.out.line('Stop it with Ctrl-C (or SIGTERM).');
    },
  );
  if (keptBase !== undefined && keptBase !== sandbox.url) {
    ctx.out.warn(`.env keeps ${VARIABLES.apiBase}=${keptBase} (not changed): export the line above to use this sandbox`);
  }
  const fromEnv = ctx.io.env[VARIABLES.apiBase];
  if (fromEnv && fromEnv !== sandbox.url) ctx.out.warn(`${VARIABLES.apiBase} in the environment is ${fromEnv}: export the line above to use this sandbox`);

  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await sandbox.close();
  ctx.out.note('sandbox stopped');
  // Ctrl-C / SIGTERM is how a sandbox is meant to end.
  ctx.exitCode = EXIT.ok;
}
