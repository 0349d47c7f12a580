import t from 'tap';
import { authorizedAccount, call, refreshedAccessToken, sandboxFor } from './helpers.js';

t.test('industries: codes in, WeChat spellings out; once a calendar month; a change deletes templates', async (t) => {
  const { sandbox, clock } = await sandboxFor(t);
  const a = await authorizedAccount(sandbox);
  const q = { access_token: a.accessToken };
  const set = (body: unknown) => call(sandbox, 'cgi-bin/template/api_set_industry', q, body);

  const none = await call(sandbox, 'cgi-bin/template/get_industry', q);
  t.equal(none.body.errcode, 40102, 'get_industry before any set');
  t.equal((await set({ industry_id1: '3', industry_id2: '3' })).body.errcode, 40102, 'primary == secondary');
  t.equal((await set({ industry_id1: '0', industry_id2: '3' })).body.errcode, 40102);
  t.equal((await set({ industry_id1: 42, industry_id2: 3 })).body.errcode, 40102);
  t.equal((await set('industry_id1=1&industry_id2=4')).body.errcode, 40103, 'a form body');
  t.same((await set({ industry_id1: '1', industry_id2: 29 })).body, { errcode: 0, errmsg: 'ok' }, 'strings or numbers');

  const got = await call(sandbox, 'cgi-bin/template/get_industry', q);
  t.same(got.body, {
    primary_industry: { first_class: 'IT科技', second_class: '互联网|电子商务' },
    secondary_industry: { first_class: '房地产', second_class: '房地产|建筑' },
  });

  const added = await call(sandbox, 'cgi-bin/template/api_add_template', q, {
    template_id_short: '43216',
    keyword_name_list: ['订单编号', '快递单号'],
  });
  t.equal(added.body.errcode, 0);

  t.same((await set({ industry_id1: 1, industry_id2: 29 })).body, { errcode: 0, errmsg: 'ok' }, 'the same pair again is no change');
  const again = await set({ industry_id1: 2, industry_id2: 22 });
  t.equal(again.body.errcode, 43100, 'a second change in the same month');
  t.match(again.body.errmsg, /^change template too frequently rid: /);

  clock.advance(17 * 86_400_000); // April 1st, Beijing time
  t.equal((await call(sandbox, 'cgi-bin/template/get_industry', q)).body.errcode, 42001, 'the token has expired meanwhile');
  q.access_token = await refreshedAccessToken(sandbox, a);
  t.same((await set({ industry_id1: 2, industry_id2: 22 })).body, { errcode: 0, errmsg: 'ok' }, 'next month');
  t.same((await call(sandbox, 'cgi-bin/template/get_all_private_template', q)).body, { template_list: [] }, 'the old industry’s template is gone');
  t.same((await call(sandbox, 'cgi-bin/template/get_industry', q)).body.secondary_industry, { first_class: '医疗护理', second_class: '医药医疗' });
});

t.test('api_add_template: 40247, 40246, 40248, 45026 and the template list', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const a = await authorizedAccount(sandbox);
  const q = { access_token: a.accessToken };
  const add = (body: unknown) => call(sandbox, 'cgi-bin/template/api_add_template', q, body);

  t.equal((await add({ template_id_short: '43568', keyword_name_list: ['订单编号'] })).body.errcode, 40248, 'no industries yet');
  await call(sandbox, 'cgi-bin/template/api_set_industry', q, { industry_id1: 1, industry_id2: 2 });

  const legacy = await add({ template_id_short: 'TM00015' });
  t.equal(legacy.body.errcode, 40247);
  t.match(legacy.body.errmsg, /^历史模板库已升级为类目模板。历史模板库内模板不再支持添加。/);
  t.equal((await add({ template_id_short: 'OPENTM207498902', keyword_name_list: [] })).body.errcode, 40247);
  t.equal((await add({ template_id_short: '99999', keyword_name_list: ['x'] })).body.errcode, 40246, 'not in the library');
  t.equal((await add({ template_id_short: '43568' })).body.errcode, 40246, 'no keyword list');
  t.equal((await add({ template_id_short: '43568', keyword_name_list: ['支付时间', '订单编号'] })).body.errcode, 40246, 'out of order');
  t.equal((await add({ template_id_short: '43568', keyword_name_list: ['订单编号', '收货人'] })).body.errcode, 40246, 'not a keyword of it');
  const bad = await add({ template_id_short: '43568', keyword_name_list: ['订单编号', '订单编号'] });
  t.equal(bad.body.errcode, 40246, 'twice');
  t.match(bad.body.errmsg, /^keyword name invalid rid: /);
  t.equal((await add({ template_id_short: '47862', keyword_name_list: ['商户名称'] })).body.errcode, 40248, 'industry 7 is not ours');
  const category = await add({ template_id_short: '47862', keyword_name_list: ['商户名称'] });
  t.match(category.body.errmsg, /^Category error, not in your category rid: /);

  const ok = await add({ template_id_short: 43568, keyword_name_list: ['订单编号', '支付时间'] });
  t.same(Object.keys(ok.body), ['errcode', 'errmsg', 'template_id']);
  t.match(ok.body.template_id, /^[\w-]{43,44}$/);
  const same = await add({ template_id_short: '43568', keyword_name_list: ['订单编号', '支付时间'] });
  t.equal(same.body.template_id, ok.body.template_id, 'the same template and keywords: the one already added');

  const list = await call(sandbox, 'cgi-bin/template/get_all_private_template', q);
  t.same(list.body.template_list, [
    {
      template_id: ok.body.template_id,
      title: '订单支付成功通知',
      primary_industry: 'IT科技',
      deputy_industry: '互联网|电子商务',
      content: '订单编号:{{character_string1.DATA}}\n支付时间:{{time3.DATA}}',
      example: '订单编号:SN20240101001\n支付时间:2024年1月1日 12:00',
    },
  ]);

  // Fill the 25 slots with distinct keyword choices of library templates in industries 1 and 2.
  sandbox.addLibraryTemplate({
    shortId: '50001',
    industryCode: 2,
    title: '测试模板',
    keywords: Array.from({ length: 10 }, (_, i) => ({ name: `字段${i + 1}`, key: `thing${i + 1}` })),
  });
  let added = 1;
  for (let i = 1; i <= 10 && added < 25; i++) {
    for (let j = i + 1; j <= 10 && added < 25; j++) {
      const r = await add({ template_id_short: '50001', keyword_name_list: [`字段${i}`, `字段${j}`] });
      t.equal(r.body.errcode, 0);
      added++;
    }
  }
  const full = await add({ template_id_short: '50001', keyword_name_list: ['字段9', '字段10'] });
  t.equal(full.body.errcode, 45026, 'the 26th');
  t.equal((await call(sandbox, 'cgi-bin/template/get_all_private_template', q)).body.template_list.length, 25);

  const del = 'cgi-bin/template/del_private_template';
  t.same((await call(sandbox, del, q, { template_id: ok.body.template_id })).body, { errcode: 0, errmsg: 'ok' });
  t.equal((await call(sandbox, del, q, { template_id: ok.body.template_id })).body.errcode, 40037, 'already deleted');
  t.equal((await add({ template_id_short: '50001', keyword_name_list: ['字段9', '字段10'] })).body.errcode, 0, 'a slot is free again');
});

t.test('template APIs need permission set 7 on a verified 服务号', async (t) => {
  const { sandbox } = await sandboxFor(t);
  const noSet = await authorizedAccount(sandbox, { funcIds: [1, 2] });
  const r = await call(sandbox, 'cgi-bin/template/get_all_private_template', { access_token: noSet.accessToken });
  t.equal(r.body.errcode, 48001);
  t.match(r.body.errmsg, /^api unauthorized rid: /);
  const subscription = await authorizedAccount(sandbox, { serviceType: 0 });
  t.equal((await call(sandbox, 'cgi-bin/template/get_industry', { access_token: subscription.accessToken })).body.errcode, 48001);
  const unverified = await authorizedAccount(sandbox, { verifyType: -1 });
  t.equal((await call(sandbox, 'cgi-bin/template/get_industry', { access_token: unverified.accessToken })).body.errcode, 48001);
});
