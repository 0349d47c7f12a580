import t from 'tap';
import { checkMchId, checkPayKey, checkPayName } from '../../../src/core/accounts/pay.js';
import { accountDetail, accountSummary, funcIdList, tokenStatus } from '../../../src/core/accounts/view.js';
import type { OfficialAccountRow } from '../../../src/db/rows.js';

const now = new Date('2026-11-28T12:00:00Z');
const state = (over: Partial<Parameters<typeof tokenStatus>[0] & object> = {}) => ({
  appid: 'wx0000000000000001',
  expiresAt: new Date(now.getTime() + 3_600_000),
  hasRefreshToken: true,
  needsReauth: false,
  reason: null,
  ...over,
});

t.test('token state', async (t) => {
  t.match(tokenStatus(state(), now), { state: 'valid', expiresAt: '2026-11-28T13:00:00.000Z', reason: null });
  t.equal(tokenStatus(state({ expiresAt: new Date(now.getTime() + 5 * 60_000) }), now).state, 'expiring', 'under ten minutes left');
  t.equal(tokenStatus(state({ expiresAt: new Date(now.getTime() - 1) }), now).state, 'expiring', 'expired: renewed on next use');
  t.equal(tokenStatus(state({ expiresAt: null }), now).state, 'expiring');
  t.match(tokenStatus(state({ needsReauth: true, reason: '61023' }), now), { state: 'needs-reauthorization', reason: '61023' });
  t.match(tokenStatus(state({ hasRefreshToken: false }), now), { state: 'needs-reauthorization' });
  t.match(tokenStatus(undefined, now), { state: 'needs-reauthorization', reason: /no tokens/ });
});

const row: OfficialAccountRow = {
  official_account_id: 3,
  nickname: '甲',
  avartar_url: 'http://wx.qlogo.cn/x',
  service_type_id: 10,
  verify_type_id: 5,
  original_id: 'gh_0123456789ab',
  principal_name: '甲公司',
  alias: '',
  business_info_open_store: 1,
  business_info_open_scan: 2,
  business_info_open_pay: null,
  business_info_open_card: 1,
  business_info_open_shake: 1,
  qrcode_url: null,
  appid: 'wx0000000000000001',
  func_ids: '1, 2,,7,x',
  status: -2,
  updated_at: '2026-11-28 11:00:00',
  created_at: null,
};

t.test('how an account reads', async (t) => {
  const a = accountDetail(row, state(), now);
  t.match(a, {
    id: 3,
    serviceType: 'other (10)',
    verifyType: 'qualified, name pending, Tencent Weibo verified',
    funcIds: [1, 2, 7],
    state: 'removed',
    business: { store: false, scan: true, pay: null },
    updatedAt: '2026-11-28T11:00:00.000Z',
    createdAt: null,
  });
  t.same(Object.keys(accountSummary(row, undefined, now)).sort(), [
    'appid', 'funcIds', 'id', 'nickname', 'originalId', 'serviceType', 'serviceTypeId', 'state', 'token', 'verifyType', 'verifyTypeId',
  ]);
  t.same(funcIdList(null), []);
});

t.test('pay values', async (t) => {
  t.equal(checkMchId('1230000109'), true);
  t.type(checkMchId('12a'), 'string');
  t.type(checkMchId(''), 'string');
  t.equal(checkPayName('甲公司'), true);
  t.type(checkPayName('   '), 'string');
  t.type(checkPayName('x'.repeat(101)), 'string');
  t.equal(checkPayKey('a'.repeat(32)), true);
  t.type(checkPayKey('a'.repeat(31)), 'string');
  t.type(checkPayKey(`${'a'.repeat(31)}-`), 'string');
});
