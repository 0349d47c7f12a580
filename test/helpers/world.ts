// A whole world for a test: the WeChat sandbox on loopback, a migrated database, the platform's
// credentials, a ticket in the token store, and helpers to authorize accounts the way an operator
// would (pre-auth code → the admin confirms in the sandbox → the code is exchanged).
import type { Test } from 'tap';
import { systemClock, type Clock } from '../../src/clock.js';
import { completeAuthorization } from '../../src/core/accounts/authorize.js';
import type { Database } from '../../src/db/database.js';
import { seed as seedIndustryCodes } from '../../seeds/01_industry_codes.js';
import { TokenRepository } from '../../src/db/repositories/tokens.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { WeChatClient } from '../../src/wechat/client.js';
import type { CallOptions } from '../../src/wechat/retry.js';
import { startBinary, type BinaryRun } from './cli.js';
import { openTestDatabase, type TestDatabase } from './databases.js';

export const COMPONENT = {
  appid: 'wx1234567890abcdef',
  appsecret: 'Sandbox0Secret0For0Tests00000000',
  token: 'wxplatTestToken',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
} as const;

/** Retries in milliseconds, not seconds. */
export const FAST_RETRY: CallOptions = {
  policy: { transientRetries: 3, baseDelayMs: 2, maxDelayMs: 10, frequencyDelayMs: 5 },
};

export interface World {
  sandbox: Sandbox;
  db: Database;
  tdb: TestDatabase;
  clock: Clock;
  tokens: TokenRepository;
  wechat: WeChatClient;
  /** The environment that points a wxplat process at this world. */
  env: Record<string, string>;
  /** Authorizes an account (a new one unless appid is given) and returns it as stored. */
  authorize(options?: { appid?: string; followers?: number }): Promise<{ appid: string; accountId: number }>;
  /** A fresh ticket from the sandbox, stored as the receiver would store it. */
  storeTicket(): Promise<string>;
}

export async function startWorld(
  t: Test,
  tdb: TestDatabase,
  options: { clock?: Clock; sandbox?: Partial<SandboxOptions>; retry?: CallOptions } = {},
): Promise<World> {
  const clock = options.clock ?? systemClock;
  const sandbox = await startSandbox({ component: { ...COMPONENT }, seed: 7, ...options.sandbox });
  t.teardown(() => sandbox.close());
  const db = await openTestDatabase(t, tdb);
  await seedIndustryCodes(db.knex, clock.now());
  const tokens = new TokenRepository(db.knex, clock);
  const wechat = new WeChatClient({
    apiBase: sandbox.url,
    component: { appid: COMPONENT.appid, appsecret: COMPONENT.appsecret },
    store: tokens,
    clock,
    retry: options.retry ?? FAST_RETRY,
  });
  const env = {
    WXPLAT_DATABASE_URL: tdb.url,
    WXPLAT_API_BASE: sandbox.url,
    WXPLAT_COMPONENT_APPID: COMPONENT.appid,
    WXPLAT_COMPONENT_APPSECRET: COMPONENT.appsecret,
    WXPLAT_COMPONENT_TOKEN: COMPONENT.token,
    WXPLAT_COMPONENT_AES_KEY: COMPONENT.encodingAesKey,
  };
  const world: World = {
    sandbox,
    db,
    tdb,
    clock,
    tokens,
    wechat,
    env,
    async storeTicket() {
      const ticket = await sandbox.pushTicket();
      await tokens.saveTicket(COMPONENT.appid, ticket, clock.now());
      return ticket;
    },
    async authorize(opts = {}) {
      const pre = await wechat.createPreauthcode();
      if (opts.appid && !sandbox.accounts().some((a) => a.appid === opts.appid)) sandbox.createAccount({ appid: opts.appid });
      const { authCode, appid } = await sandbox.authorize({ preAuthCode: pre.pre_auth_code, appid: opts.appid });
      if (opts.followers !== undefined) sandbox.setFollowers(appid, opts.followers);
      const result = await completeAuthorization({ db, wechat, clock }, authCode);
      return { appid, accountId: result.account.official_account_id };
    },
  };
  await world.storeTicket();
  return world;
}

export type WxplatRun = BinaryRun;

/** The real binary in the world's environment, started and left running (to be killed or waited for). */
export function startWxplat(world: World, argv: string[]): WxplatRun {
  return startBinary(argv, { env: world.env });
}
