// Text that came from outside (pushed events, WeChat's answers, files and flags) may hold terminal
// control sequences: `\x1b[2J` clears an operator's screen, a carriage return overwrites a line with a
// fake one, a bidi override reorders what is read. Such characters are shown as escapes wherever text
// is printed for a person or written to a log line. JSON output needs nothing more: JSON.stringify
// escapes control characters itself.

/** C0 controls, DEL, C1 controls, and the bidirectional overrides and isolates. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_TEST = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Every control character as a visible escape (`\x1b`, `\n`, `\u202e`): for one value on one line.
 * `keepLines` keeps newlines and tabs, for a message of several lines (an error and its hint).
 */
export function escapeControl(text: string, options: { keepLines?: boolean } = {}): string {
  if (!CONTROL_TEST.test(text)) return text;
  return text.replace(CONTROL, (c) => (options.keepLines && (c === '\n' || c === '\t') ? c : escapeOne(c)));
}

/** SGR sequences (colours), the only control sequences our own output writes. */
const SGR = /\u001b\[[0-9;]*m/y;

/**
 * For a whole line of our own making: keeps newlines, tabs and colour (SGR) sequences, escapes every
 * other control character. Values from outside are escaped with escapeControl where they are put into
 * a line; this is the net under it, so that no cursor movement, screen clearing or carriage return
 * reaches a terminal, whatever a line holds.
 */
export function escapeForTerminal(text: string): string {
  if (!CONTROL_TEST.test(text)) return text;
  let out = '';
  let last = 0;
  CONTROL.lastIndex = 0;
  for (let m = CONTROL.exec(text); m; m = CONTROL.exec(text)) {
    const c = m[0];
    const i = m.index;
    if (c === '\n' || c === '\t') continue;
    if (c === '\u001b') {
      SGR.lastIndex = i;
      const sgr = SGR.exec(text);
      if (sgr) {
        CONTROL.lastIndex = i + sgr[0].length;
        continue;
      }
    }
    out += text.slice(last, i) + escapeOne(c);
    last = i + 1;
  }
  return out + text.slice(last);
}
