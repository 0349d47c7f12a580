// Questions to the operator. Asked only when stdin and stdout are terminals and neither --yes nor CI is
// set; otherwise the caller gets `null` from `canPrompt` and must fail with the flag to pass instead.
// Prompts render on stderr so that stdout stays clean for --json.
import { InterruptedError } from '../errors.js';
import { isCi, type IO } from './io.js';

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
}

export interface Prompter {
  readonly canPrompt: boolean;
  confirm(message: string, defaultValue?: boolean): Promise<boolean>;
  /** `signal` withdraws the question (the answer came another way): rejects with an AbortError. */
  input(message: string, validate?: (value: string) => true | string, signal?: AbortSignal): Promise<string>;
  password(message: string, validate?: (value: string) => true | string): Promise<string>;
  select<T>(message: string, choices: Choice<T>[]): Promise<T>;
}

export function canPromptIn(io: IO, yes: boolean): boolean {
  // stdout first: piped or under cron, stdin is never touched (see processIO).
  return Boolean(io.stdout.isTTY && io.stdin.isTTY) && !yes && !isCi(io.env);
}

/** Ctrl-C at a prompt (the terminal is in raw mode, so no SIGINT arrives): interrupted, exit 130. */
async function asked<T>(prompt: Promise<T>): Promise<T> {
  try {
    return await prompt;
  } catch (err) {
    if ((err as Error)?.name === 'ExitPromptError') throw new InterruptedError('interrupted at the prompt');
    throw err;
  }
}

export function terminalPrompter(io: IO, yes: boolean): Prompter {
  // A function, not an object: reading io.stdin builds process.stdin (~3 ms), which only a prompt needs.
  const context = () => ({ input: io.stdin, output: io.stderr, clearPromptOnDone: false });
  const load = () => import('@inquirer/prompts');
  return {
    canPrompt: canPromptIn(io, yes),
    async confirm(message, defaultValue = false) {
      const { confirm } = await load();
      return asked(confirm({ message, default: defaultValue }, context()));
    },
    async input(message, validate, signal) {
      const { input } = await load();
      return asked(input({ message, validate }, { ...context(), signal }));
    },
    async password(message, validate) {
      const { password } = await load();
      return asked(password({ message, mask: '*', validate }, context()));
    },
    async select(message, choices) {
      const { select } = await load();
      return asked(select({ message, choices, pageSize: 15 }, context()));
    },
  };
}
