// A Prompter that answers from a script, for in-process tests of the interactive paths (the real
// prompts on a real terminal are covered through test/helpers/pty.ts). Each question takes the next
// answer; an answer the question's own validation refuses is recorded and the next one is tried, as an
// operator would try again.
import type { Choice, Prompter } from '../../src/output/prompt.js';

export type Answer =
  | { confirm: boolean }
  /** A function answers from what the command has printed so far (e.g. a link it made). */
  | { input: string | (() => string | Promise<string>) }
  | { password: string }
  /** Picks the first choice whose name matches. */
  | { select: RegExp };

export interface Asked {
  kind: 'confirm' | 'input' | 'password' | 'select';
  message: string;
  choices?: string[];
  /** What validation said about refused answers. */
  refused?: string[];
}

export function scriptedPrompter(answers: Answer[]): Prompter & { asked: Asked[]; left(): number } {
  const queue = [...answers];
  const asked: Asked[] = [];
  const next = <K extends string>(kind: K, message: string): Record<K, unknown> => {
    const answer = queue.shift();
    if (!answer || !(kind in answer)) {
      throw new Error(`scripted prompter: asked ${kind} "${message}" but the script has ${answer ? JSON.stringify(answer) : 'nothing left'}`);
    }
    return answer as unknown as Record<K, unknown>;
  };
  const text = async (kind: 'input' | 'password', message: string, validate?: (v: string) => true | string): Promise<string> => {
    const entry: Asked = { kind, message, refused: [] };
    asked.push(entry);
    for (;;) {
      const given = next(kind, message)[kind];
      const value = String(typeof given === 'function' ? await (given as () => string | Promise<string>)() : given);
      const verdict = validate ? validate(value) : true;
      if (verdict === true) return value;
      entry.refused!.push(verdict);
    }
  };
  return {
    canPrompt: true,
    asked,
    left: () => queue.length,
    async confirm(message) {
      asked.push({ kind: 'confirm', message });
      return Boolean(next('confirm', message).confirm);
    },
    async input(message, validate) {
      return text('input', message, validate);
    },
    async password(message, validate) {
      return text('password', message, validate);
    },
    async select<T>(message: string, choices: Choice<T>[]): Promise<T> {
      asked.push({ kind: 'select', message, choices: choices.map((c) => c.name) });
      const pattern = next('select', message).select as RegExp;
      const hit = choices.find((c) => pattern.test(c.name));
      if (!hit) throw new Error(`scripted prompter: no choice of "${message}" matches ${pattern}`);
      return hit.value;
    },
  };
}
