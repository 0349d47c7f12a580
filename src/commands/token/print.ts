// How `token get` and `token jsapi-ticket` print what they hand over: the value alone on stdout (for
// `$(wxplat token get 3)`), its expiry on stderr; --json the token listener's own document.
import type { CommandContext } from '../../context.js';
import { tokenDocument, type TokenGrant } from '../../core/tokens/grants.js';
import { describeDuration } from '../../core/platform/age.js';

export function printGrant(ctx: CommandContext, grant: TokenGrant, what: string): void {
  ctx.out.result(tokenDocument(grant), (doc) => {
    ctx.out.line(doc.token);
    ctx.out.note(`${what}, expires ${ctx.out.time(doc.expiresAt)} (in ${describeDuration(grant.expiresAt.getTime() - ctx.clock.now().getTime())})`);
  });
}
