// Answering "no" to a confirmation is the operator's choice, not an error: plain words on stderr, and
// exit 1 (nothing was done), so that a chain of commands stops there (README: exit codes).
import type { CommandContext } from '../context.js';
import { EXIT } from '../errors.js';

export function declined(ctx: CommandContext, words: string): void {
  ctx.out.note(words);
  ctx.exitCode = EXIT.failed;
}
