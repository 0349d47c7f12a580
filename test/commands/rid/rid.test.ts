// `wxplat rid` against the sandbox, on both stores, through the real binary: a failed send's rid found
// from the records and looked up as its account (tokens masked), the platform's own failure, an
// unknown rid, a malformed one, one asked as the wrong account; and the failed rows of `records tail`
// and `template send` explained from the errcode table with their rid.
import t from 'tap';
import { spawnCli } from '../../helpers/cli.js';
import { eachDatabase } from '../../helpers/databases.js';
import { syncTemplate } from '../../helpers/sending.js';
import { COMPONENT, startWorld } from '../../helpers/world.js';

const RID = /[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}/;

t.test('a failed send: explained in the summary and in records tail, looked up by its rid', (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid, accountId } = await world.authorize({ followers: 3 });
    const other = await world.authorize();
    const tpl = await syncTemplate(t, world, appid);
    const openids = world.sandbox.followerOpenids(appid, 0, 3);
    world.sandbox.refuseRecipient(appid, openids[1], 43101);

    const send = await spawnCli(['template', 'send', appid, '--template', tpl.code, '--to', ...openids, ...tpl.dataArgs], { env: world.env });
    t.equal(send.code, 3, send.stderr);
    const line = new RegExp(`failed ${openids[1]}: 43101 user refuse to accept the msg — the recipient has refused template messages from this account \\(rid (${RID.source})\\)`);
    t.match(send.stdout, line);
    const rid = line.exec(send.stdout)![1];
    t.match(send.stderr, `\`wxplat rid ${rid}\` shows the request WeChat received`);

    const tail = await spawnCli(['records', 'tail', 'sends', '--status', 'failed'], { env: world.env });
    t.equal(tail.code, 0, tail.stderr);
    t.match(tail.stdout, `43101 user refuse to accept the msg — the recipient has refused template messages from this account: nothing to do: only the recipient can change that (rid ${rid})`);
    const tailJson = await spawnCli(['records', 'tail', 'sends', '--status', 'failed', '--json'], { env: world.env });
    const record = JSON.parse(tailJson.stdout.trim());
    t.match(record, { openid: openids[1], errcode: 43101, error: { meaning: /refused template messages/, action: /only the recipient/, rid } });
    const okJson = await spawnCli(['records', 'tail', 'sends', '--status', 'sent', '--json'], { env: world.env });
    t.equal(JSON.parse(okJson.stdout.trim().split('\n')[0]).error, null, 'a sent row has no error');

    const looked = await spawnCli(['rid', rid], { env: world.env });
    t.equal(looked.code, 0, looked.stderr);
    t.match(looked.stdout, new RegExp(`asked as +account ${accountId} ${appid} \\(沙箱服务号1\\), whose send met it`));
    t.match(looked.stdout, /invoked at +\d{4}-\d\d-\d\dT/);
    t.match(looked.stdout, /client ip +\S*127\.0\.0\.1/);
    t.match(looked.stdout, /request url +access_token=…\n/);
    t.match(looked.stdout, new RegExp(`request body +\\{"touser":"${openids[1]}","template_id"`));
    t.match(looked.stdout, /response +\{"errcode":43101,"errmsg":"user refuse to accept the msg rid: /);
    const token = (await world.db.knex('wxplat_authorizer_tokens').where('authorizer_appid', appid).first()).access_token;
    t.notOk(looked.stdout.includes(token), "the account's access token is not shown");

    const json = await spawnCli(['rid', `rid: ${rid}`, '--json'], { env: world.env });
    t.equal(json.code, 0, json.stderr);
    t.match(JSON.parse(json.stdout), { rid, askedAs: { kind: 'account', id: accountId, appid }, chosenBy: 'records', costMs: Number, requestUrl: 'access_token=…' });

    // Asked as another account: WeChat will not show it.
    const wrong = await spawnCli(['rid', rid, '--account', other.appid], { env: world.env });
    t.equal(wrong.code, 1);
    t.match(wrong.stderr, /76003 could not query this rid,no permission/);
    t.match(wrong.stderr, /this identity may not look at that/);
  }),
);

t.test("the platform's own failure, an unknown rid, a malformed one", (t) =>
  eachDatabase(t, async (t, tdb) => {
    const world = await startWorld(t, tdb);
    const { appid } = await world.authorize();

    const failed = await spawnCli(['quota', 'get', 'component', '--api', '/cgi-bin/message/template/send'], { env: world.env });
    t.equal(failed.code, 1);
    const rid = /`wxplat rid ([0-9a-f-]+)`/.exec(failed.stderr)![1];
    const looked = await spawnCli(['rid', rid, '--json'], { env: world.env });
    t.equal(looked.code, 0, looked.stderr);
    const report = JSON.parse(looked.stdout);
    t.match(report, { rid, askedAs: { kind: 'component', appid: COMPONENT.appid }, chosenBy: 'default', requestUrl: 'access_token=…' });
    t.match(report.requestBody, '{"cgi_path":"/cgi-bin/message/template/send"}');
    t.match(report.responseBody, /"errcode":76022/);
    const component = (await world.db.knex('wxplat_component_credentials').first()).access_token;
    t.notOk(looked.stdout.includes(component), 'the component token is not shown');

    const unknown = await spawnCli(['rid', '0000aaaa-0000bbbb-0000cccc'], { env: world.env });
    t.equal(unknown.code, 1);
    t.match(unknown.stderr, /error: WeChat cgi-bin\/openapi\/rid\/get: 76001 rid not found \(rid [0-9a-f-]+\): asked as the platform/);
    t.match(unknown.stderr, /WeChat has no request with this rid \(it keeps them 7 days\); a call made for an account is shown only to that account: `wxplat rid 0000aaaa-0000bbbb-0000cccc --account <account>`/);
    const unknownJson = await spawnCli(['rid', '0000aaaa-0000bbbb-0000cccc', '--json'], { env: world.env });
    t.match(JSON.parse(unknownJson.stderr.trim()), { error: { errcode: 76001, exitCode: 1 } });

    const asAccount = await spawnCli(['rid', '0000aaaa-0000bbbb-0000cccc', '--account', appid], { env: world.env });
    t.equal(asAccount.code, 1);
    t.match(asAccount.stderr, /76001 rid not found/);
    t.match(asAccount.stderr, /WeChat has no request with this rid/);

    const asked = world.sandbox.log.count('cgi-bin/openapi/rid/get');
    for (const bad of ['not-a-rid', '0000aaaa-0000bbbb', 'zzzzzzzz-00000000-00000000']) {
      const r = await spawnCli(['rid', bad], { env: world.env });
      t.equal(r.code, 2, bad);
      t.match(r.stderr, /is not a rid/);
    }
    t.equal(world.sandbox.log.count('cgi-bin/openapi/rid/get'), asked, 'WeChat was not asked about them');
  }),
);
