// Each command is declared once — its name, summary, arguments, options (with their types, defaults
// and limits), examples and README section — and everything else is derived from that declaration:
// the commander registration, the help page, the shell completion, and the type of what the verb
// module receives. A verb module's `run` is checked against its declaration when it is bound, so a
// renamed flag is a compile error, and every integer flag is parsed here, with the limits core exports.
import { Argument, Option, type Command } from 'commander';
import type { CommandContext, GlobalOptions } from '../context.js';
import type { IntLimits } from '../core/limits.js';
import { UsageError } from '../errors.js';
import type { Runtime } from './runtime.js';
import { explainUnreachable } from './unreachable.js';

// ---- options -------------------------------------------------------------------------------------

type OptionKind = 'flag' | 'off' | 'text' | 'maybe' | 'int' | 'list' | 'repeat';

/** One option; T is what the verb receives. The flag is the key, in kebab case (`dryRun`: --dry-run). */
export interface Opt<T> {
  readonly kind: OptionKind;
  readonly description: string;
  /** `<url>`; `[value]` for an optional value. */
  readonly value?: string;
  readonly short?: string;
  readonly hidden?: boolean;
  readonly required?: boolean;
  readonly choices?: readonly string[];
  /** Shown in the help as `(default: …)`. */
  readonly default?: string | number;
  readonly limits?: IntLimits;
  /** From what commander collected to what the verb receives; throws a UsageError naming the flag. */
  readonly convert: (raw: unknown, flag: string) => T;
}

interface More {
  short?: string;
  hidden?: boolean;
}

const asText = (raw: unknown): string | undefined => (typeof raw === 'string' ? raw : undefined);

/** A switch: true when given. */
export function flag(description: string, more: More = {}): Opt<boolean> {
  return { kind: 'flag', description, ...more, convert: (raw) => raw === true };
}

/** `--no-<key>`: true unless given. */
export function off(description: string, more: More = {}): Opt<boolean> {
  return { kind: 'off', description, ...more, convert: (raw) => raw !== false };
}

export function text(value: string, description: string, more: More & { required?: boolean; choices?: readonly string[] }): Opt<string>;
export function text(value: string, description: string, more: More & { default: string; choices?: readonly string[] }): Opt<string>;
export function text(value: string, description: string, more?: More & { choices?: readonly string[] }): Opt<string | undefined>;
export function text(value: string, description: string, more: More & { default?: string; required?: boolean; choices?: readonly string[] } = {}): Opt<string | undefined> {
  return { kind: 'text', value, description, ...more, convert: (raw) => asText(raw) ?? more.default };
}

/** `--key [value]`: the value, or true when the flag is given bare. */
export function maybe(value: string, description: string, more: More = {}): Opt<string | true | undefined> {
  return { kind: 'maybe', value, description, ...more, convert: (raw) => (raw === true ? true : asText(raw)) };
}

/** `--to <a...>`: every value after the flag. */
export function list(value: string, description: string, more: More = {}): Opt<string[] | undefined> {
  return { kind: 'list', value, description, ...more, convert: (raw) => (Array.isArray(raw) ? raw.map(String) : undefined) };
}

/** `--data <k=v>` given again for each value. */
export function repeat(value: string, description: string, more: More = {}): Opt<string[]> {
  return { kind: 'repeat', value, description, ...more, convert: (raw) => (Array.isArray(raw) ? raw.map(String) : []) };
}

export function int(value: string, description: string, limits: IntLimits & { default: number }, more?: More): Opt<number>;
export function int(value: string, description: string, limits: IntLimits, more?: More): Opt<number | undefined>;
export function int(value: string, description: string, limits: IntLimits, more: More = {}): Opt<number | undefined> {
  return {
    kind: 'int',
    value,
    description,
    ...more,
    limits,
    default: limits.default,
    convert: (raw, name) => (raw === undefined || typeof raw === 'number' ? (raw ?? limits.default) : parseWhole(typeof raw === 'string' ? raw : JSON.stringify(raw), name, limits)),
  };
}

/** The one parser of whole numbers given on the command line. */
export function parseWhole(raw: string, name: string, limits: IntLimits): number {
  const value = raw.trim();
  const n = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < limits.min || n > limits.max) {
    throw new UsageError(`${name} must be a whole number from ${limits.min} to ${limits.max} (got "${raw}")`);
  }
  return n;
}

// ---- arguments -----------------------------------------------------------------------------------

export interface Arg<T> {
  readonly name: string;
  readonly description: string;
  readonly choices?: readonly string[];
  readonly limits?: IntLimits;
  readonly convert: (raw: unknown) => T;
}

export function arg<const C extends readonly string[]>(name: `<${string}>`, description: string, more: { choices: C }): Arg<C[number]>;
export function arg(name: `<${string}>`, description: string, more?: { choices?: readonly string[] }): Arg<string>;
export function arg(name: `[${string}]`, description: string, more?: { choices?: readonly string[] }): Arg<string | undefined>;
export function arg(name: string, description: string, more: { choices?: readonly string[] } = {}): Arg<string | undefined> {
  return { name, description, ...more, convert: asText };
}

/** A required whole-number argument (a row id). */
export function intArg(name: `<${string}>`, description: string, limits: IntLimits, label = `the ${name.slice(1, -1)}`): Arg<number> {
  return { name, description, limits, convert: (raw) => parseWhole(String(raw), label, limits) };
}

// ---- commands ------------------------------------------------------------------------------------

type Options = Record<string, Opt<unknown>>;
type Args = readonly Arg<unknown>[];

export interface Verb<A extends Args, O extends Options> {
  readonly summary: string;
  readonly args: A;
  readonly options: O;
  /** Lines of the README, each a command line with an optional `# comment`. */
  readonly examples: readonly string[];
  /** The README section (its anchor) that explains the command. */
  readonly learnMore: string;
  /** Prose after the options: wrapped to the terminal. */
  readonly notes?: string;
}

export function verb<const A extends Args = [], O extends Options = Record<never, never>>(spec: {
  summary: string;
  args?: A;
  options?: O;
  examples: readonly string[];
  learnMore: string;
  notes?: string;
}): Verb<A, O> {
  return { ...spec, args: spec.args ?? ([] as unknown as A), options: spec.options ?? ({} as O) };
}

export type ArgsOf<A extends Args> = { -readonly [I in keyof A]: A[I] extends Arg<infer T> ? T : never };
export type OptsOf<O extends Options> = { -readonly [K in keyof O]: O[K] extends Opt<infer T> ? T : never };

/** What a verb module's `run` receives for a declaration. */
export type InputOf<V> = V extends Verb<infer A, infer O> ? { args: ArgsOf<A>; opts: OptsOf<O> } : never;
export type RunOf<V> = (ctx: CommandContext, input: InputOf<V>) => Promise<void>;

export interface VerbNode {
  readonly kind: 'verb';
  readonly name: string;
  readonly spec: Verb<Args, Options>;
  /** Parses what commander collected (bad input: a UsageError, before anything loads or opens). */
  readonly prepare: (args: unknown[], opts: Record<string, unknown>) => (ctx: CommandContext) => Promise<void>;
}

export interface GroupNode {
  readonly kind: 'group';
  readonly name: string;
  readonly summary: string;
  readonly notes?: string;
  readonly learnMore?: string;
  readonly children: readonly Node[];
}

export type Node = VerbNode | GroupNode;

/**
 * A command: its declaration and the module that runs it. The module's `run` must take exactly what
 * the declaration gives (a property, so TypeScript compares the parameters strictly).
 */
export function bind<A extends Args, O extends Options>(
  name: string,
  spec: Verb<A, O>,
  load: () => Promise<{ run: RunOf<Verb<A, O>> }>,
): VerbNode {
  return {
    kind: 'verb',
    name,
    spec,
    prepare: (rawArgs, rawOpts) => {
      const args = spec.args.map((a, i) => a.convert(rawArgs[i]));
      const opts: Record<string, unknown> = {};
      for (const [key, opt] of Object.entries(spec.options)) opts[key] = opt.convert(rawOpts[key], flagName(key, opt));
      // The only place the declaration's types meet commander's untyped values.
      const input = { args, opts } as unknown as InputOf<Verb<A, O>>;
      return async (ctx) => {
        const mod = await load();
        await mod.run(ctx, input);
      };
    },
  };
}

export function group(name: string, summary: string, children: readonly Node[], more: { notes?: string; learnMore?: string } = {}): GroupNode {
  return { kind: 'group', name, summary, children, ...more };
}

// ---- commander -----------------------------------------------------------------------------------

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `--dry-run`, `--no-process`: what the operator types. */
export function flagName(key: string, opt: Opt<unknown>): string {
  return opt.kind === 'off' ? `--no-${kebab(key)}` : `--${kebab(key)}`;
}

export function flagsOf(key: string, opt: Opt<unknown>): string {
  const long = flagName(key, opt);
  const withValue = opt.value ? `${long} ${opt.value}` : long;
  return opt.short ? `-${opt.short}, ${withValue}` : withValue;
}

/** Where the README explains a section; shown as the help's "Learn more". */
export function readmeLink(anchor: string): string {
  return `README.md#${anchor}`;
}

/**
 * Wraps prose to width: unindented lines of a paragraph flow together; an indented line (a table, a
 * list) stays a line of its own, its continuation indented under it.
 */
export function wrap(textBlock: string, width: number): string {
  const lines: string[] = [];
  const fill = (words: string[], lead: string, hang: string) => {
    let line = lead;
    let first = true;
    for (const word of words) {
      if (!first && line.length + 1 + word.length > width) {
        lines.push(line);
        line = hang + word;
      } else {
        line = first ? line + word : `${line} ${word}`;
      }
      first = false;
    }
    lines.push(line);
  };
  let flow: string[] = [];
  const flush = () => {
    if (flow.length) fill(flow, '', '');
    flow = [];
  };
  for (const raw of textBlock.split('\n')) {
    if (raw.trim() === '') {
      flush();
      lines.push('');
    } else if (/^\s/.test(raw)) {
      flush();
      const lead = /^\s*/.exec(raw)![0];
      fill(raw.trim().split(/\s+/), lead, `${lead}  `);
    } else {
      flow.push(...raw.trim().split(/\s+/));
    }
  }
  flush();
  return lines.join('\n');
}

export function examplesText(spec: { examples: readonly string[]; learnMore?: string; notes?: string }, width: number): string {
  const parts: string[] = [];
  if (spec.notes) parts.push(wrap(spec.notes.trim(), width));
  if (spec.examples.length) parts.push(`Examples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}`);
  if (spec.learnMore) parts.push(`Learn more:\n  ${readmeLink(spec.learnMore)}`);
  return parts.length ? `\n${parts.join('\n\n')}\n` : '';
}

/** The global options of the program, as the action sees them after commander parsed the line. */
export function globalsOf(command: Command): GlobalOptions {
  const all = command.optsWithGlobals();
  return {
    db: typeof all.db === 'string' ? all.db : undefined,
    json: Boolean(all.json),
    color: all.color !== false,
    yes: Boolean(all.yes),
    verbose: Boolean(all.verbose),
  };
}

function addVerb(parent: Command, node: VerbNode, rt: Runtime, width: () => number): void {
  const { spec } = node;
  const command = parent.command(node.name).description(spec.summary);
  for (const a of spec.args) {
    const argument = new Argument(a.name, a.description);
    if (a.choices) argument.choices(a.choices);
    command.addArgument(argument);
  }
  for (const [key, opt] of Object.entries(spec.options)) {
    const option = new Option(flagsOf(key, opt), opt.description);
    if (opt.limits) {
      // One parenthesis: the default as a number, then the range the parser accepts.
      const { min, max, default: d } = opt.limits;
      option.description = `${opt.description} (${d === undefined ? '' : `default: ${d}, `}${min} to ${max})`;
    } else if (opt.default !== undefined) {
      option.default(opt.default, String(opt.default));
    }
    if (opt.choices) option.choices(opt.choices);
    if (opt.hidden) option.hideHelp();
    if (opt.required) option.makeOptionMandatory();
    if (opt.kind === 'repeat') option.argParser((v: string, prev: unknown) => [...(Array.isArray(prev) ? (prev as string[]) : []), v]);
    command.addOption(option);
  }
  command.addHelpText('after', () => examplesText(spec, width()));
  command.action(async (...received: unknown[]) => {
    const cmd = received[received.length - 1] as Command;
    const globals = globalsOf(cmd);
    rt.globals = globals;
    const start = node.prepare(received.slice(0, -2), cmd.opts());
    const { createContext } = await import('../context.js');
    const ctx = createContext(rt.io, globals, rt.signal, rt.overrides);
    try {
      await start(ctx);
      rt.exitCode = ctx.exitCode;
    } catch (err) {
      throw explainUnreachable(err, ctx);
    } finally {
      await ctx.close();
    }
  });
}

/** Registers a tree of commands under the program. */
export function mount(parent: Command, nodes: readonly Node[], rt: Runtime, width: () => number): void {
  for (const node of nodes) {
    if (node.kind === 'verb') {
      addVerb(parent, node, rt, width);
      continue;
    }
    const command = parent.command(node.name).description(node.summary);
    const { notes, learnMore } = node;
    if (notes || learnMore) command.addHelpText('after', () => examplesText({ examples: [], notes, learnMore }, width()));
    mount(command, node.children, rt, width);
  }
}
