// The doctor's judgement of the platform's state, and its configuration check, without a database.
import t from 'tap';
import { configurationCheck, loadSettings } from '../../../src/core/doctor/configuration.js';
import { accountsCheck, componentTokenCheck, ticketCheck } from '../../../src/core/doctor/platform.js';
import type { PlatformStatus } from '../../../src/core/platform/status.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function status(over: Partial<{ ticket: PlatformStatus['ticket']; componentToken: PlatformStatus['componentToken']; accounts: Partial<PlatformStatus['accounts']> }> = {}): PlatformStatus {
  return {
    componentAppid: 'wx1234567890abcdef',
    ticket: over.ticket ?? { state: 'fresh', receivedAt: '2026-11-28T07:55:00.000Z', ageSeconds: 300 },
    componentToken: over.componentToken ?? { state: 'valid', expiresAt: '2026-11-28T09:50:00.000Z', expiresInSeconds: 6600 },
    accounts: { authorized: 2, removed: 0, byTokenState: { valid: 2, expiring: 0, needsReauthorization: 0 }, needingAuthorization: [], withoutOriginalId: [], ...over.accounts },
    forwarding: [],
  };
}

t.test('ticket, component token and accounts', async (t) => {
  t.match(ticketCheck(status()), { state: 'ok', detail: 'received 5 min ago', advice: null });
  t.match(ticketCheck(status({ ticket: { state: 'stale', receivedAt: 'x', ageSeconds: 3600 } })), { state: 'warn', detail: /1 h ago/, advice: /wxplat serve/ });
  t.match(ticketCheck(status({ ticket: { state: 'expired', receivedAt: 'x', ageSeconds: 50_000 } })), { state: 'fail', advice: /no component token can be fetched/ });
  t.match(ticketCheck(status({ ticket: { state: 'missing', receivedAt: null, ageSeconds: null } })), { state: 'fail', detail: 'no component_verify_ticket has arrived' });

  t.match(componentTokenCheck(status()), { state: 'ok', detail: 'expires in 1 h 50 min' });
  const expired = { state: 'expired' as const, expiresAt: 'x', expiresInSeconds: -600 };
  t.match(componentTokenCheck(status({ componentToken: expired })), { state: 'ok', detail: 'expired 10 min ago; renewed from the ticket on next use' });
  t.match(componentTokenCheck(status({ componentToken: expired, ticket: { state: 'expired', receivedAt: 'x', ageSeconds: 50_000 } })), { state: 'fail' });
  t.match(componentTokenCheck(status({ componentToken: { state: 'missing', expiresAt: null, expiresInSeconds: null } })), { state: 'ok', detail: /none fetched yet/ });

  t.match(accountsCheck(status()), { state: 'ok', detail: '2 authorized, each with a refresh token' });
  t.match(accountsCheck(status({ accounts: { authorized: 0, removed: 3 } })), { state: 'warn', detail: 'no authorized accounts (3 removed)' });
  const needing = Array.from({ length: 7 }, (_, i) => ({ id: i, appid: `wx00000000000000${10 + i}`, nickname: null, reason: i === 0 ? 'revoked' : null }));
  const c = accountsCheck(status({ accounts: { authorized: 9, needingAuthorization: needing } }));
  t.equal(c.state, 'fail');
  t.equal(c.detail, '7 of 9 need re-authorization: wx0000000000000010 (revoked), wx0000000000000011, wx0000000000000012, wx0000000000000013, wx0000000000000014 and 2 more');
});

t.test('configuration: names and sources, never values', async (t) => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'wxplat-doctor-'));
  writeFileSync(path.join(cwd, '.env'), 'WXPLAT_COMPONENT_TOKEN=fromdotenvtoken\n');
  const env = {
    WXPLAT_COMPONENT_APPID: 'wx1234567890abcdef',
    WXPLAT_COMPONENT_APPSECRET: 'S'.repeat(32),
    WXPLAT_COMPONENT_AES_KEY: 'K'.repeat(43),
  };
  const ok = configurationCheck(loadSettings({ env, cwd }));
  t.equal(ok.state, 'ok');
  t.equal(ok.detail, 'environment: WXPLAT_COMPONENT_APPID, WXPLAT_COMPONENT_APPSECRET, WXPLAT_COMPONENT_AES_KEY; .env: WXPLAT_COMPONENT_TOKEN; 3 left at the default');
  t.notMatch(JSON.stringify(ok), /SSSS|KKKK|fromdotenvtoken/);

  const flagged = loadSettings({ env, cwd, dbFlag: 'sqlite:/tmp/x.sqlite3' });
  t.match(configurationCheck(flagged).detail, /--db: WXPLAT_DATABASE_URL/);

  const broken = loadSettings({ env: { ...env, WXPLAT_COMPONENT_AES_KEY: 'short' }, cwd });
  t.equal(broken.config, null);
  t.match(broken.database, { kind: 'sqlite' }, 'the database is still found');
  t.equal(broken.componentAppid, 'wx1234567890abcdef');
  const c = configurationCheck(broken);
  t.match(c, { state: 'fail', detail: /WXPLAT_COMPONENT_AES_KEY is malformed: .*got 5 characters/ });
  t.notMatch(c.detail, /short/);
});
