// The program: global options, the nouns, and the one place where an outcome becomes an exit code.
// The commands are declared in commands/*/index.ts (commands/define.ts); each verb module loads on first use.
import { Command, CommanderError } from 'commander';
import { EXIT, UsageError, exitCodeFor, isWxplatError } from './errors.js';
import type { ContextOverrides } from './context.js';
import { escapeControl } from './output/escape.js';
import { colorLevelFor, processIO, type IO } from './output/io.js';
import type { Runtime } from './commands/runtime.js';
import { examplesText, mount } from './commands/define.js';
import { COMMANDS, GLOBAL_FLAGS } from './commands/tree.js';
import type { GlobalOptions } from './context.js';

export const VERSION = '0.1.0';

/** The help's width: the terminal's, within reason; 80 when piped. */
function helpWidth(io: IO): number {
  const columns = io.stdout.isTTY ? io.stdout.columns : undefined;
  return Math.max(40, Math.min(columns ?? 80, 120));
}

const PROGRAM_NOTES = `Configuration: WXPLAT_DATABASE_URL, WXPLAT_COMPONENT_APPID, WXPLAT_COMPONENT_APPSECRET, WXPLAT_COMPONENT_TOKEN, WXPLAT_COMPONENT_AES_KEY, WXPLAT_API_BASE, WXPLAT_CALLBACK_MAX_SKEW, WXPLAT_TOKENS_LISTEN (environment, or .env in this folder).
Exit codes: 0 done, 1 failed, 2 bad usage or input (nothing changed), 3 partly done, 130 interrupted.
Use \`wxplat <command> --help\` for a command's options and examples; \`wxplat completion bash|zsh\` for shell completion.`;

export function buildProgram(rt: Runtime): Command {
  const program = new Command('wxplat');
  const width = () => helpWidth(rt.io);
  // exitOverride and the help settings first: subcommands copy them when they are created.
  program
    .exitOverride()
    .configureOutput({
      writeOut: (s) => rt.io.stdout.write(s),
      writeErr: (s) => rt.io.stderr.write(s),
      getOutHelpWidth: width,
      getErrHelpWidth: width,
      // Under --json a parse error is printed by main() as one JSON line instead.
      outputError: (s, write) => {
        if (!jsonRequested(program)) write(s);
      },
    })
    .configureHelp({ showGlobalOptions: true })
    .description("operate a WeChat Open Platform third-party platform: accounts, tokens, templates, bulk sends, callbacks")
    .version(VERSION, '-V, --version');
  for (const g of GLOBAL_FLAGS) program.option(g.flags, g.description);
  program
    .showSuggestionAfterError(true)
    .addHelpText('after', () => examplesText({ notes: PROGRAM_NOTES, examples: ['wxplat demo', 'wxplat db migrate && wxplat db seed', 'wxplat account list --json'], learnMore: 'commands' }, width()));
  mount(program, COMMANDS, rt, width);
  return program;
}

/** --json as commander parsed it (global options are read before a subcommand fails to parse). */
function jsonRequested(program: Command): boolean {
  return Boolean(program.opts().json);
}

function parsedGlobals(program: Command, rt: Runtime): Pick<GlobalOptions, 'json' | 'verbose' | 'color'> {
  if (rt.globals) return rt.globals;
  const o = program.opts();
  return { json: Boolean(o.json), verbose: Boolean(o.verbose), color: o.color !== false };
}

export interface MainOptions {
  io?: IO;
  overrides?: ContextOverrides;
  /** Aborting this is the same as Ctrl-C. */
  signal?: AbortSignal;
}

/** Runs one command line and returns its exit code. Never throws, never calls process.exit. */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? processIO();
  const rt: Runtime = { io, signal: options.signal ?? new AbortController().signal, overrides: options.overrides ?? {} };
  const program = buildProgram(rt);
  try {
    // Bare `wxplat` (global flags at most): the help, on stdout, as a success.
    if (!argv.some((a) => !a.startsWith('-')) && !argv.some((a) => ['-h', '--help', '-V', '--version'].includes(a))) {
      program.outputHelp();
      return EXIT.ok;
    }
    await program.parseAsync(argv, { from: 'user' });
    return rt.exitCode ?? (rt.signal.aborted ? EXIT.interrupted : EXIT.ok);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version end with 0; every other parse error is bad usage.
      if (err.exitCode === 0) return EXIT.ok;
      if (jsonRequested(program)) printError(io, new UsageError(commanderMessage(err)), EXIT.usage, { json: true, verbose: false, color: false });
      return EXIT.usage;
    }
    const code = rt.signal.aborted && !isWxplatError(err) ? EXIT.interrupted : exitCodeFor(err);
    printError(io, err, code, parsedGlobals(program, rt));
    return code;
  }
}

/** Commander's words without its "error: " prefix (and what it suggests, on the same line). */
function commanderMessage(err: CommanderError): string {
  return err.message.replace(/^error: /, '').replace(/\n+/g, ' ').trim();
}

/** A database error shows the driver's words; the statement only with --verbose. */
function describe(err: unknown, verbose: boolean): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^(ER_|SQLITE_)/.test(code)) {
    const at = err.message.lastIndexOf(' - ');
    const driver = at >= 0 ? err.message.slice(at + 3) : err.message;
    return verbose ? `database error (${code}): ${err.message}` : `database error (${code}): ${driver}`;
  }
  return err.message;
}

/** WeChat's request id in an error: its own field, or in the words of an error that wraps WeChat's. */
function ridIn(err: unknown, message: string): string | null {
  const own = (err as { rid?: unknown }).rid;
  if (typeof own === 'string' && own) return own;
  return /\brid:? ([0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8})\b/i.exec(message)?.[1] ?? null;
}

function printError(io: IO, err: unknown, code: number, globals: Pick<GlobalOptions, 'json' | 'verbose' | 'color'>): void {
  const { json, verbose } = globals;
  const message = describe(err, verbose);
  const rid = ridIn(err, message);
  let hint = isWxplatError(err) ? err.hint : undefined;
  // Every WeChat error points at `wxplat rid`, also when another error carries WeChat's words.
  if (rid && !hint?.includes('wxplat rid')) hint = [hint, `\`wxplat rid ${rid}\` shows the request WeChat received`].filter(Boolean).join('; ');
  if (json) {
    const body: Record<string, unknown> = { message, exitCode: code };
    if (hint) body.hint = hint;
    const extra = err as { errcode?: number; result?: unknown };
    if (extra.errcode !== undefined) body.errcode = extra.errcode;
    if (rid) body.rid = rid;
    io.stderr.write(`${JSON.stringify({ error: body })}\n`);
    return;
  }
  const red = colorLevelFor(io.stderr, io.env, !globals.color) > 0;
  const label = red ? '\u001b[31merror:\u001b[39m' : 'error:';
  // Messages quote what was given (a line of a file, a flag's value): shown, never obeyed.
  io.stderr.write(`${label} ${escapeControl(message, { keepLines: true })}\n`);
  if (hint) io.stderr.write(`  ${escapeControl(hint, { keepLines: true })}\n`);
  if (!isWxplatError(err) && err instanceof Error) {
    if (verbose && err.stack) io.stderr.write(`${err.stack}\n`);
    else io.stderr.write('  (an internal error; run again with --verbose for the stack)\n');
  } else if (verbose && err instanceof Error && err.stack) {
    io.stderr.write(`${err.stack}\n`);
  }
}

/** The binary's entry: process streams, signals, exit code. */
export async function run(): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) {
      // Not waiting for the work in flight: end the progress bar's line, give the cursor back, and say
      // how it ended, as the first Ctrl-C's summary would have.
      const tty = process.stderr.isTTY ? '\u001b[?25h' : '';
      process.stderr.write(`${tty}\nstopped: interrupted again, without waiting for the requests in flight; what was done is kept: run the same command again to carry on\n`);
      process.exit(EXIT.interrupted);
    }
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `wxplat … --json | head` must end quietly when the reader goes away.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  process.exitCode = await main(process.argv.slice(2), { signal: controller.signal });
}
