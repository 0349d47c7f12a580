// The streams and surroundings a command runs in. Tests pass their own; the binary passes the process's.
import type { Readable, Writable } from 'node:stream';

export type OutStream = Writable & { isTTY?: boolean; columns?: number };
export type InStream = Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };

export interface IO {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

export function processIO(): IO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // On first use: node builds process.stdin (and loads its stream classes) when it is first read,
    // a few milliseconds that a command which never reads stdin should not pay.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** CI and cron never get a prompt: a missing answer is an error there. */
export function isCi(env: IO['env']): boolean {
  return isSet(env.CI);
}

/**
 * Colour on a stream only when it is a terminal, NO_COLOR is unset, TERM is not dumb and the operator
 * did not pass --no-color; FORCE_COLOR turns it on regardless (chalk itself ignores NO_COLOR).
 */
export function colorLevelFor(stream: OutStream, env: IO['env'], noColorFlag: boolean): 0 | 1 | 2 | 3 {
  if (noColorFlag) return 0;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') {
    return env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false' ? 0 : 1;
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (!stream.isTTY) return 0;
  if (env.TERM === 'dumb') return 0;
  const depth = env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit' ? 3 : 1;
  return depth;
}
