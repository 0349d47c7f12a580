// The errcodes an operator meets, each as a plain sentence and what to do about it. Every error wxplat
// prints about WeChat goes through here (src/wechat/errors.ts), and so do the failed rows of
// `records tail`. The facts and their sources are in docs/wechat-facts.md and
// /work/shared/reference/wechat-api.md §7.

export interface ErrcodeEntry {
  /** What happened, in a plain sentence. */
  meaning: string;
  /** What to do about it. */
  action: string;
}

export const ERRCODES: Readonly<Record<number, ErrcodeEntry>> = {
  [-1]: { meaning: 'WeChat was busy (system error)', action: 'wxplat retries these with a pause; run the command again a little later' },
  40001: {
    meaning: 'WeChat did not accept the access token: it expired early or another program refreshed the same token',
    action: 'wxplat renews it once by itself; if it keeps coming back, something else refreshes this account\'s token — let it ask wxplat for tokens instead',
  },
  40003: { meaning: 'the openid is not a follower of this account (wrong account, or malformed)', action: 'check where the recipients came from; `wxplat user sync` refreshes the followers' },
  40013: { meaning: 'WeChat does not know this appid, or it is not the one the token belongs to', action: 'check the appid' },
  40014: { meaning: 'the access token is malformed', action: 'wxplat renews it once by itself; if it persists, report it' },
  40036: { meaning: 'the template_id is malformed', action: 'check --template' },
  40037: {
    meaning: 'the template_id is not one of this account\'s templates (deleted, or the industry changed)',
    action: 'run `wxplat template sync <account>`; WeChat has also answered 40037 for a valid template now and then, so check with `wxplat template list` before giving up on it',
  },
  40125: { meaning: 'the component appsecret is wrong', action: 'copy WXPLAT_COMPONENT_APPSECRET again from the Open Platform console' },
  40164: { meaning: 'this machine\'s IP is not on the account\'s own whitelist', action: 'add it in the account\'s MP console (开发 → 基本配置 → IP白名单)' },
  40246: {
    meaning: 'the keyword names do not match the library template (keyword_name_list)',
    action: 'give `template system add --keywords` the names exactly as WeChat\'s library lists them, in order',
  },
  40247: { meaning: 'historical TM/OPENTM templates can no longer be added', action: 'use a category template\'s numeric id' },
  40248: { meaning: 'the template is outside the account\'s categories', action: 'set the account\'s categories in its MP console, or use another template' },
  41004: { meaning: 'the appsecret was missing from the request', action: 'set WXPLAT_COMPONENT_APPSECRET' },
  42001: { meaning: 'the access token expired', action: 'wxplat renews it once by itself; nothing to do unless it persists' },
  43004: { meaning: 'the recipient does not follow the account (any more)', action: 'nothing to do for this row; `wxplat user sync` updates the followers' },
  43100: { meaning: 'WeChat allows one industry change a month', action: 'try again next month' },
  43101: { meaning: 'the recipient has refused template messages from this account', action: 'nothing to do: only the recipient can change that' },
  43116: {
    meaning: 'WeChat has banned this template (too many complaints or misuse)',
    action: 'stop sending it: pick another template, and appeal in the account\'s MP console',
  },
  43117: {
    meaning: 'too many messages to this recipient in a short time',
    action: 'send to this recipient less often; the row can be sent again later with a new job',
  },
  45009: {
    meaning: 'the account\'s daily quota for this API is used up',
    action: 'it resets at midnight Beijing time; `wxplat quota get <account>` shows it, `wxplat quota clear <account>` resets it (10 times a month)',
  },
  45011: { meaning: 'calls came too fast', action: 'wxplat pauses and retries; lower --concurrency or --rate' },
  45015: { meaning: 'the customer-service window closed: the user last wrote more than 48 hours ago, or unfollowed', action: 'a customer-service message can only answer a user who wrote recently' },
  45026: { meaning: 'the account already has 25 templates', action: 'delete templates it no longer uses' },
  45047: { meaning: 'too many customer-service messages since the user last wrote', action: 'wait for the user to write again' },
  47001: { meaning: 'WeChat could not read the request body', action: 'a bug: report it with the rid' },
  47003: {
    meaning: 'a value breaks its keyword\'s rule, or is missing (category templates type their keywords: thing, amount, time …)',
    action: 'run `wxplat template send … --dry-run` to see each value checked against its rule',
  },
  48001: {
    meaning: 'the account has not granted this permission set to the platform, or its kind cannot use this API (template messages need a verified service account)',
    action: 'have the account\'s admin grant 群发与通知 (7) and 用户管理 (2) by authorizing again; `wxplat account show` lists what it granted',
  },
  48006: { meaning: 'the 10 quota resets of this month are used up', action: 'wait for next month; the quota itself still resets every midnight Beijing time' },
  61003: { meaning: 'the account is no longer authorized to this platform (its admin withdrew the authorization)', action: 'run `wxplat account reconcile`, or have it authorize again (`wxplat account authorize`)' },
  61004: {
    meaning: 'this machine\'s IP is not on the platform\'s whitelist',
    action: 'add it on the Open Platform console (第三方平台 → 开发资料 → 白名单); a change made with 编辑 applies after 全网发布',
  },
  61005: { meaning: 'the component_verify_ticket expired', action: 'WeChat must reach `wxplat serve` to push a new one; `wxplat platform ticket restart` asks for one now' },
  61006: { meaning: 'the component_verify_ticket is not valid', action: 'check WXPLAT_COMPONENT_AES_KEY, then `wxplat platform ticket restart`' },
  61007: { meaning: 'this API\'s permission set is not granted to the platform for this account', action: 'have the account\'s admin authorize again with it' },
  61009: { meaning: 'the authorization code is not valid, or was already used', action: 'authorize again: `wxplat account authorize`' },
  61010: { meaning: 'the authorization code expired', action: 'authorize again: `wxplat account authorize`' },
  61011: { meaning: 'WeChat does not know this component', action: 'check WXPLAT_COMPONENT_APPID' },
  61023: {
    meaning: 'WeChat refused the account\'s refresh token (withdrawn, re-authorized elsewhere, or replaced)',
    action: 'run `wxplat account reconcile` to take WeChat\'s current refresh tokens; if that does not help, the account must authorize again',
  },
  61024: { meaning: 'a component appid used cgi-bin/token', action: 'a bug: report it with the rid' },
  61028: { meaning: 'the platform is not released (全网发布) yet: only test accounts work', action: 'release the platform on the Open Platform console' },
  76001: { meaning: 'WeChat has no request with this rid (it keeps them 7 days)', action: 'check the rid, and that it is less than 7 days old' },
  76002: { meaning: 'the rid is empty or malformed', action: 'give the rid as WeChat printed it, e.g. 61725984-6126f6f9-040f19c4' },
  76003: {
    meaning: 'this identity may not look at that: the rid (or API) belongs to another account or to the platform, or the API path is malformed',
    action: 'for a call made for an account, ask as that account (`--account`)',
  },
  76021: { meaning: 'WeChat does not know this API path', action: 'give the path as in the API\'s URL, e.g. /cgi-bin/message/template/send' },
  76022: { meaning: 'this API does not belong to the identity asked with (an account API asked as the platform, or the other way)', action: 'ask for an account API with an account, for a component API with `component`' },
};

export function explainErrcode(errcode: number | null | undefined): ErrcodeEntry | undefined {
  return errcode === null || errcode === undefined ? undefined : ERRCODES[errcode];
}

const RID = /\s*\brid:\s*([0-9A-Za-z-]+)\s*$/;
const HINT = /\s*\bhint:\s*\[[^\]]*\]\s*$/;

/** The request id WeChat appends to every errmsg (` rid: 61725984-6126f6f9-040f19c4`), or null. */
export function ridOf(errmsg: string | null | undefined): string | null {
  if (!errmsg) return null;
  return RID.exec(errmsg)?.[1] ?? null;
}

/** The errmsg without its rid (or older ` hint: […]`) suffix. */
export function bareErrmsg(errmsg: string): string {
  return errmsg.replace(RID, '').replace(HINT, '').trim();
}

/** `wxplat rid …` for the operator to run, or null without a rid. */
export function ridSuggestion(rid: string | null): string | null {
  return rid ? `\`wxplat rid ${rid}\` shows the request WeChat received` : null;
}

/**
 * One line for an error WeChat answered: the errcode, WeChat's words, the plain sentence (and what to
 * do, with `action`), the rid.
 */
export function describeWeChatError(errcode: number, errmsg: string | null, options: { action?: boolean } = {}): string {
  const entry = ERRCODES[errcode];
  const bare = errmsg ? bareErrmsg(errmsg) : '';
  const rid = ridOf(errmsg);
  const words = [String(errcode), bare].filter(Boolean).join(' ');
  const plain = entry ? ` — ${entry.meaning}${options.action ? `: ${entry.action}` : ''}` : '';
  return `${words}${plain}${rid ? ` (rid ${rid})` : ''}`;
}
