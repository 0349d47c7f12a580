// A wxplat process on a pseudo-terminal: stdin, stdout and stderr are a terminal, so the real prompts
// (@inquirer/prompts) run as an operator sees them. The test waits for text and types keys.
// Waiting is for text, never for time; the timeout only stops a stuck test.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RELAY = fileURLToPath(new URL('./pty-relay.py', import.meta.url));
const ENTRY = fileURLToPath(new URL('./wxplat-source.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/wxplat.js', import.meta.url));

// CSI and OSC sequences, and the cursor keys' SS3 form.
const ESCAPES = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007|\u001b[()][0-9A-Za-z]|\u001b[=>NOM78]/g;

export const KEY = {
  enter: '\r',
  down: '\u001b[B',
  up: '\u001b[A',
  ctrlC: '\u0003',
} as const;

export interface Terminal {
  /** Everything shown so far, escape sequences removed. */
  readonly screen: string;
  /** Resolves with the match once `pattern` appears after the previous match. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  type(text: string): void;
  /** Types, one key at a time, each after the terminal has echoed or redrawn. */
  keys(...keys: string[]): Promise<void>;
  exit: Promise<number>;
}

export function stripEscapes(text: string): string {
  return text.replace(ESCAPES, '').replace(/\r/g, '');
}

export interface TerminalOptions {
  /** The terminal's width (160 unless given). */
  columns?: number;
  /** Run the shipped binary (bin/wxplat.js, built by pretest) instead of the sources. */
  binary?: boolean;
}

export function runOnTerminal(argv: string[], env: Record<string, string | undefined>, options: TerminalOptions = {}): Terminal {
  const command = options.binary ? [process.execPath, BIN, ...argv] : [process.execPath, '--import', 'tsx', ENTRY, ...argv];
  const child = spawn('python3', [RELAY, ...command], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      ...env,
      ...(options.columns ? { PTY_COLUMNS: String(options.columns) } : {}),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  let from = 0;
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    raw += d;
    for (const w of [...waiters]) w();
  });
  child.stderr.on('data', (d) => {
    raw += `\n[relay] ${d}`;
  });
  const exit = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  const term: Terminal = {
    get screen() {
      return stripEscapes(raw);
    },
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
        const re = new RegExp(pattern.source, flags);
        let timer: NodeJS.Timeout;
        const check = () => {
          re.lastIndex = from;
          const m = re.exec(term.screen);
          if (m) {
            from = re.lastIndex;
            waiters.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${pattern} on the terminal; it shows:\n${term.screen.slice(-2000)}`));
        }, timeoutMs);
        waiters.add(check);
        void exit.then(() => setImmediate(() => {
          if (waiters.has(check)) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`the process ended before ${pattern} appeared; the terminal shows:\n${term.screen.slice(-2000)}`));
          }
        }));
        check();
      });
    },
    type(text) {
      child.stdin.write(text);
    },
    async keys(...keys) {
      for (const k of keys) {
        const before = raw.length;
        child.stdin.write(k);
        // Let the prompt take the key in and redraw before the next one.
        await new Promise<void>((resolve) => {
          const done = () => {
            if (raw.length > before) {
              waiters.delete(done);
              resolve();
            }
          };
          waiters.add(done);
          void exit.then(() => {
            waiters.delete(done);
            resolve();
          });
        });
      }
    },
    exit,
  };
  return term;
}
