// A row type for every table. Seed tables keep their production column names; DATETIME columns are
// 'YYYY-MM-DD HH:MM:SS' strings in UTC. Status values follow the seed: 1 valid, -2 logically deleted
// (industry codes: 10 and -20).

export const STATUS = { valid: 1, deleted: -2 } as const;
export const INDUSTRY_STATUS = { valid: 10, deleted: -20 } as const;

export type SqlDateTime = string;

export interface AccountMessageTemplateRow {
  account_message_template_id: number;
  official_account_id: number | null;
  template_id: string;
  system_message_template_id: number | null;
  status: number | null;
  updated_at: SqlDateTime | null;
  created_at: SqlDateTime | null;
}

export interface IndustryCodeQueryRow {
  industry_code_query_id: number;
  main_type: number | null;
  main_industry_code: string | null;
  sec_industry_code: string | null;
  code_num: number | null;
  status: number | null;
  updated_at: SqlDateTime | null;
  created_at: SqlDateTime | null;
}

export interface OfficialAccountIndustryCodeRow {
  official_account_industry_code_id: number;
  official_account_id: number | null;
  industry_id1: number | null;
  industry_id2: number | null;
  status: number | null;
  updated_at: SqlDateTime | null;
  created_at: SqlDateTime | null;
}

export interface OfficialAccountUserRow {
  official_account_user_id: number;
  official_account_id: number | null;
  user_wx_info_id: number | null;
  openid: string | null;
  status: number | null;
  created_at: SqlDateTime | null;
}

export interface OfficialAccountRow {
  official_account_id: number;
  nickname: string | null;
  avartar_url: string | null;
  service_type_id: number | null;
  verify_type_id: number | null;
  original_id: string | null;
  principal_name: string | null;
  alias: string | null;
  business_info_open_store: number | null;
  business_info_open_scan: number | null;
  business_info_open_pay: number | null;
  business_info_open_card: number | null;
  business_info_open_shake: number | null;
  qrcode_url: string | null;
  appid: string | null;
  func_ids: string | null;
  status: number | null;
  updated_at: SqlDateTime | null;
  created_at: SqlDateTime | null;
}

export interface OfficialAccountsPayParamRow {
  official_accounts_pay_param_id: number;
  official_account_id: number | null;
  mch_id: string | null;
  name: string | null;
  /** The merchant pay key: a secret, never printed unmasked. */
  appkey: string | null;
  status: number | null;
  updated_at: SqlDateTime | null;
  created_at: SqlDateTime | null;
}

export interface SystemMessageTemplateRow {
  system_message_template_id: number;
  code: string | null;
  title: string | null;
  industry_code_query_id: number | null;
  content: string;
  status: number | null;
  updated_at: SqlDateTime | null;
  created_at: SqlDateTime | null;
}

// --- wxplat's own tables ---

export interface ComponentCredentialsRow {
  component_appid: string;
  verify_ticket: string | null;
  ticket_received_at: SqlDateTime | null;
  access_token: string | null;
  access_token_expires_at: SqlDateTime | null;
  version: number;
  lease_owner: string | null;
  lease_until: SqlDateTime | null;
  updated_at: SqlDateTime | null;
}

export interface AuthorizerTokenRow {
  authorizer_appid: string;
  access_token: string | null;
  access_token_expires_at: SqlDateTime | null;
  refresh_token: string | null;
  version: number;
  lease_owner: string | null;
  lease_until: SqlDateTime | null;
  needs_reauth: number;
  reauth_reason: string | null;
  authorized_at: SqlDateTime | null;
  updated_at: SqlDateTime | null;
}

export interface JsapiTicketRow {
  authorizer_appid: string;
  ticket: string | null;
  ticket_expires_at: SqlDateTime | null;
  version: number;
  lease_owner: string | null;
  lease_until: SqlDateTime | null;
  updated_at: SqlDateTime | null;
}

/** A key of the token service; the key itself is never stored, only its SHA-256. */
export interface TokenKeyRow {
  id: number;
  name: string;
  key_hash: string;
  /** Comma-separated appids; null = every account and the component token. */
  appids: string | null;
  status: number;
  created_at: SqlDateTime;
  last_used_at: SqlDateTime | null;
  removed_at: SqlDateTime | null;
  updated_at: SqlDateTime;
}

export type DeliveryState = 'pending' | 'sending' | 'sent' | 'failed' | 'unknown' | 'delivered' | 'blocked' | 'system-failed';
export type JobState = 'preparing' | 'ready' | 'done' | 'stopped';

export interface SendJobRow {
  job_id: number | string;
  idempotency_key: string | null;
  official_account_id: number;
  appid: string;
  template_id: string;
  template_code: string | null;
  message_json: string;
  content: string | null;
  source: string | null;
  client_msg_prefix: string;
  state: JobState;
  total: number;
  prepare_owner: string | null;
  prepare_lease_until: SqlDateTime | null;
  paused_until: SqlDateTime | null;
  stop_reason: string | null;
  /** sha256 of account, template, message and recipients; null on jobs older than the column. */
  request_digest: string | null;
  created_at: SqlDateTime | null;
  prepared_at: SqlDateTime | null;
  finished_at: SqlDateTime | null;
  updated_at: SqlDateTime | null;
}

export interface SendDeliveryRow {
  send_record_id: number;
  job_id: number | string;
  official_account_id: number;
  openid: string;
  client_msg_id: string;
  state: DeliveryState;
  msgid: string | null;
  errcode: number | null;
  errmsg: string | null;
  attempts: number;
  maybe_sent: number;
  first_attempt_at: SqlDateTime | null;
  last_attempt_at: SqlDateTime | null;
  lease_owner: string | null;
  lease_until: SqlDateTime | null;
  receipt_status: string | null;
  receipt_record_id: number | null;
  receipt_at: SqlDateTime | null;
  updated_at: SqlDateTime;
}

export type InboxState = 'pending' | 'done' | 'ignored' | 'failed';
export type InboxRoute = 'component' | 'account';

export interface CallbackInboxRow {
  id: number | string;
  dedupe_key: string;
  route: InboxRoute;
  appid: string | null;
  event_type: string;
  message_time: SqlDateTime | null;
  /** The follower a push is from (FromUserName of an account's push). */
  openid: string | null;
  /** Rows stored before the inbox was made lean: the request's query (signature, timestamp, nonce, openid). */
  query_string: string | null;
  /** Rows stored before the inbox was made lean: the encrypted request body (empty since). */
  raw_body: string;
  decrypted_xml: string;
  /** Copies of the push that arrived after it was stored (WeChat's retries). */
  retries: number;
  /** The async forwarding rules that took the push (comma-separated ids). */
  forward_rules: string | null;
  /** pending: its deliveries are still to be made; queued: made. */
  forward_state: 'pending' | 'queued' | null;
  state: InboxState;
  attempts: number;
  next_attempt_at: SqlDateTime;
  lease_owner: string | null;
  last_error: string | null;
  outcome: string | null;
  batch_tag: string | null;
  received_at: SqlDateTime;
  processed_at: SqlDateTime | null;
  updated_at: SqlDateTime;
}

export type FollowerSyncState = 'running' | 'sweeping' | 'done';

/** Beside official_account_users (same id): the unique (account, openid) rule and what user/info still returns. */
export interface FollowerRow {
  official_account_user_id: number;
  official_account_id: number;
  openid: string;
  unionid: string | null;
  subscribe_time: SqlDateTime | null;
  subscribe_scene: string | null;
  qr_scene: number | string | null;
  qr_scene_str: string | null;
  remark: string | null;
  /** JSON array of tag ids. */
  tagid_list: string | null;
  seen_generation: number;
  details_at: SqlDateTime | null;
  event_at: SqlDateTime | null;
  created_at: SqlDateTime;
  updated_at: SqlDateTime;
}

/** One account's follower-sync checkpoint. */
export interface FollowerSyncRow {
  official_account_id: number;
  generation: number;
  state: FollowerSyncState;
  next_openid: string | null;
  total: number | null;
  pages: number;
  seen: number;
  added: number;
  refollowed: number;
  unfollowed: number;
  retired: number;
  runs: number;
  lease_owner: string | null;
  lease_until: SqlDateTime | null;
  last_error: string | null;
  started_at: SqlDateTime;
  finished_at: SqlDateTime | null;
  updated_at: SqlDateTime;
}

/** An account's standing at WeChat as last fetched (api_get_authorizer_info.account_status). */
export interface AuthorizerStatusRow {
  authorizer_appid: string;
  account_status: number | null;
  checked_at: SqlDateTime;
}
