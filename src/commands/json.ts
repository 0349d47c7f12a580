// Each command's --json document, by name: what programs may rely on. The style (README "JSON
// output"): camelCase keys; times ISO 8601 UTC; ids WeChat makes (msgid, rid) strings; rates rounded
// (seconds to the millisecond, per-second rates whole); `state` for what a thing is in; a template code
// a string, an industry code a number, everywhere. test/output/json-fields.test.ts holds every document
// to its declared fields (test/fixtures/json-fields.json), so that a change to one is deliberate.
import type { listAccounts } from '../core/accounts/list.js';
import type { reconcileAccounts } from '../core/accounts/reconcile.js';
import type { refreshAccount, refreshAccounts } from '../core/accounts/refresh.js';
import type { removeAccount } from '../core/accounts/remove.js';
import type { setPayParams, showPayParams } from '../core/accounts/pay.js';
import type { showAccount } from '../core/accounts/show.js';
import type { startAuthorization } from '../core/accounts/links.js';
import type { replayInboxRow } from '../core/callbacks/replay.js';
import type { RehearsalResult } from '../core/callbacks/release-rehearsal.js';
import type { sendTrigger } from '../core/callbacks/trigger.js';
import type { migrate, migrationStatus, rollback } from '../core/database/migrations.js';
import type { seedDatabase } from '../core/database/seed.js';
import type { runWalkthrough } from '../core/demo/walkthrough.js';
import type { DoctorReport } from '../core/doctor/doctor.js';
import type { SyncSummary } from '../core/followers/sync.js';
import type { FollowerView } from '../core/followers/list.js';
import type { addForwardRule, listForwardRules, removeForwardRule, retryForwards, rotateForwardSecret, testForwardRule } from '../core/forwarding/manage.js';
import type { AccountIndustries } from '../core/industries/get.js';
import type { listIndustryCodes } from '../core/industries/list.js';
import type { setAccountIndustries } from '../core/industries/set.js';
import type { PlatformStatus } from '../core/platform/status.js';
import type { TicketRestart } from '../core/platform/ticket-restart.js';
import type { clearQuota, QuotaReport } from '../core/quota/quota.js';
import type { TailRecord } from '../core/records/record.js';
import type { RidReport } from '../core/rid/rid.js';
import type { DryRunPreview, SendSummary } from '../core/sending/send.js';
import type { addCatalogueEntry, listCatalogue, removeCatalogueEntry } from '../core/templates/catalogue.js';
import type { listAccountTemplates } from '../core/templates/list.js';
import type { SyncResult } from '../core/templates/sync.js';
import type { TokenDocument } from '../core/tokens/grants.js';
import type { addKey, listKeys, removeKey } from '../core/tokens/keys.js';

type Result<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;
type AccountShow = Result<typeof showAccount>;

export type AccountListJson = Result<typeof listAccounts>;
export type AccountShowJson = AccountShow;
export type AccountRefreshJson = Result<typeof refreshAccount> | Result<typeof refreshAccounts>;
export type AccountReconcileJson = Result<typeof reconcileAccounts>;
/** `--url-only --json`: the links; otherwise the account authorized. */
export type AccountAuthorizeJson = Result<typeof startAuthorization> | { created: boolean; viaReceiver: number | null; account: AccountShow };
export type AccountRemoveJson = Result<typeof removeAccount>;
export type AccountPaySetJson = Result<typeof setPayParams>;
export type AccountPayShowJson = Result<typeof showPayParams>;
export type IndustryListJson = Result<typeof listIndustryCodes>;
export type IndustryGetJson = AccountIndustries;
export type IndustrySetJson = Result<typeof setAccountIndustries>;
export type TemplateSystemListJson = Result<typeof listCatalogue>;
export type TemplateSystemAddJson = Result<typeof addCatalogueEntry>;
export type TemplateSystemRemoveJson = Result<typeof removeCatalogueEntry>;
export type TemplateListJson = Result<typeof listAccountTemplates>;
/** One account: its result; `--all`: one a line of the list. */
export type TemplateSyncJson = SyncResult | SyncResult[];
export type TemplateSendJson = SendSummary | DryRunPreview;
export type UserSyncJson = SyncSummary;
export type UserListJson = FollowerView[];
/** NDJSON: one record a line. */
export type RecordsTailJson = TailRecord;
export type PlatformStatusJson = PlatformStatus;
export type PlatformTicketRestartJson = TicketRestart;
export type QuotaGetJson = QuotaReport;
export type QuotaClearJson = Result<typeof clearQuota>;
/** `token get`, `token jsapi-ticket`, and the token listener's answers. */
export type TokenJson = TokenDocument;
/** The key itself appears here only, once. */
export type TokenKeysAddJson = Omit<Result<typeof addKey>, 'key' | 'revived'> & { key: string };
export type TokenKeysListJson = Result<typeof listKeys>;
export type TokenKeysRemoveJson = Result<typeof removeKey> & { removed: true };
export type ForwardAddJson = Result<typeof addForwardRule>;
export type ForwardListJson = Result<typeof listForwardRules>;
export type ForwardRotateSecretJson = Result<typeof rotateForwardSecret>;
export type ForwardRetryJson = Result<typeof retryForwards>;
export type ForwardRemoveJson = { removed: Result<typeof removeForwardRule> };
export type ForwardTestJson = Result<typeof testForwardRule>;
export type DbStatusJson = Result<typeof migrationStatus>;
export type DbMigrateJson = Result<typeof migrate>;
export type DbRollbackJson = Result<typeof rollback>;
export type DbSeedJson = Result<typeof seedDatabase>;
export type DoctorJson = DoctorReport;
export type RidShowJson = RidReport;
export type EventsReplayJson = Omit<Result<typeof replayInboxRow>, 'retryAt'> & { retryAt: string | null };
export type EventsTriggerJson = Result<typeof sendTrigger> | RehearsalResult;
export type DemoJson = { database: string; seconds: number } & Pick<Result<typeof runWalkthrough>, 'appid' | 'send' | 'receipts' | 'forwarding'>;
