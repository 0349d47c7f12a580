import { requireComponent } from '../../config/load.js';
import type { CommandContext } from '../../context.js';
import { startServe } from '../../core/callbacks/service.js';
import { UsageError } from '../../errors.js';
import { stderrLogger } from '../../output/logger.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';



export async function run(ctx: CommandContext, { opts }: InputOf<typeof specs.serve>): Promise<void> {
  const config = ctx.config();
  const component = requireComponent(config, ['appid', 'token', 'aesKey', 'appsecret']);
  const { port } = opts;
  const tokens = config.tokensListen;
  if (tokens && tokens.port !== 0 && tokens.port === port) {
    throw new UsageError(
      `WXPLAT_TOKENS_LISTEN (${tokens.display}) must not be the callback port ${port}`,
      'tokens are for the platform\'s own services: give them a port of their own, on loopback or a private network',
    );
  }
  // A line for every request: written in batches, once per turn of the event loop (output/logger.ts).
  const logger = stderrLogger(ctx.out, () => ctx.clock.now(), { batched: true });
  ctx.onClose(() => logger.flush());
  const db = await ctx.db({ poolSize: 16 });
  const serve = await startServe(
    { db, wechat: () => ctx.wechat(), clock: ctx.clock, logger },
    {
      host: opts.host,
      port,
      component: { appid: component.appid, token: component.token, encodingAesKey: component.aesKey.reveal() },
      maxSkewSeconds: config.callbackMaxSkewSeconds,
      process: opts.process,
      writer: { concurrency: opts.writeConcurrency },
      tokens: tokens ? { host: tokens.host, port: tokens.port } : undefined,
    },
  );
  const started = { url: serve.url, database: db.target.display, processing: opts.process, ...(serve.tokensUrl ? { tokens: serve.tokensUrl } : {}) };
  ctx.out.result(started, (r) => {
    ctx.out.line(`listening on ${r.url} (${r.database}${r.processing ? '' : '; receiving only'})`);
    if (r.tokens) ctx.out.line(`tokens on ${r.tokens} (WXPLAT_TOKENS_LISTEN; keys: \`wxplat token keys list\`)`);
  });
  if (tokens && (tokens.host === '0.0.0.0' || tokens.host === '::')) {
    logger.warn('the token listener answers on every interface: keep its port to loopback or a private network (a firewall)');
  }
  if (!ctx.signal.aborted) await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  logger.info('stopping: finishing the requests in flight');
  await serve.stop();
  const { writer, processor } = serve;
  logger.info('stopped', {
    received: writer.stats.rows,
    batches: writer.stats.batches,
    processed: processor.stats.processed,
    failed: processor.stats.failed,
  });
  // SIGINT/SIGTERM is how a receiver is meant to end.
  ctx.exitCode = 0;
}
