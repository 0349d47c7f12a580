// What a command gets to work with: its streams and printer, the configuration, and the database and
// WeChat client, each made on first use and closed when the command ends.
import { systemClock, type Clock } from './clock.js';
import { loadConfig, requireComponent, type Config } from './config/load.js';
import type { Database } from './db/database.js';
import type { WeChatClient } from './wechat/client.js';
import type { CallOptions } from './wechat/retry.js';
import { UsageError } from './errors.js';
import type { Logger } from './logger.js';
import type { IO } from './output/io.js';
import { stderrLogger } from './output/logger.js';
import { Output } from './output/output.js';
import { terminalPrompter, type Prompter } from './output/prompt.js';

export interface GlobalOptions {
  db?: string;
  json: boolean;
  color: boolean;
  yes: boolean;
  verbose: boolean;
}

export interface DbOptions {
  /** Fail with "run wxplat db migrate" when migrations are pending (the default). */
  requireMigrated?: boolean;
  createIfMissing?: boolean;
  /** An SQLite file that does not exist (see db/database.ts): by default refused when requireMigrated, else created. */
  ifMissing?: 'create' | 'refuse' | 'empty';
  poolSize?: number;
}

export interface CommandContext {
  readonly io: IO;
  readonly out: Output;
  readonly globals: GlobalOptions;
  readonly prompter: Prompter;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Aborted on Ctrl-C / SIGTERM; long work stops at the next safe point. */
  readonly signal: AbortSignal;
  /**
   * The exit code when the command ends without an error but not wholly done (3: partly done). Set it
   * after printing the result; errors still go through the error classes. A command that treats Ctrl-C
   * as its normal end (serve, records tail --follow) sets 0.
   */
  exitCode: number | undefined;
  config(): Config;
  db(options?: DbOptions): Promise<Database>;
  /** The WeChat client, its tokens kept in the database (needs the component appid and appsecret). */
  wechat(): Promise<WeChatClient>;
  /** Runs when the command ends, whatever the outcome (newest first). */
  onClose(fn: () => Promise<void> | void): void;
  close(): Promise<void>;
}

export interface ContextOverrides {
  clock?: Clock;
  prompter?: Prompter;
  /** Retry timing for the WeChat client (tests shorten the backoff). */
  retry?: CallOptions;
}

export function createContext(
  io: IO,
  globals: GlobalOptions,
  signal: AbortSignal,
  overrides: ContextOverrides = {},
): CommandContext {
  const out = new Output(io, { json: globals.json, noColor: !globals.color, verbose: globals.verbose });
  const clock = overrides.clock ?? systemClock;
  const closers: Array<() => Promise<void> | void> = [];
  let config: Config | undefined;
  let database: Promise<Database> | undefined;
  let client: Promise<WeChatClient> | undefined;

  const ctx: CommandContext = {
    io,
    out,
    globals,
    prompter: overrides.prompter ?? terminalPrompter(io, globals.yes),
    clock,
    logger: stderrLogger(out, () => clock.now()),
    signal,
    exitCode: undefined,
    config() {
      config ??= loadConfig({ env: io.env, cwd: io.cwd, dbFlag: globals.db });
      return config;
    },
    db(options = {}) {
      database ??= (async () => {
        const { openDatabase } = await import('./db/database.js');
        // A command that needs a migrated database only reads or adds to one: it never creates the file.
        const db = await openDatabase(ctx.config().database, { ifMissing: options.requireMigrated !== false ? 'refuse' : 'create', ...options });
        closers.push(() => db.close());
        if (options.requireMigrated !== false) {
          const { pendingMigrations } = await import('./db/migrator.js');
          const pending = await pendingMigrations(db);
          if (pending.length > 0) {
            throw new UsageError(
              `the database at ${db.target.display} is not fully migrated (${pending.length} pending)`,
              'run `wxplat db migrate` first',
            );
          }
        }
        return db;
      })();
      return database;
    },
    wechat() {
      client ??= (async () => {
        const config = ctx.config();
        const { appid, appsecret } = requireComponent(config, ['appid', 'appsecret']);
        const db = await ctx.db();
        const [{ WeChatClient }, { TokenRepository }] = await Promise.all([
          import('./wechat/client.js'),
          import('./db/repositories/tokens.js'),
        ]);
        return new WeChatClient({
          apiBase: config.apiBase,
          component: { appid, appsecret: appsecret.reveal() },
          store: new TokenRepository(db.knex, clock),
          clock,
          retry: overrides.retry,
        });
      })();
      return client;
    },
    onClose(fn) {
      closers.push(fn);
    },
    async close() {
      while (closers.length > 0) {
        const fn = closers.pop()!;
        try {
          await fn();
        } catch {
          // Closing must not hide the command's own outcome.
        }
      }
    },
  };
  return ctx;
}
