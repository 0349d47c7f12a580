// Everything a command prints goes through here: tables and lines for people, one JSON document or
// NDJSON for machines, notes and warnings on stderr. Colour is decided once, per stream.
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { escapeControl, escapeForTerminal } from './escape.js';
import { colorLevelFor, type IO } from './io.js';

export interface OutputOptions {
  json: boolean;
  noColor: boolean;
  verbose: boolean;
}

export type Cell = string | number | null | undefined;

export interface Column<Row> {
  header: string;
  value: (row: Row) => Cell;
  /** Colours a rendered cell on a terminal (never in --json or when piped). */
  style?: (text: string, row: Row, c: ChalkInstance) => string;
}

export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  /** Colours for stdout. */
  readonly c: ChalkInstance;
  /** Colours for stderr. */
  readonly ce: ChalkInstance;

  constructor(
    readonly io: IO,
    options: OutputOptions,
  ) {
    this.json = options.json;
    this.verbose = options.verbose;
    this.c = new Chalk({ level: options.json ? 0 : colorLevelFor(io.stdout, io.env, options.noColor) });
    this.ce = new Chalk({ level: colorLevelFor(io.stderr, io.env, options.noColor) });
  }

  get stdoutIsTerminal(): boolean {
    return Boolean(this.io.stdout.isTTY);
  }

  /** A line of human output on stdout. */
  line(text = ''): void {
    this.io.stdout.write(`${escapeForTerminal(text)}\n`);
  }

  /** One JSON document on stdout: indented on a terminal, compact when piped. */
  document(value: unknown): void {
    const text = this.stdoutIsTerminal ? JSON.stringify(value, null, 2) : JSON.stringify(value);
    this.io.stdout.write(`${text}\n`);
  }

  /** One NDJSON record. */
  record(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value)}\n`);
  }

  table<Row>(columns: Column<Row>[], rows: readonly Row[]): void {
    this.io.stdout.write(`${this.renderTable(columns, rows)}\n`);
  }

  renderTable<Row>(columns: Column<Row>[], rows: readonly Row[]): string {
    // cli-table3 colours heads and borders by default, even when piped: switch that off and colour ourselves.
    const table = new Table({
      head: columns.map((col) => this.c.bold(col.header)),
      style: { head: [], border: [] },
      // No rule between rows: one line a record reads better and greps better.
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
      wordWrap: false,
    });
    for (const row of rows) {
      table.push(
        columns.map((col) => {
          const raw = col.value(row);
          // A cell is one value, often from outside (a nickname, a pushed event): no control character.
          const text = raw === null || raw === undefined ? '' : escapeControl(String(raw));
          return col.style && this.c.level > 0 ? col.style(text, row, this.c) : text;
        }),
      );
    }
    return table.toString();
  }

  /** Human output when not --json, the document otherwise. */
  result<T>(value: T, human: (value: T) => void): void {
    if (this.json) this.document(value);
    else human(value);
  }

  /** Progress and side remarks: stderr, so that stdout stays clean for pipes and --json. */
  note(text: string): void {
    this.io.stderr.write(`${escapeForTerminal(text)}\n`);
  }

  warn(text: string): void {
    this.io.stderr.write(`${this.ce.yellow('warning:')} ${escapeForTerminal(text)}\n`);
  }
}
