import type { ContextOverrides } from '../context.js';
import type { IO } from '../output/io.js';

/** What the program shares with every command it runs. */
export interface Runtime {
  io: IO;
  signal: AbortSignal;
  overrides: ContextOverrides;
  /** What the command asked to exit with when it ended without an error. */
  exitCode?: number;
}
