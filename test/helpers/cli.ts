// Runs wxplat in this process with captured streams (fast; TTY state under the test's control), or as
// a child process through bin/wxplat.js (the real binary, real exit codes).
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli.js';
import type { ContextOverrides } from '../../src/context.js';
import type { IO } from '../../src/output/io.js';

export const BIN = fileURLToPath(new URL('../../bin/wxplat.js', import.meta.url));

export class Capture extends Writable {
  chunks: string[] = [];
  isTTY: boolean;
  columns = 120;
  constructor(isTTY = false) {
    super();
    this.isTTY = isTTY;
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void) {
    this.chunks.push(chunk.toString());
    cb();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
  stdinTTY?: boolean;
  stdin?: string;
  overrides?: ContextOverrides;
  signal?: AbortSignal;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const stdout = new Capture(options.stdoutTTY ?? false);
  const stderr = new Capture(options.stderrTTY ?? false);
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = options.stdinTTY ?? false;
  stdin.end(options.stdin ?? '');
  const io: IO = {
    stdout,
    stderr,
    stdin,
    env: { ...(options.env ?? {}) },
    cwd: options.cwd ?? process.cwd(),
  };
  const code = await main(argv, { io, overrides: options.overrides, signal: options.signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export interface SpawnOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
}

export interface BinaryRun {
  child: ChildProcess;
  /** When it has ended: its exit and everything it printed. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** The real binary, started with a clean environment (PATH and HOME only, plus what the test gives), its output captured. */
export function startBinary(argv: string[], options: SpawnOptions = {}): BinaryRun {
  const child = spawn(process.execPath, [BIN, ...argv], {
    cwd: options.cwd ?? process.cwd(),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Awaited<BinaryRun['done']>>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  child.stdin?.end(options.input);
  return { child, done };
}

/** The real binary run to its end (killed after `timeoutMs`, a bound for a hung run, not a timing). */
export async function spawnCli(argv: string[], options: SpawnOptions = {}): Promise<RunResult & { signal: NodeJS.Signals | null }> {
  const run = startBinary(argv, { ...options, input: options.input ?? '' });
  const timer = setTimeout(() => run.child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  try {
    const r = await run.done;
    return { ...r, code: r.code ?? -1 };
  } finally {
    clearTimeout(timer);
  }
}

export const ANSI = /\u001b\[[0-9;]*m/;
