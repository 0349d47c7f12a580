// Things WeChat does on its own initiative, each a change of state plus the push that announces it:
// a new component_verify_ticket, an admin confirming an authorization, an admin cancelling one.
import { SandboxError } from './errors.js';
import { authorizedEvent, ticketEvent, unauthorizedEvent } from './events.js';
import type { PushRecord } from './pushes.js';
import type { Sim } from './routes.js';
import { AUTH_CODE_TTL_S } from './state.js';
import { httpUrl, isUrl } from '../formats.js';

export interface AuthorizeInput {
  preAuthCode: string;
  /** Authorize this account (made if it does not exist yet); a new account otherwise. */
  appid?: string;
  /** Where the admin's browser goes next; the result's redirectUrl carries auth_code and expires_in. */
  redirectUri?: string;
}

export interface AuthorizeResult {
  appid: string;
  authCode: string;
  /** Epoch seconds, as AuthorizationCodeExpiredTime carries it. */
  authCodeExpiresAt: number;
  infoType: 'authorized' | 'updateauthorized';
  redirectUrl?: string;
}

export async function pushTicket(sim: Sim): Promise<{ ticket: string; push: PushRecord }> {
  const { world } = sim;
  const ticket = world.issueTicket();
  const push = await sim.pusher.pushComponentEvent('component_verify_ticket', ticketEvent(world.component.appid, world.time.seconds(), ticket));
  return { ticket, push };
}

/** Returns at once; `pushed` settles when the authorized event has been delivered or given up. */
export function authorize(sim: Sim, input: AuthorizeInput): { result: AuthorizeResult; pushed: Promise<PushRecord> } {
  const { world } = sim;
  const redirect = input.redirectUri === undefined ? undefined : redirectTarget(input.redirectUri);
  const { account, authCode, expiresAt, infoType } = world.authorize(input.preAuthCode, input.appid);
  const authCodeExpiresAt = Math.floor(expiresAt / 1000);
  let redirectUrl: string | undefined;
  if (redirect) {
    redirect.searchParams.set('auth_code', authCode);
    redirect.searchParams.set('expires_in', String(AUTH_CODE_TTL_S));
    redirectUrl = redirect.toString();
  }
  const xml = authorizedEvent(
    world.component.appid,
    world.time.seconds(),
    infoType,
    account.appid,
    authCode,
    authCodeExpiresAt,
    input.preAuthCode,
  );
  const pushed = sim.pusher.pushComponentEvent(infoType, xml);
  return { result: { appid: account.appid, authCode, authCodeExpiresAt, infoType, redirectUrl }, pushed };
}

export function unauthorize(sim: Sim, appid: string): Promise<PushRecord> {
  const { world } = sim;
  world.unauthorize(appid);
  return sim.pusher.pushComponentEvent('unauthorized', unauthorizedEvent(world.component.appid, world.time.seconds(), appid));
}

function redirectTarget(uri: string): URL {
  const url = httpUrl(uri);
  if (url) return url;
  if (!isUrl(uri)) throw new SandboxError(`redirect_uri ${JSON.stringify(uri)} is not a URL`);
  throw new SandboxError('redirect_uri must be http or https');
}

/** WeChat's first release-check test account (developers.weixin.qq.com, 全网发布检测说明). */
export const RELEASE_CHECK_APPID = 'wx570bc396a51b8ff8';
export const RELEASE_CHECK_USERNAME = 'gh_3c884a361561';

export interface ReleaseCheckSetup {
  appid: string;
  userName: string;
  /** The tester who writes to the test account (customer-service messages to them are accepted). */
  openid: string;
  /** The query_auth_code WeChat pushed with the authorization, as the QUERY_AUTH_CODE text carries it. */
  authCode: string;
  /** The authorized event's push to the component URL. */
  push: PushRecord;
}

/**
 * What WeChat does before its release check: authorizes its test account to the platform (pushing the
 * authorized event with a query_auth_code) and has a tester write to it.
 */
export async function setUpReleaseCheck(sim: Sim): Promise<ReleaseCheckSetup> {
  const { world } = sim;
  const { account, authCode, expiresAt } = world.authorizeTestAccount(RELEASE_CHECK_APPID, RELEASE_CHECK_USERNAME);
  const openid = `oReleaseCheck${world.random.urlSafe(15)}`;
  account.followers.follow(openid);
  world.userWrote(account, openid);
  const xml = authorizedEvent(world.component.appid, world.time.seconds(), 'authorized', account.appid, authCode, Math.floor(expiresAt / 1000), `preauthcode@@@${world.random.urlSafe(20)}`);
  const push = await sim.pusher.pushComponentEvent('authorized', xml);
  return { appid: account.appid, userName: account.userName, openid, authCode, push };
}
