// WeChat's error answers: HTTP 200 with {"errcode":N,"errmsg":"… rid: …"}. The texts are the
// server's own where they were captured (wechat-api.md §7); the rest follow WeChat's wording style.

export const ERRMSG: Readonly<Record<number, string>> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40003: 'invalid openid',
  40008: 'invalid message type',
  40013: 'invalid appid',
  40032: 'invalid openid list size',
  40036: 'invalid template_id size',
  40037: 'invalid template_id',
  40097: 'invalid args',
  40102: 'invalid industry id',
  40103: 'invalid industry index',
  40125: 'invalid appsecret',
  40246: 'keyword name invalid',
  40247:
    '历史模板库已升级为类目模板。历史模板库内模板不再支持添加。 如有相关消息需求，可使用类目模板库ID添加对应模板',
  40248: 'Category error, not in your category',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  42001: 'access_token expired',
  43001: 'require GET method',
  43002: 'require POST method',
  43004: 'require subscribe',
  43100: 'change template too frequently',
  43101: 'user refuse to accept the msg',
  44002: 'empty post data',
  44004: 'empty content',
  45009: 'reach max api daily quota limit',
  45015: 'response out of time limit or subscription is canceled',
  45026: 'template num exceeds limit',
  45047: 'out of response count limit',
  47001: 'data format error',
  47003: 'argument invalid!',
  48001: 'api unauthorized',
  48006: 'forbid to clear quota because of reaching the limit',
  61003: 'component is not authorized by this account',
  61005: 'component ticket is expired',
  61006: 'component ticket is invalid',
  61009: 'code is invalid',
  61010: 'code is expired',
  61011: 'invalid component',
  61023: 'refresh_token is invalid',
  76001: 'rid not found',
  76002: 'rid is error',
  76003: 'could not query this rid,no permission',
  76021: 'cgi_path not found, please check',
  76022: 'could not use this cgi_path\uff0cno permission',
};

/**
 * A refusal by the simulated WeChat. Deliberately not an Error: refusals are thrown on the send path
 * (43004, 45009 …) and never need a stack trace.
 */
export class ApiError {
  readonly errcode: number;
  readonly errmsg: string;
  constructor(errcode: number, errmsg?: string) {
    this.errcode = errcode;
    this.errmsg = errmsg ?? ERRMSG[errcode] ?? 'unknown error';
  }
}

/** Misuse of the sandbox's own control surface (not a WeChat answer). */
export class SandboxError extends Error {
  constructor(
    message: string,
    /** HTTP status for the control API. */
    readonly status = 400,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

/** The request id WeChat appends to every errmsg: 8 hex of the time, 8 of a counter, 8 random. */
export class RidMaker {
  #counter = 0x1000_0000;
  constructor(private readonly random: () => number) {}
  make(nowSeconds: number): string {
    this.#counter = (this.#counter + 1) >>> 0;
    return `${hex8(nowSeconds)}-${hex8(this.#counter)}-${hex8(this.random())}`;
  }
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

export function errorBody(errcode: number, errmsg: string, rid: string): string {
  return `{"errcode":${errcode},"errmsg":${JSON.stringify(`${errmsg} rid: ${rid}`)}}`;
}

export const OK_BODY = '{"errcode":0,"errmsg":"ok"}';
