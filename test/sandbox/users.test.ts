import t from 'tap';
import { OpenidCodec } from '../../src/sandbox/openids.js';
import { authorizedAccount, call, sandboxFor } from './helpers.js';

t.test('derived openids: 28 characters, one prefix per account, decodable only by their account', async (t) => {
  const a = new OpenidCodec('wx0000000000000001');
  const b = new OpenidCodec('wx0000000000000002');
  const seen = new Set<string>();
  for (const i of [0, 1, 2, 3, 9_999, 10_000, 999_999, 2 ** 32 - 1]) {
    const o = a.encode(i);
    t.match(o, /^o[A-Za-z0-9_-]{27}$/);
    t.equal(a.decode(o), i);
    t.equal(b.decode(o), -1, 'not an openid of another account');
    seen.add(o);
  }
  t.equal(seen.size, 8);
  t.equal(a.encode(0).slice(0, 6), a.encode(1).slice(0, 6), "an account's openids share a prefix, as real ones do");
  const o = a.encode(5);
  const flipped = o.slice(0, 20) + (o[20] === 'A' ? 'B' : 'A') + o.slice(21);
  t.equal(a.decode(flipped), -1, 'a changed character is caught');
  t.equal(a.decode('oia2TjuEGTNoeX76QEjQNrcURxG8'), -1);
  t.equal(a.decode(''), -1);
});

t.test('user/get: pages of 10,000, then one call with count 0 and no data', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const a = await authorizedAccount(sandbox, { followers: 25_000 });
  const q = { access_token: a.accessToken };
  const all: string[] = [];
  const counts: number[] = [];
  let next: string | undefined;
  for (let i = 0; i < 10; i++) {
    const r = await call(sandbox, 'cgi-bin/user/get', next === undefined ? q : { ...q, next_openid: next });
    t.equal(r.body.total, 25_000);
    counts.push(r.body.count);
    if (r.body.count === 0) {
      t.same(r.body, { total: 25_000, count: 0, next_openid: '' }, 'the call after the last page');
      t.notOk('data' in r.body);
      break;
    }
    t.same(Object.keys(r.body), ['total', 'count', 'data', 'next_openid']);
    const page: string[] = r.body.data.openid;
    t.equal(page.length, r.body.count);
    t.equal(r.body.next_openid, page[page.length - 1], 'next_openid is the last of the page, even on the last page');
    all.push(...page);
    next = r.body.next_openid;
  }
  t.same(counts, [10_000, 10_000, 5_000, 0]);
  t.equal(new Set(all).size, 25_000, 'no openid twice');
  t.ok(all.every((o) => /^o[\w-]{27}$/.test(o)));
  t.same(sandbox.followerOpenids(a.appid, 12_345, 2), all.slice(12_345, 12_347), 'the same order as followerOpenids');
  t.equal((await call(sandbox, 'cgi-bin/user/get', { ...q, next_openid: 'oNotAFollowerOfThisAccount00' })).body.errcode, 40003);
  t.equal(sandbox.log.count('cgi-bin/user/get'), 5);
});

t.test('a million followers cost no memory to speak of and are checked in O(1)', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const a = await authorizedAccount(sandbox, { followers: 1_000_000 });
  const q = { access_token: a.accessToken };
  const [near] = sandbox.followerOpenids(a.appid, 999_994, 1) as [string];
  const tail = await call(sandbox, 'cgi-bin/user/get', { ...q, next_openid: near });
  t.equal(tail.body.total, 1_000_000);
  t.equal(tail.body.count, 5);
  const last = tail.body.data.openid[4];
  t.same(sandbox.followerOpenids(a.appid, 999_999, 5), [last]);
  sandbox.unsubscribe(a.appid, last);
  t.equal(sandbox.account(a.appid).followers, 999_999);
  t.equal((await call(sandbox, 'cgi-bin/user/get', { ...q, next_openid: near })).body.count, 4, 'an unfollower is skipped');
});

t.test('an explicit follower list and unsubscribes', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const a = await authorizedAccount(sandbox);
  const q = { access_token: a.accessToken };
  const mine = ['oia2TjuEGTNoeX76QEjQNrcURxG8', 'otvxTs4dckWG7imySrJd6jSi0CWE', 'otvxTs_JZ6SEiP0imdhpi50fuSZg'];
  sandbox.setFollowers(a.appid, mine);
  sandbox.unsubscribe(a.appid, mine[1]);
  const r = await call(sandbox, 'cgi-bin/user/get', q);
  t.same(r.body, { total: 2, count: 2, data: { openid: [mine[0], mine[2]] }, next_openid: mine[2] });
  sandbox.subscribe(a.appid, mine[1]);
  t.equal((await call(sandbox, 'cgi-bin/user/get', q)).body.total, 3);
});

t.test('user/info/batchget: up to 100, the post-2021 fields, unsubscribed as {subscribe:0, openid}', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const a = await authorizedAccount(sandbox, { followers: 200 });
  const q = { access_token: a.accessToken };
  const ep = 'cgi-bin/user/info/batchget';
  const openids = sandbox.followerOpenids(a.appid, 0, 101);
  sandbox.unsubscribe(a.appid, openids[1]);

  const r = await call(sandbox, ep, q, { user_list: openids.slice(0, 100).map((openid) => ({ openid, lang: 'zh_CN' })) });
  const list = r.body.user_info_list;
  t.equal(list.length, 100);
  t.same(Object.keys(list[0]), [
    'subscribe',
    'openid',
    'subscribe_time',
    'unionid',
    'remark',
    'groupid',
    'tagid_list',
    'subscribe_scene',
    'qr_scene',
    'qr_scene_str',
  ]);
  t.equal(list[0].subscribe, 1);
  t.equal(list[0].openid, openids[0]);
  t.match(list[0].subscribe_scene, /^ADD_SCENE_/);
  t.match(list[0].unionid, /^o[\w-]{27}$/);
  for (const field of ['nickname', 'headimgurl', 'sex', 'city', 'province', 'country', 'language']) t.notOk(field in list[0], `no ${field}`);
  t.same(list[1], { subscribe: 0, openid: openids[1] });
  const again = await call(sandbox, ep, q, { user_list: [{ openid: openids[0] }] });
  t.same(again.body.user_info_list[0], list[0], 'the same answer every time');

  const tooMany = await call(sandbox, ep, q, { user_list: openids.map((openid) => ({ openid })) });
  t.equal(tooMany.body.errcode, 40032, '101 openids');
  t.match(tooMany.body.errmsg, /^invalid openid list size rid: /);
  t.equal((await call(sandbox, ep, q, { user_list: [] })).body.errcode, 40032);
  t.equal((await call(sandbox, ep, q, { user_list: [{ openid: openids[0] }, { openid: 'oSomeoneElse000000000000000x' }] })).body.errcode, 40003);

  const noSet = await authorizedAccount(sandbox, { funcIds: [1, 7] });
  t.equal((await call(sandbox, 'cgi-bin/user/get', { access_token: noSet.accessToken })).body.errcode, 48001, 'needs permission set 2');
});
