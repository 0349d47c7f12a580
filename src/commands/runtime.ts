import type { ContextOverrides, GlobalOptions } from '../context.js';
import type { IO } from '../output/io.js';

/** What the program shares with every command it runs. */
export interface Runtime {
  io: IO;
  signal: AbortSignal;
  overrides: ContextOverrides;
  /** The global options as parsed for the command being run: how its error is printed. */
  globals?: GlobalOptions;
  /** What the command asked to exit with when it ended without an error. */
  exitCode?: number;
}
