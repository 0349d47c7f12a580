// `wxplat demo`: the whole job on the embedded SQLite and the WeChat sandbox, with the receiver
// running, the way an operator lives it — migrate, seed, a ticket arrives, an account is authorized,
// its industries set, templates synced, followers synced, a bulk send, receipts, the tail. Each step
// reports what it did and what came back; nothing here prints (the command does).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { migrateLatest } from '../../db/migrator.js';
import { AccountRepository } from '../../db/repositories/accounts.js';
import { InboxRepository } from '../../db/repositories/inbox.js';
import { SendRepository } from '../../db/repositories/sends.js';
import { TokenRepository } from '../../db/repositories/tokens.js';
import type { Logger } from '../../logger.js';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { WeChatClient } from '../../wechat/client.js';
import type { Sleep } from '../../wechat/retry.js';
import { seed as seedIndustryCodes } from '../../../seeds/01_industry_codes.js';
import { startAuthorization } from '../accounts/links.js';
import { SERVICE_TYPES } from '../accounts/profile.js';
import { startServe, type RunningServe } from '../callbacks/service.js';
import { syncFollowers } from '../followers/sync.js';
import { addForwardRule } from '../forwarding/manage.js';
import { verifyForward } from '../forwarding/request.js';
import { setAccountIndustries } from '../industries/set.js';
import { planTail, tailRecords } from '../records/tail.js';
import type { TailRecord } from '../records/record.js';
import { sendTemplate, type SendSummary } from '../sending/send.js';
import { addCatalogueEntry } from '../templates/catalogue.js';
import { parseFlatXml } from '../../wechat/xml.js';
import { syncAccountTemplates } from '../templates/sync.js';

export interface DemoDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  sleep: Sleep;
  /** A step begins. */
  step: (title: string) => void;
  /** A line of what came back. */
  detail: (text: string) => void;
  /** A record of the tail at the end. */
  record: (record: TailRecord) => void;
}

export interface DemoOptions {
  followers: number;
}

export interface DemoResult {
  appid: string;
  send: SendSummary;
  receipts: { delivered: number; blocked: number; systemFailed: number };
  /** What the platform's service got by forwarding, and the passive reply the follower saw. */
  forwarding: { delivered: string[]; reply: string | null };
}

interface SinkRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A service of the platform's, for the forwarding step: it keeps what it gets, and answers a text with a
 * passive reply on /reply.
 */
async function startService(): Promise<{ url: string; requests: SinkRequest[]; close: () => Promise<void> }> {
  const requests: SinkRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '/', headers: req.headers, body });
      if (req.url === '/reply') {
        const m = parseFlatXml(body);
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(`<xml><ToUserName><![CDATA[${m.FromUserName}]]></ToUserName><FromUserName><![CDATA[${m.ToUserName}]]></FromUserName><CreateTime>${m.CreateTime}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[您好，客服小微收到：${m.Content}]]></Content></xml>`);
      } else res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Credentials made up for this run: the sandbox accepts whatever the platform is configured with. */
function sandboxCredentials() {
  const alnum = (n: number) => randomBytes(n * 2).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, n);
  return {
    appid: `wx${randomBytes(8).toString('hex')}`,
    appsecret: alnum(32),
    token: `demo${alnum(12)}`,
    encodingAesKey: alnum(43),
  };
}

async function until<T>(what: string, deps: DemoDeps, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = deps.clock.now().getTime() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (deps.signal.aborted) throw new Error(`interrupted while waiting for ${what}`);
    if (deps.clock.now().getTime() > deadline) throw new Error(`gave up waiting for ${what}`);
    await deps.sleep(100);
  }
}

export async function runWalkthrough(deps: DemoDeps, options: DemoOptions): Promise<DemoResult> {
  const { db, clock, step, detail } = deps;
  const component = sandboxCredentials();
  let sandbox: Sandbox | undefined;
  let serve: RunningServe | undefined;
  let service: Awaited<ReturnType<typeof startService>> | undefined;
  try {
    step('Migrate and seed the database');
    const applied = await migrateLatest(db);
    const seeded = await seedIndustryCodes(db.knex, clock.now());
    detail(`${db.target.display}: ${applied.length} migrations applied; ${seeded.inserted + seeded.updated + seeded.unchanged} industry codes`);

    step('Start the callback receiver and the WeChat sandbox');
    let client: WeChatClient | undefined;
    const tokens = new TokenRepository(db.knex, clock);
    serve = await startServe(
      { db, wechat: async () => client!, clock, logger: deps.logger },
      { host: '127.0.0.1', port: 0, component, maxSkewSeconds: 300, processor: { idleMs: 200 } },
    );
    sandbox = await startSandbox({ component, callbackUrl: serve.url, ticketIntervalSeconds: 0 });
    client = new WeChatClient({ apiBase: sandbox.url, component: { appid: component.appid, appsecret: component.appsecret }, store: tokens, clock });
    detail(`receiver (wxplat serve) on ${serve.url}; sandbox (WeChat) on ${sandbox.url}`);

    step('WeChat pushes a component_verify_ticket; the receiver stores it');
    const ticket = await until('the ticket', deps, () => tokens.readTicket(component.appid));
    detail(`ticket received at ${ticket.receivedAt.toISOString()}; a component token from it: ${(await client.tokens.componentToken()) ? 'ok' : 'none'}`);

    step('Authorize an official account');
    const links = await startAuthorization(client, { redirectUri: 'https://platform.example.com/wechat/authorized', authType: 1 });
    detail(`authorization page: ${links.pc.replace(/pre_auth_code=[^&]+/, 'pre_auth_code=…')}`);
    // The admin scans the code and confirms: WeChat redirects the browser and pushes `authorized`.
    const page = await fetch(links.pc, { redirect: 'manual' });
    const redirect = new URL(page.headers.get('location') ?? '');
    detail(`the admin confirmed; WeChat redirected to ${redirect.origin}${redirect.pathname}?auth_code=…`);
    const accounts = new AccountRepository(db.knex);
    const account = await until('the receiver to complete the authorization', deps, async () =>
      (await accounts.list(false)).find((a) => a.appid && a.nickname),
    );
    const appid = account.appid!;
    detail(
      `the receiver exchanged the code: account ${account.official_account_id} ${account.nickname} (${appid}, ${account.original_id}), ` +
        `${SERVICE_TYPES[account.service_type_id ?? -9] ?? 'other'}, permissions ${account.func_ids}`,
    );

    step('Set its template industries');
    const industries = await setAccountIndustries({ db, wechat: client, clock }, account, { primary: 1, secondary: 2, force: false });
    detail(`primary ${industries.primary.code} ${industries.primary.main}/${industries.primary.sub}, secondary ${industries.secondary.code} ${industries.secondary.main}/${industries.secondary.sub}`);

    step("Add a catalogue template and sync it onto the account");
    const library = sandbox.libraryTemplates().find((l) => l.industryCode === 1)!;
    const content = library.keywords.map((k) => `${k.name}:{{${k.key}.DATA}}`).join('\n');
    await addCatalogueEntry({ db, clock }, { code: library.shortId, title: library.title, industry: 1, content, keywords: library.keywords.map((k) => k.name) });
    const synced = await syncAccountTemplates({ db, wechat: client, clock }, account, { dryRun: false });
    detail(`catalogue ${library.shortId} ${library.title}: ${synced.added.length} added, ${synced.kept.length} kept, ${synced.removed.length} removed`);

    step('Sync the followers');
    sandbox.setFollowers(appid, options.followers);
    const followers = await syncFollowers({ db, wechat: client, clock, signal: deps.signal }, account);
    detail(`${followers.following} followers (${followers.added} new), ${followers.run.requests.userGet} user/get and ${followers.run.requests.batchget} batchget calls`);

    step('Send a template message to every follower');
    const openids = sandbox.followerOpenids(appid, 0, 8);
    sandbox.unsubscribe(appid, openids[0]); // left after the sync: WeChat answers 43004
    sandbox.failRecipients(appid, openids.slice(1, 4), 'failed:user block'); // accepted, then refused by the user
    const samples: Record<string, string> = { thing: '您的订单已发货', character_string: 'SN20261128001', time: '2026年11月28日 12:00', number: '1', amount: '39.8元', phrase: '已发货' };
    const data = library.keywords.map((k) => `${k.key}=${samples[k.key.replace(/\d+$/, '')] ?? '示例'}`);
    const send = (await sendTemplate(
      { db, wechat: client, clock, logger: deps.logger, signal: deps.signal, onWarning: (w) => detail(`warning: ${w}`) },
      {
        account: appid,
        template: library.shortId,
        allFollowers: true,
        message: { dataPairs: data, url: 'https://platform.example.com/orders/1' },
        idempotencyKey: `demo-${clock.now().toISOString().slice(0, 10)}`,
      },
    )) as SendSummary;
    detail(`job ${send.jobId}: ${send.total} recipients, ${send.sent} sent, ${send.failed} failed, ${send.unknown} unknown, ${send.pending} left`);
    for (const f of send.failures) detail(`  ${f.openid}: ${f.errcode} ${f.errmsg}`);

    step('Receipts: WeChat pushes TEMPLATESENDJOBFINISH for each message; the receiver matches them to the sends');
    await sandbox.pushes.settled();
    const inbox = new InboxRepository(db.knex, db.dialect);
    await until('the receiver to process the receipts', deps, async () => (await inbox.backlog()).pending === 0, 60_000);
    // A receipt processed while the send was storing its msgid waits for the processor's next sweep
    // (every few seconds); the demo links it now instead of waiting for that.
    await new SendRepository(db).settleWaitingReceipts(clock.now());
    const counts = await new SendRepository(db).stateCounts(send.jobId);
    const receipts = { delivered: counts.delivered ?? 0, blocked: counts.blocked ?? 0, systemFailed: counts['system-failed'] ?? 0 };
    detail(`${receipts.delivered} delivered, ${receipts.blocked} blocked by the user, ${receipts.systemFailed} failed at WeChat`);

    step("Forward the account's messages and events to a service of the platform's");
    service = await startService();
    const events = await addForwardRule({ db, clock }, { to: `${service.url}/events/$APPID$`, event: 'CLICK,subscribe', format: 'json', name: 'orders' });
    await addForwardRule({ db, clock }, { to: `${service.url}/reply`, msgType: 'text', mode: 'reply', name: 'cs' });
    await serve.rules.reload();
    detail(`rule orders: CLICK and subscribe events as JSON, signed, retried for 24 h; rule cs: text messages, answered by the service as WeChat's passive reply`);
    const [follower] = sandbox.followerOpenids(appid, 0, 1);
    const text = await sandbox.userSends({ appid, kind: 'text', openid: follower, value: '我的订单到哪了？' });
    const reply = text.reply ? (parseFlatXml(text.reply).Content ?? null) : null;
    detail(`a follower writes "我的订单到哪了？"; the service's answer reaches them as the passive reply: ${reply ?? '(none)'}`);
    await sandbox.userSends({ appid, kind: 'click', openid: follower, value: 'MENU_ORDERS' });
    const clicked = await until('the CLICK to be forwarded', deps, async () => service!.requests.find((r) => r.path.startsWith('/events/')));
    const signed = verifyForward(events.secret, String(clicked.headers['x-wxplat-timestamp']), clicked.body, String(clicked.headers['x-wxplat-signature']));
    detail(`the follower taps a menu; the service gets ${clicked.body.slice(0, 60)}… with X-Wxplat-Event-Id ${String(clicked.headers['x-wxplat-event-id'])}, signature ${signed ? 'valid' : 'INVALID'}`);

    step('The tail: the last sends and receipts');
    await tailRecords({ db, clock }, planTail({ limit: 8 }, clock.now()), deps.record);

    return { appid, send, receipts, forwarding: { delivered: service.requests.map((r) => r.path), reply } };
  } finally {
    await serve?.stop();
    await sandbox?.close();
    await service?.close();
  }
}
