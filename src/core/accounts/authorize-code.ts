// `account authorize` with a code in hand: completeAuthorization (authorize.ts), with WeChat's refusal
// of the code itself turned into bad input: nothing was changed, and running again with the same code
// cannot help.
import { UsageError } from '../../errors.js';
import { WeChatError } from '../../wechat/errors.js';
import { completeAuthorization, type AuthorizationResult, type AuthorizeDeps } from './authorize.js';

export class AuthorizationCodeError extends UsageError {
  constructor(
    readonly errcode: number,
    message: string,
    hint: string,
  ) {
    super(message, hint);
  }
}

export async function authorizeWithCode(deps: AuthorizeDeps, code: string): Promise<AuthorizationResult> {
  try {
    return await completeAuthorization(deps, code);
  } catch (err) {
    if (err instanceof WeChatError && err.errcode === 61009) {
      throw new AuthorizationCodeError(
        61009,
        `WeChat refused the authorization code (61009 ${err.errmsg}): it was already used, or it is not this platform's`,
        'a code works once: run `wxplat account authorize` for a new link (if `wxplat serve` is running, it may have completed this authorization from WeChat\'s event: see `wxplat account list`)',
      );
    }
    if (err instanceof WeChatError && err.errcode === 61010) {
      throw new AuthorizationCodeError(
        61010,
        `WeChat refused the authorization code (61010 ${err.errmsg}): it has expired`,
        'run `wxplat account authorize` for a new link and exchange the code right away',
      );
    }
    throw err;
  }
}
