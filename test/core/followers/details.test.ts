// Fetching details: batches of 100 through a gate; an openid WeChat refuses (40003) is found by halving
// the batch and skipped; subscribe 0 is not a follower; nothing is made up for fields WeChat stopped
// returning; transient failures are tried again, others are not.
import t from 'tap';
import { fetchDetails, limiter, patiently, toDetails, unixToSql } from '../../../src/core/followers/details.js';
import type { AccountClient } from '../../../src/wechat/client.js';
import { WeChatError } from '../../../src/wechat/errors.js';
import type { UserInfo } from '../../../src/wechat/types.js';

const info = (openid: string): UserInfo => ({
  subscribe: 1,
  openid,
  subscribe_time: 1_700_000_000,
  unionid: `u-${openid}`,
  remark: '',
  groupid: 0,
  tagid_list: [2, 101],
  subscribe_scene: 'ADD_SCENE_QR_CODE',
  qr_scene: 98765,
  qr_scene_str: '',
});

function fakeClient(options: { bad?: Set<string>; gone?: Set<string>; failures?: number } = {}) {
  const calls: number[] = [];
  let failures = options.failures ?? 0;
  const client = {
    async batchGetUsers(openids: readonly string[]) {
      calls.push(openids.length);
      if (openids.length > 100) throw new WeChatError({ errcode: 40032, errmsg: 'invalid openid list size', endpoint: 'cgi-bin/user/info/batchget' });
      if (failures > 0) {
        failures--;
        throw new WeChatError({ errcode: -1, errmsg: 'system error', endpoint: 'cgi-bin/user/info/batchget' });
      }
      if (openids.some((o) => options.bad?.has(o))) throw new WeChatError({ errcode: 40003, errmsg: 'invalid openid', endpoint: 'cgi-bin/user/info/batchget' });
      return { user_info_list: openids.map((o) => (options.gone?.has(o) ? { subscribe: 0, openid: o } : info(o))) };
    },
  } as unknown as AccountClient;
  return { client, calls };
}

const patience = { retries: 3, baseDelayMs: 1, maxDelayMs: 1 };
const deps = (client: AccountClient) => ({ client, gate: limiter(4), patience, sleep: async () => {}, stopped: () => false });
const openids = Array.from({ length: 250 }, (_, i) => `oUser${String(i).padStart(5, '0')}`);

t.test('batches of 100, in order', async (t) => {
  const { client, calls } = fakeClient();
  const r = await fetchDetails(deps(client), openids);
  t.same(calls, [100, 100, 50]);
  t.equal(r.calls, 3);
  t.same(
    r.followers.map((f) => f.openid),
    openids,
  );
  t.equal(r.skipped, 0);
});

t.test('a refused openid is found by halving and skipped; subscribe 0 is not a follower', async (t) => {
  const { client, calls } = fakeClient({ bad: new Set([openids[137]]), gone: new Set([openids[3]]) });
  const r = await fetchDetails(deps(client), openids);
  t.equal(r.followers.length, 248);
  t.notOk(r.followers.some((f) => f.openid === openids[137] || f.openid === openids[3]));
  t.equal(r.skipped, 2);
  t.ok(calls.length <= 3 + 2 * 7, `${calls.length} calls to isolate one openid in a batch of 100`);
});

t.test('transient failures are tried again; others are not', async (t) => {
  const { client } = fakeClient({ failures: 2 });
  const r = await fetchDetails(deps(client), openids.slice(0, 10));
  t.equal(r.followers.length, 10);
  const { client: failing } = fakeClient({ failures: 100 });
  await t.rejects(fetchDetails(deps(failing), openids.slice(0, 10)), /-1 system error/);
  let tries = 0;
  await t.rejects(
    patiently(
      async () => {
        tries++;
        throw new WeChatError({ errcode: 48001, errmsg: 'api unauthorized', endpoint: 'cgi-bin/user/get' });
      },
      patience,
      async () => {},
      () => false,
    ),
    /48001/,
  );
  t.equal(tries, 1, 'a permanent error is not retried');
});

t.test('what is stored: as WeChat sent it, nothing invented', async (t) => {
  t.same(toDetails(info('oA')), {
    openid: 'oA',
    unionid: 'u-oA',
    subscribeTime: '2023-11-14 22:13:20',
    subscribeScene: 'ADD_SCENE_QR_CODE',
    qrScene: 98765,
    qrSceneStr: null,
    remark: null,
    tagidList: '[2,101]',
  });
  // A pre-2021 answer still carrying nickname, sex and region: none of it is kept.
  const old = { ...info('oB'), nickname: 'Band', sex: 1, city: '广州', headimgurl: 'http://x' } as UserInfo;
  t.same(Object.keys(toDetails(old)).sort(), ['openid', 'qrScene', 'qrSceneStr', 'remark', 'subscribeScene', 'subscribeTime', 'tagidList', 'unionid']);
  t.same(toDetails({ subscribe: 1, openid: 'oC' }), {
    openid: 'oC',
    unionid: null,
    subscribeTime: null,
    subscribeScene: null,
    qrScene: null,
    qrSceneStr: null,
    remark: null,
    tagidList: null,
  });
});

t.test('the gate lets n run at once', async (t) => {
  const gate = limiter(3);
  let running = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 20 }, () =>
      gate(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
      }),
    ),
  );
  t.equal(most, 3);
});

t.test('unix seconds as SQL datetimes', async (t) => {
  const { toSqlDateTime } = await import('../../../src/db/time.js');
  for (const s of [1, 59, 86_399, 86_400, 951_782_400, 1_700_000_000, 1_709_251_199, 4_102_444_800, 253_402_300_799]) {
    t.equal(unixToSql(s), toSqlDateTime(new Date(s * 1000)), String(s));
  }
  t.equal(unixToSql(0), null);
  t.equal(unixToSql(-5), null);
  t.equal(unixToSql(Number.NaN), null);
  t.equal(unixToSql(1e15), null);
});
