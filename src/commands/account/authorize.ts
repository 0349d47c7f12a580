import { authorizeWithCode, awaitReceiverAuthorization, type CodeAuthorizationResult } from '../../core/accounts/authorize-code.js';
import {
  authCodeFromAnswer,
  authCodeFromRedirectUrl,
  checkAuthCode,
  checkRedirectUri,
  parseAuthType,
  sandboxRedirectUri,
  startAuthorization,
} from '../../core/accounts/links.js';
import { showAccount } from '../../core/accounts/show.js';
import type { CommandContext } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { InputOf } from '../define.js';
import type { specs } from './index.js';
import { valueOrAsk } from './ask.js';
import { accountFields, printFields } from './print.js';
import { qrCode } from './qr.js';
import { terminalWidth } from '../../output/output.js';
import stringWidth from '../../output/string-width.js';


function validator(check: (value: string) => unknown): (value: string) => true | string {
  return (value) => {
    try {
      check(value);
      return true;
    } catch (err) {
      return (err as Error).message;
    }
  };
}

export async function run(ctx: CommandContext, { opts }: InputOf<typeof specs.authorize>): Promise<void> {
  // Everything the command line says is checked before WeChat is asked anything.
  if (opts.authCode !== undefined && opts.redirectUrl !== undefined) {
    throw new UsageError('give --auth-code or --redirect-url, not both');
  }
  let code =
    opts.authCode !== undefined
      ? checkAuthCode(opts.authCode)
      : opts.redirectUrl !== undefined
        ? authCodeFromRedirectUrl(opts.redirectUrl)
        : undefined;
  const authType = parseAuthType(opts.authType);
  if (opts.redirectUri !== undefined) checkRedirectUri(opts.redirectUri);
  if (code !== undefined && opts.urlOnly) throw new UsageError('--url-only makes a new link: it takes no --auth-code or --redirect-url');

  const db = await ctx.db();
  const wechat = await ctx.wechat();
  let done: CodeAuthorizationResult | undefined;
  if (code === undefined) {
    // With the sandbox playing WeChat, the admin comes back to the sandbox's own page: nothing to ask.
    // Not without a terminal unless --url-only: such a run could not finish (no one to paste the code).
    const sandboxPage =
      opts.redirectUri === undefined && (ctx.prompter.canPrompt || opts.urlOnly) ? await sandboxRedirectUri(wechat.http.apiBase) : undefined;
    if (sandboxPage) ctx.out.note(`redirect URI: the sandbox's page ${sandboxPage} (--redirect-uri gives another)`);
    if (!ctx.prompter.canPrompt && opts.redirectUri === undefined && !sandboxPage) {
      throw new UsageError(
        'missing --redirect-uri (the page WeChat sends the admin to afterwards), or --auth-code / --redirect-url to finish an authorization',
        'there is no terminal to ask on',
      );
    }
    const redirectUri = await valueOrAsk(ctx, opts.redirectUri ?? sandboxPage, {
      flag: '--redirect-uri',
      question: 'Redirect URI (the page on the platform domain WeChat sends the admin to):',
      validate: validator(checkRedirectUri),
    });
    const links = await startAuthorization(wechat, { redirectUri: redirectUri.trim(), authType });
    if (opts.urlOnly && ctx.out.json) {
      ctx.out.document(links);
      return;
    }
    // With --json the links are for the operator, not the document: stderr.
    const say = (text: string) => (ctx.out.json ? ctx.out.note(text) : ctx.out.line(text));
    say(`Open on a computer (the admin scans the code with WeChat):\n  ${links.pc}`);
    say(`Or open inside WeChat on the admin's phone:\n  ${links.mobile}`);
    // The code only when it can be scanned: whole on the screen (a wrapped one cannot), and not with
    // --url-only, where it would push the links off a small screen.
    if (ctx.out.stdoutIsTerminal && !opts.urlOnly) {
      const qr = qrCode(links.mobile);
      const width = Math.max(...qr.split('\n').map(stringWidth));
      if (width <= terminalWidth(ctx.io.stdout, ctx.io.env)) say(qr);
      else say(`(the QR code needs ${width} columns: widen the terminal to see it)`);
    }
    say(`The links work once, for ${Math.round(links.expiresIn / 60)} minutes.`);
    if (opts.urlOnly) return;
    if (!ctx.prompter.canPrompt) {
      throw new UsageError(
        'no authorization code: run again with --auth-code CODE or --redirect-url URL once the admin has confirmed',
        'there is no terminal to ask on (with `wxplat serve` running, WeChat\'s authorized event completes it too)',
      );
    }
    // Whichever comes first: the pasted address, or `serve` completing this authorization from WeChat's
    // authorized event (which names the pre-auth code of these links).
    const preAuthCode = new URL(links.pc).searchParams.get('pre_auth_code');
    const asking = new AbortController();
    const receiver = preAuthCode ? awaitReceiverAuthorization({ db, clock: ctx.clock }, preAuthCode, asking.signal) : Promise.resolve(null);
    const pasted = ctx.prompter
      .input('Once the admin has confirmed, paste the address WeChat redirected to (or its auth_code):', validator(authCodeFromAnswer), asking.signal)
      .then((answer) => ({ answer }))
      .catch((err: unknown) => {
        if (asking.signal.aborted) return null;
        throw err;
      });
    const first = await Promise.race([receiver.then((r) => (r ? { receiver: r } : null)), pasted]).finally(() => asking.abort());
    if (first && 'receiver' in first) done = first.receiver;
    else code = authCodeFromAnswer((first ?? (await pasted))!.answer);
  }

  const result = done ?? (await authorizeWithCode({ db, wechat, clock: ctx.clock }, code!));
  const account = await showAccount({ db, clock: ctx.clock }, result.account);
  ctx.out.result({ created: result.created, viaReceiver: result.viaReceiver ?? null, account }, (r) => {
    if (r.viaReceiver !== null) {
      ctx.out.note(`\`wxplat serve\` had already exchanged this code from WeChat's authorized event (inbox row ${r.viaReceiver})`);
    }
    ctx.out.line(
      `${r.created ? 'Authorized' : 'Re-authorized'} account ${r.account.id} ${r.account.appid ?? ''} (${r.account.nickname ?? ''})`,
    );
    printFields(ctx.out, accountFields(r.account, ctx.out));
  });
}
