// Everything a command prints goes through here: tables and lines for people, one JSON document or
// NDJSON for machines, notes and warnings on stderr. Colour is decided once, per stream.
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { escapeControl, escapeForTerminal } from './escape.js';
import { colorLevelFor, type IO } from './io.js';
import stringWidth from './string-width.js';
import { beijingTime, localTime } from './time.js';

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
  /**
   * Kept whole when the table is squeezed to the terminal's width (ids, codes, states: a cut one is
   * useless); the other columns, widest first, are cut with an ellipsis.
   */
  keep?: boolean;
  /**
   * Left out on a terminal too narrow for the table (those with the lowest number first) rather than
   * cut to a few characters; piped and --json always have it.
   */
  drop?: number;
}

export interface TableOptions {
  /** On a narrow terminal, wrap cells that do not fit instead of cutting them (a few rows of prose). */
  wrap?: boolean;
  /** Told the headers of the columns left out to fit the terminal. */
  onLeftOut?: (headers: string[]) => void;
}

/** Lines of at most `width` columns, broken between words, and inside a word only when it alone is wider. */
export function wrapText(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  const lines: string[] = [];
  let line = '';
  const push = () => {
    if (line) lines.push(line);
    line = '';
  };
  for (const word of text.split(/ +/)) {
    const joined = line ? `${line} ${word}` : word;
    if (stringWidth(joined) <= width) {
      line = joined;
      continue;
    }
    push();
    for (const char of word) {
      if (stringWidth(line + char) > width) push();
      line += char;
    }
  }
  push();
  return lines.join('\n');
}

/** Terminal columns a table may use: the terminal's width, COLUMNS when the stream does not say, else 80. */
export function terminalWidth(stream: { columns?: number }, env: Record<string, string | undefined>): number {
  if (stream.columns && stream.columns > 0) return stream.columns;
  const fromEnv = Number(env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
}

/**
 * Each column's content width so that the table fits `width` terminal columns: columns narrower than
 * an even share keep their width; the share left is split evenly among the wider ones (widest cut
 * first), those marked `keep` giving way last. A column never gets less than 3 (one character and
 * the ellipsis would say nothing), so a very narrow terminal still wraps.
 */
export function fitWidths(natural: readonly number[], keep: readonly boolean[], width: number): number[] {
  const n = natural.length;
  // │ cell │ cell │: one border a column plus one, and a space either side of each cell.
  let room = width - (3 * n + 1);
  const fitted = [...natural];
  if (natural.reduce((a, b) => a + b, 0) <= room) return fitted;
  const kept = natural.map((w, i) => (keep[i] ? w : 0)).reduce((a, b) => a + b, 0);
  // Squeeze the columns that may be cut; if the kept ones alone leave too little, cut them too.
  const cuttable = natural.map((_, i) => !keep[i] && natural[i] > 0);
  const squeeze = room - kept >= 3 * cuttable.filter(Boolean).length ? cuttable : natural.map((w) => w > 0);
  if (squeeze === cuttable) room -= kept;
  let open = natural.map((_, i) => i).filter((i) => squeeze[i]);
  for (;;) {
    const share = Math.floor(room / Math.max(1, open.length));
    const narrow = open.filter((i) => natural[i] <= share);
    if (narrow.length === 0) {
      for (const i of open) fitted[i] = Math.max(3, share);
      // What the even split leaves over goes to the widest columns, one each.
      let spare = room - share * open.length;
      for (const i of [...open].sort((a, b) => natural[b] - natural[a])) {
        if (spare-- <= 0) break;
        fitted[i] += 1;
      }
      return fitted;
    }
    for (const i of narrow) room -= natural[i];
    open = open.filter((i) => natural[i] > share);
    if (open.length === 0) return fitted;
  }
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

  table<Row>(columns: Column<Row>[], rows: readonly Row[], options: TableOptions = {}): void {
    // Piped, no rows is no lines (a box table still shows its header).
    if (rows.length === 0 && !this.stdoutIsTerminal) return;
    let leftOut: string[] = [];
    this.io.stdout.write(`${this.renderTable(columns, rows, { ...options, onLeftOut: (headers) => (leftOut = headers) })}\n`);
    if (leftOut.length > 0) {
      this.note(this.ce.dim(`(not shown at this width: ${leftOut.join(', ')}; --json has them)`));
    }
  }

  /**
   * On a terminal, a box table that fits its width; piped, one line a row with the cells separated
   * by tabs and no header, so that grep, cut and awk read it (as gh does).
   */
  renderTable<Row>(columns: Column<Row>[], rows: readonly Row[], options: TableOptions = {}): string {
    // A cell is one value, often from outside (a nickname, a pushed event): no control character.
    // Piped, a tab or newline inside a value would split it: each becomes a space.
    const texts = rows.map((row) =>
      columns.map((col) => {
        const raw = col.value(row);
        return raw === null || raw === undefined ? '' : escapeControl(String(raw));
      }),
    );
    if (!this.stdoutIsTerminal) return texts.map((cells) => cells.map((t) => t.replace(/[\t\n]/g, ' ')).join('\t')).join('\n');
    const natural = columns.map((col, i) => Math.max(stringWidth(col.header), ...texts.map((cells) => stringWidth(cells[i]))));
    const width = terminalWidth(this.io.stdout, this.io.env);
    // Leave out droppable columns, least useful first, while a column that matters more would be cut
    // (or any would be cut below a readable width).
    let shown = columns.map((_, i) => i);
    const droppable = columns
      .map((col, i) => ({ i, rank: col.drop }))
      .filter((x): x is { i: number; rank: number } => x.rank !== undefined)
      .sort((a, b) => a.rank - b.rank);
    let widths = fitWidths(
      natural,
      columns.map((col) => Boolean(col.keep)),
      width,
    );
    const tooNarrow = (w: number[], idx: number[]) =>
      idx.some((i, k) => w[k] < Math.min(natural[i], 8) || (columns[i].drop === undefined && w[k] < natural[i]));
    while (droppable.length > 0 && tooNarrow(widths, shown)) {
      const { i } = droppable.shift()!;
      shown = shown.filter((x) => x !== i);
      widths = fitWidths(
        shown.map((x) => natural[x]),
        shown.map((x) => Boolean(columns[x].keep)),
        width,
      );
    }
    if (shown.length < columns.length) options.onLeftOut?.(columns.filter((_, i) => !shown.includes(i)).map((c) => c.header));
    // cli-table3 colours heads and borders by default: switch that off and colour ourselves.
    const table = new Table({
      head: shown.map((i) => this.c.bold(columns[i].header)),
      style: { head: [], border: [] },
      // No rule between rows: one line a record reads better and greps better.
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
      // Cells wider than their column are cut with an ellipsis (cli-table3 counts wide characters as 2),
      // or wrapped where every word matters.
      colWidths: widths.map((w) => w + 2),
      truncate: '…',
      wordWrap: false,
    });
    texts.forEach((cells, r) => {
      const row = rows[r];
      table.push(
        shown.map((i, k) => {
          const col = columns[i];
          // Wrapped here, not by cli-table3, which cuts a word longer than the column (a URL, a path).
          const text = options.wrap ? wrapText(cells[i], widths[k]) : cells[i];
          return col.style && this.c.level > 0 ? text.split('\n').map((l) => col.style!(l, row, this.c)).join('\n') : text;
        }),
      );
    });
    return table.toString();
  }

  /**
   * A time (ISO 8601 UTC, as in --json) for a person: on a terminal in local time with its offset;
   * piped, as given, one form for programs.
   */
  time(iso: string | Date | null | undefined): string {
    if (iso === null || iso === undefined) return '';
    if (!this.stdoutIsTerminal) return iso instanceof Date ? iso.toISOString() : iso;
    return localTime(iso);
  }

  /** A time set by WeChat's Beijing-time rules (the daily quota's reset), named as such on a terminal. */
  beijingTime(iso: string | Date | null | undefined): string {
    if (iso === null || iso === undefined) return '';
    if (!this.stdoutIsTerminal) return iso instanceof Date ? iso.toISOString() : iso;
    return beijingTime(iso);
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
