// Runs wxplat in this process with captured streams (fast; TTY state under the test's control), or as
// a child process through bin/wxplat.js (the real binary, real exit codes).
import { spawn } from 'node:child_process';
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

/** The real binary, with a clean environment (PATH and HOME only, plus what the test gives). */
export function spawnCli(argv: string[], options: SpawnOptions = {}): Promise<RunResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      cwd: options.cwd ?? process.cwd(),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export const ANSI = /\u001b\[[0-9;]*m/;
