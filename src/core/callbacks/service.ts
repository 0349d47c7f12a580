// `wxplat serve` as one object: the HTTP receiver, the inbox writer (group commit) and the inbox
// processor, started together and stopped in order — stop accepting, answer what is in flight, let
// the processor finish its batch. Closing the database is the caller's.
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../clock.js';
import { FailedError } from '../../errors.js';
import type { Database } from '../../db/database.js';
import { AccountRepository } from '../../db/repositories/accounts.js';
import { InboxRepository } from '../../db/repositories/inbox.js';
import { STATUS } from '../../db/rows.js';
import type { Logger } from '../../logger.js';
import type { WeChatClient } from '../../wechat/client.js';
import { MessageCrypto } from '../../wechat/crypto.js';
import { DEFAULT_FORWARD_CONCURRENCY, Forwarder, type ForwarderOptions } from '../forwarding/forwarder.js';
import { ForwardingFront } from '../forwarding/front.js';
import { createPoster } from '../forwarding/post.js';
import { RuleSet } from '../forwarding/rule-set.js';
import { startTokenListener, type TokenListener } from '../tokens/listener.js';
import { CallbackAccounts, type AccountLookup } from './accounts.js';
import { InboxProcessor, type ProcessorOptions } from './processor.js';
import { createReceiver, type HealthReport, type Receiver } from './server.js';
import { InboxWriter } from './writer.js';

export interface ServeDeps {
  db: Database;
  wechat: () => Promise<WeChatClient>;
  clock: Clock;
  logger: Logger;
}

export interface ComponentKeys {
  appid: string;
  token: string;
  /** The EncodingAESKey itself (revealed by the caller, used only to build the cipher). */
  encodingAesKey: string;
}

export interface ServeOptions {
  host: string;
  port: number;
  component: ComponentKeys;
  /** WXPLAT_CALLBACK_MAX_SKEW: seconds; 0 turns the check off. */
  maxSkewSeconds: number;
  /** Process the inbox in this process too (default yes). */
  process?: boolean;
  processor?: ProcessorOptions;
  /** Rows per INSERT, and INSERTs at once. */
  writer?: { maxBatch?: number; concurrency?: number };
  /** How long stop() waits for open requests before it cuts their connections. */
  shutdownGraceMs?: number;
  /** How long after a callback request the receiver still counts as busy (processing and forwarding wait). */
  receivingGapMs?: number;
  /** WXPLAT_TOKENS_LISTEN: the token listener's address (src/core/tokens/listener.ts); none when absent. */
  tokens?: { host: string; port: number };
  /** Forwarding to the platform's own services (rules from `wxplat forward add`). */
  forwarding?: ForwarderOptions & {
    /** How long a reply rule's target may take (WeChat waits 5 s in all). */
    replyBudgetMs?: number;
    /** How often the rules are read again. */
    rulesRefreshMs?: number;
  };
}

export interface RunningServe {
  url: string;
  port: number;
  processor: InboxProcessor;
  writer: InboxWriter;
  forwarder: Forwarder;
  rules: RuleSet;
  /** The token listener's URL, when it runs. */
  tokensUrl?: string;
  /** Whether callbacks are coming in (processing and forwarding then yield to them). */
  receiving(): boolean;
  stop(): Promise<void>;
}

export async function startServe(deps: ServeDeps, options: ServeOptions): Promise<RunningServe> {
  const { db, clock, logger } = deps;
  const crypto = new MessageCrypto({
    token: options.component.token,
    encodingAesKey: options.component.encodingAesKey,
    receiveId: options.component.appid,
  });
  const repo = new InboxRepository(db.knex, db.dialect);
  let receiver: Receiver | undefined;
  const processor = new InboxProcessor(
    { db, wechat: deps.wechat, clock, logger, componentAppid: options.component.appid },
    {
      // Bigger batches cost less a row; on SQLite a batch also holds the one connection the receiver
      // writes with, so it stays smaller there.
      batchSize: db.dialect === 'mysql' ? 250 : 100,
      // SQLite has one writer at a time; on MySQL a second batch runs while the first waits on the server.
      workers: db.dialect === 'mysql' ? 3 : 1,
      // A burst of requests is received first and processed from the inbox as the CPU allows.
      receiving: () => receiver?.receiving() ?? false,
      ...options.processor,
    },
  );
  const processing = options.process !== false;
  const rules = new RuleSet(db, logger, options.forwarding?.rulesRefreshMs);
  await rules.start();
  const poster = createPoster({ maxSockets: options.forwarding?.concurrency ?? DEFAULT_FORWARD_CONCURRENCY });
  // Reply calls have one socket for each request WeChat holds open: not queued behind async deliveries.
  const replyPoster = createPoster({ maxSockets: 1024 });
  const forwarder = new Forwarder(
    { db, clock, logger, rules, poster },
    { receiving: () => receiver?.receiving() ?? false, ...options.forwarding },
  );
  const front = new ForwardingFront({ db, clock, logger, rules, poster: replyPoster }, options.forwarding?.replyBudgetMs);
  const writer = new InboxWriter({
    repo,
    clock,
    maxBatch: options.writer?.maxBatch,
    // SQLite has one writer at a time. MySQL overlaps commits (and groups them in its log); two at once
    // keep the batches big, which is what costs least where CPU is short (measured with bench/serve).
    concurrency: db.dialect === 'mysql' ? (options.writer?.concurrency ?? 2) : 1,
    onCommit: processing
      ? () => {
          processor.wake();
          forwarder.wake();
        }
      : undefined,
  });

  const health = async (): Promise<HealthReport> => {
    try {
      const backlog = await repo.backlog();
      return {
        ok: true,
        body: {
          status: 'ok',
          // No host, name or user of the database: /healthz faces the internet with the callback routes.
          database: { dialect: db.dialect, reachable: true },
          inbox: {
            // Counted up to BACKLOG_CAP: `…AtLeast` says there are more.
            pending: backlog.pending,
            pendingAtLeast: backlog.pendingAtLeast,
            failed: backlog.failed,
            failedAtLeast: backlog.failedAtLeast,
            oldestPendingAt: backlog.oldestPendingAt?.toISOString() ?? null,
          },
          processing,
        },
      };
    } catch (err) {
      const code = (err as { code?: string }).code;
      return {
        ok: false,
        body: {
          status: 'unavailable',
          database: { dialect: db.dialect, reachable: false, error: code ?? 'unreachable' },
        },
      };
    }
  };

  const accountRepo = new AccountRepository(db.knex);
  const lookup: AccountLookup = async (appid) => {
    const row = await accountRepo.findByAppid(appid);
    return row && row.status === STATUS.valid ? { appid, originalId: row.original_id } : null;
  };
  const accounts = new CallbackAccounts(lookup, clock);
  receiver = createReceiver({ crypto, maxSkewSeconds: options.maxSkewSeconds, clock, logger, writer, accounts, forwarding: front, health, receivingGapMs: options.receivingGapMs });
  const { server } = receiver;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      // Said as the sandbox says it: the operator's next step, not an internal error.
      if (err.code === 'EADDRINUSE') reject(new FailedError(`port ${options.port} is in use (${options.host})`, 'pass --port 0 for any free port, or stop what listens there'));
      else if (err.code === 'EACCES') reject(new FailedError(`not allowed to listen on ${options.host}:${options.port}`, 'ports below 1024 need privileges: pick a port from 1024 up'));
      else if (err.code === 'EADDRNOTAVAIL') reject(new FailedError(`${options.host} is not an address of this host`, 'pass --host with one of its addresses, or 0.0.0.0 for all'));
      else reject(err);
    });
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let tokens: TokenListener | undefined;
  if (options.tokens) {
    try {
      tokens = await startTokenListener({ db, wechat: deps.wechat, clock, logger }, { ...options.tokens, shutdownGraceMs: options.shutdownGraceMs });
    } catch (err) {
      server.close();
      throw err;
    }
  }
  if (processing) {
    processor.start();
    forwarder.start();
  }

  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= (async () => {
      receiver.drain();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 15_000);
      await Promise.all([closed, tokens?.stop()]);
      clearTimeout(grace);
      await writer.drain();
      await front.drain();
      await Promise.all([processor.stop(), forwarder.stop()]);
      rules.stop();
      poster.close();
      replyPoster.close();
    })();
    return stopped;
  };
  return { url, port: address.port, processor, writer, forwarder, rules, tokensUrl: tokens?.url, receiving: () => receiver.receiving(), stop };
}
