// The error classes every layer throws. Each carries the exit code the CLI ends with, so the mapping
// from failure to exit code lives here and in src/cli.ts, nowhere else.

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  partial: 3,
  interrupted: 130,
} as const;

export class WxplatError extends Error {
  readonly exitCode: number;
  /** One line telling the operator what to do next. */
  readonly hint?: string;
  constructor(message: string, exitCode: number, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** Bad usage or bad input, found before anything changed. */
export class UsageError extends WxplatError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.usage, hint);
  }
}

/** A configuration value is missing or malformed; names the variable. */
export class ConfigError extends UsageError {
  readonly variable: string;
  constructor(variable: string, message: string, hint?: string) {
    super(message, hint);
    this.variable = variable;
  }
}

/** Something the operator named does not exist (an account, a code, a template). */
export class NotFoundError extends UsageError {}

/** The work was tried and failed: WeChat or the database refused, or the state does not allow it. */
export class FailedError extends WxplatError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.failed, hint);
  }
}

/** The operator pressed Ctrl-C (or the process got SIGINT/SIGTERM). */
export class InterruptedError extends WxplatError {
  constructor(message = 'interrupted') {
    super(message, EXIT.interrupted);
  }
}

/**
 * Whether this is one of our errors. By shape, not by class: the shipped CLI is two bundles (the
 * command-line front and the rest), each with its own copy of this module.
 */
export function isWxplatError(err: unknown): err is WxplatError {
  return err instanceof Error && typeof (err as { exitCode?: unknown }).exitCode === 'number';
}

export function exitCodeFor(err: unknown): number {
  if (isWxplatError(err)) return err.exitCode;
  return EXIT.failed;
}
