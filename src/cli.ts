// The program: global options, the nouns, and the one place where an outcome becomes an exit code.
// Verb modules load lazily (see commands/action.ts); nothing heavy is imported here.
import { Command, CommanderError } from 'commander';
import { EXIT, exitCodeFor, isWxplatError } from './errors.js';
import type { ContextOverrides } from './context.js';
import { escapeControl } from './output/escape.js';
import { colorLevelFor, processIO, type IO } from './output/io.js';
import type { Runtime } from './commands/runtime.js';
import { register as registerAccount } from './commands/account/index.js';
import { register as registerDb } from './commands/db/index.js';
import { register as registerDemo } from './commands/demo/index.js';
import { register as registerDoctor } from './commands/doctor/index.js';
import { register as registerEvents } from './commands/events/index.js';
import { register as registerForward } from './commands/forward/index.js';
import { register as registerIndustry } from './commands/industry/index.js';
import { register as registerPlatform } from './commands/platform/index.js';
import { register as registerQuota } from './commands/quota/index.js';
import { register as registerRecords } from './commands/records/index.js';
import { register as registerRid } from './commands/rid/index.js';
import { register as registerSandbox } from './commands/sandbox/index.js';
import { register as registerServe } from './commands/serve/index.js';
import { register as registerTemplate } from './commands/template/index.js';
import { register as registerToken } from './commands/token/index.js';
import { register as registerUser } from './commands/user/index.js';

export const VERSION = '0.1.0';

export function buildProgram(rt: Runtime): Command {
  const program = new Command('wxplat');
  // exitOverride first: subcommands copy the setting when they are created.
  program
    .exitOverride()
    .configureOutput({
      writeOut: (s) => rt.io.stdout.write(s),
      writeErr: (s) => rt.io.stderr.write(s),
    })
    .description("operate a WeChat Open Platform third-party platform: accounts, tokens, templates, bulk sends, callbacks")
    .version(VERSION, '-V, --version')
    .option('--db <url>', 'database URL (mysql://user:pass@host:port/db or sqlite:PATH); overrides WXPLAT_DATABASE_URL')
    .option('--json', 'print one JSON document (NDJSON for records tail)')
    .option('--no-color', 'no colour, even on a terminal')
    .option('-y, --yes', 'never prompt; answer confirmations yes, fail where a value is missing')
    .option('--verbose', 'more detail on stderr (never secrets)')
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Configuration: WXPLAT_DATABASE_URL, WXPLAT_COMPONENT_APPID, WXPLAT_COMPONENT_APPSECRET, WXPLAT_COMPONENT_TOKEN,
WXPLAT_COMPONENT_AES_KEY, WXPLAT_API_BASE, WXPLAT_CALLBACK_MAX_SKEW, WXPLAT_TOKENS_LISTEN (environment, or .env
in this folder).
Exit codes: 0 done, 1 failed, 2 bad usage or input (nothing changed), 3 partly done, 130 interrupted.`,
    );
  registerDb(program, rt);
  registerPlatform(program, rt);
  registerAccount(program, rt);
  registerIndustry(program, rt);
  registerTemplate(program, rt);
  registerUser(program, rt);
  registerServe(program, rt);
  registerToken(program, rt);
  registerEvents(program, rt);
  registerForward(program, rt);
  registerRecords(program, rt);
  registerQuota(program, rt);
  registerRid(program, rt);
  registerDoctor(program, rt);
  registerDemo(program, rt);
  registerSandbox(program, rt);
  return program;
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
    await program.parseAsync(argv, { from: 'user' });
    return rt.exitCode ?? (rt.signal.aborted ? EXIT.interrupted : EXIT.ok);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version end with 0; every other parse error is bad usage.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const code = rt.signal.aborted && !isWxplatError(err) ? EXIT.interrupted : exitCodeFor(err);
    printError(io, err, code, argv);
    return code;
  }
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

function printError(io: IO, err: unknown, code: number, argv: string[]): void {
  const json = argv.includes('--json');
  const verbose = argv.includes('--verbose');
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
  const red = colorLevelFor(io.stderr, io.env, argv.includes('--no-color')) > 0;
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
    if (interrupts > 1) process.exit(EXIT.interrupted);
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
