// The receiver against the WeChat sandbox, on both databases: the sandbox pushes what WeChat pushes
// (ticket, authorized, TEMPLATESENDJOBFINISH, unauthorized) to a running receiver, whose processing
// calls the sandbox back (api_component_token from the pushed ticket, api_query_auth with the pushed
// code, api_get_authorizer_info).
import t from 'tap';
import { startSandbox } from '../../../src/sandbox/index.js';
import { toSqlDateTime } from '../../../src/db/time.js';
import { eachDatabase, openTestDatabase } from '../../helpers/databases.js';
import { COMPONENT, serveFor, until, wechatFor } from './helpers.js';

t.test('sandbox pushes, end to end', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const db = await openTestDatabase(t, tdb);
    const sandbox = await startSandbox({ component: COMPONENT, seed: 11, pushRetryDelayMs: 50 });
    t.teardown(() => sandbox.close());
    const serve = await serveFor(t, db, { apiBase: sandbox.url });
    sandbox.callbackUrl = serve.url;
    const settled = () =>
      until(async () => (await db.knex('wxplat_callback_inbox').whereIn('state', ['pending'])).length === 0, 'the inbox processed');

    // component_verify_ticket
    const ticket = await sandbox.pushTicket();
    await settled();
    t.equal((await db.knex('wxplat_component_credentials').where('component_appid', COMPONENT.appid).first()).verify_ticket, ticket);

    // authorized: the admin confirms; the receiver exchanges the pushed code with the sandbox
    const client = await wechatFor(db, sandbox.url, serve.clock)();
    const pre = await client.createPreauthcode();
    const made = sandbox.createAccount({ followers: 5, nickname: '沙盒服务号' });
    const auth = await sandbox.authorize({ preAuthCode: pre.pre_auth_code, appid: made.appid });
    t.equal(auth.infoType, 'authorized');
    await settled();
    const account = await db.knex('official_accounts').where('appid', made.appid).first();
    t.ok(account, 'the account is in official_accounts');
    t.equal(account.status, 1);
    t.equal(account.nickname, '沙盒服务号');
    t.equal(account.original_id, made.userName);
    t.ok((await db.knex('wxplat_authorizer_tokens').where('authorizer_appid', made.appid).first()).refresh_token);
    t.equal(sandbox.log.count('cgi-bin/component/api_query_auth'), 1, 'the code exchanged once');

    // TEMPLATESENDJOBFINISH: two sends through the sandbox, one recipient blocks the account
    const a = client.account(made.appid);
    await a.setIndustry(1, 2);
    const { template_id } = await a.addTemplate({ template_id_short: '43568', keyword_name_list: ['订单编号', '支付金额', '支付时间'] });
    const [ok, blocked] = sandbox.followerOpenids(made.appid, 0, 2) as [string, string];
    sandbox.failRecipients(made.appid, [blocked], 'failed:user block');
    const sent: string[] = [];
    for (const [i, to] of [ok, blocked].entries()) {
      const { msgid } = await a.sendTemplate({ touser: to, template_id, data: { character_string1: { value: `SN${i}` } } });
      t.ok(BigInt(msgid) > 2n ** 53n, 'a msgid above 2^53');
      await db.knex('wxplat_send_deliveries').insert({
        send_record_id: 100 + i, job_id: 1, official_account_id: account.official_account_id, openid: to, client_msg_id: `c${i}`,
        state: 'sent', msgid, attempts: 1, updated_at: toSqlDateTime(serve.clock.now()),
      });
      sent.push(msgid);
    }
    await sandbox.pushes.settled();
    await until(async () => (await db.knex('wechat_message_receipt_records').whereIn('msg_id', sent)).length === 2, 'both receipts');
    await settled();
    const receipts = await db.knex('wechat_message_receipt_records').whereIn('msg_id', sent).orderBy('msg_id');
    t.same(receipts.map((r) => [r.msg_id, r.status, r.content, r.appid, r.to_user_name]), [
      [sent[0], 1, 'success', made.appid, made.userName],
      [sent[1], 2, 'failed:user block', made.appid, made.userName],
    ]);
    const deliveries = await db.knex('wxplat_send_deliveries').orderBy('send_record_id');
    t.same(deliveries.map((d) => d.state), ['delivered', 'blocked']);

    // unauthorized
    await sandbox.unauthorize(made.appid);
    await settled();
    t.equal((await db.knex('official_accounts').where('appid', made.appid).first()).status, -2);
    t.equal((await db.knex('wxplat_authorizer_tokens').where('authorizer_appid', made.appid).first()).refresh_token, null);

    // Every push was answered success at the first attempt, and stored once.
    const stats = sandbox.pushes.stats();
    t.equal(stats.delivered, 5, JSON.stringify(stats));
    t.equal(stats.attempts, 5, "no push needed a second attempt");
    const rows: Array<{ event_type: string; state: string }> = await db.knex('wxplat_callback_inbox').select('event_type', 'state').orderBy('id');
    t.same(rows.map((r) => r.event_type), ['component_verify_ticket', 'authorized', 'TEMPLATESENDJOBFINISH', 'TEMPLATESENDJOBFINISH', 'unauthorized']);
    t.ok(rows.every((r) => r.state === 'done'));
  }),
);
