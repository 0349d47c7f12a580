// What the account, industry and template commands share: an <account> argument (asked for at a
// terminal when missing), a value asked for when its flag is missing, and reading a secret from stdin.
// Without a terminal (cron, CI, --yes) a missing value is bad usage that names the flag (exit 2).
import { listAccounts } from '../../core/accounts/list.js';
import { resolveAccount, type AccountRow } from '../../core/accounts/resolve.js';
import type { CommandContext } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { Choice } from '../../output/prompt.js';

export interface AccountArgumentOptions {
  /** Resolve removed accounts too (show, remove). */
  includeRemoved?: boolean;
  /** How the flag-less alternative reads in the error, e.g. "<account> or --all". */
  missing?: string;
}

export async function accountArgument(
  ctx: CommandContext,
  ref: string | undefined,
  options: AccountArgumentOptions = {},
): Promise<AccountRow> {
  const db = await ctx.db();
  if (ref !== undefined && ref.trim() !== '') return resolveAccount(db, ref, { includeRemoved: options.includeRemoved });
  const missing = options.missing ?? '<account>';
  if (!ctx.prompter.canPrompt) {
    throw new UsageError(
      `missing ${missing}: give an account id, an appid (wx…) or an original id (gh_…)`,
      '`wxplat account list` shows them (no terminal to ask on)',
    );
  }
  const accounts = await listAccounts({ db, clock: ctx.clock }, { includeRemoved: false });
  if (accounts.length === 0) throw new UsageError('there are no accounts yet', 'authorize one first: `wxplat account authorize`');
  const choices: Choice<number>[] = accounts.map((a) => ({
    name: `${a.id}  ${a.appid ?? ''}  ${a.nickname ?? ''}`.trimEnd(),
    value: a.id,
    description: [a.originalId, a.serviceType, a.verifyType].filter(Boolean).join(' · '),
  }));
  const id = await ctx.prompter.select('Which account?', choices);
  return resolveAccount(db, String(id));
}

/** A flag's value; asked for at a terminal when missing, else exit 2 naming the flag. */
export async function valueOrAsk(
  ctx: CommandContext,
  value: string | undefined,
  ask: { flag: string; question: string; validate?: (value: string) => true | string },
): Promise<string> {
  if (value !== undefined) {
    const problem = ask.validate?.(value);
    if (typeof problem === 'string') throw new UsageError(problem);
    return value;
  }
  if (!ctx.prompter.canPrompt) throw new UsageError(`missing ${ask.flag}`, 'pass it on the command line (there is no terminal to ask on)');
  return ctx.prompter.input(ask.question, ask.validate);
}

/** Everything on stdin (a secret piped in), without the line end. */
export async function readStdin(ctx: CommandContext, limit = 4096): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.io.stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > limit) throw new UsageError(`stdin holds more than ${limit} bytes: expected one value`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/[\r\n]+$/, '');
}
