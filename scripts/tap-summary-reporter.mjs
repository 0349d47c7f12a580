// A tap reporter that passes the TAP stream through and ends with what CI shows of a run, its tail:
// each failed assertion with the subtests it sits in and the start of its diagnostics (a CI log is often
// seen only by its last lines, and a failure scrolled out of them cannot be told), then one plain line
// CI recognises: `N passed, N failed, N skipped` (tap's own closing line is a comment CI does not read).
import { Transform } from 'node:stream';

const MAX_FAILURES = 10;
const MAX_DIAGNOSTIC_LINES = 16;

export default class SummaryReporter extends Transform {
  #tail = '';
  #partial = '';
  /** The open subtests' names, by indentation. */
  #subtests = [];
  #failures = [];
  /** The failure whose YAML diagnostics are being read, and their indentation. */
  #reading = null;

  _transform(chunk, _encoding, callback) {
    const text = String(chunk);
    this.#tail = (this.#tail + text).slice(-8192);
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop();
    for (const line of lines) this.#read(line);
    callback(null, chunk);
  }

  #read(line) {
    const indent = line.length - line.trimStart().length;
    const body = line.trimStart();
    if (this.#reading) {
      const r = this.#reading;
      if (!r.open) {
        // Diagnostics, if any, start on the line after the failure.
        if (body === '---' && indent === r.indent) {
          r.open = true;
          return;
        }
        this.#reading = null;
      } else {
        if (body === '...' && indent === r.indent) this.#reading = null;
        else if (r.failure.diagnostics.length < MAX_DIAGNOSTIC_LINES) r.failure.diagnostics.push(line.slice(r.indent));
        return;
      }
    }
    const subtest = body.match(/^# Subtest: (.*)$/);
    if (subtest) {
      this.#subtests = this.#subtests.filter((s) => s.indent < indent);
      this.#subtests.push({ indent, name: subtest[1] });
      return;
    }
    const notOk = body.match(/^not ok \d+ - (.*?)(?: # (?:time=.*|TODO.*|SKIP.*))?$/);
    if (!notOk || /# (TODO|SKIP)/.test(body)) return;
    // A failed subtest repeats the failure of an assertion inside it, already recorded.
    const inner = this.#failures.at(-1);
    const path = [...this.#subtests.filter((s) => s.indent < indent).map((s) => s.name), notOk[1]];
    if (inner && inner.indent > indent && inner.path.slice(0, path.length).join('\0') === path.join('\0')) return;
    const failure = { indent, path, diagnostics: [] };
    if (this.#failures.length < MAX_FAILURES) this.#failures.push(failure);
    this.#reading = { indent: indent + 2, failure, open: false };
  }

  _flush(callback) {
    if (this.#partial) this.#read(this.#partial);
    const last = [...this.#tail.matchAll(/^# \{ total: \d+(.*)\}$/gm)].pop();
    const count = (key) => Number(last?.[1].match(new RegExp(`${key}: (\\d+)`))?.[1] ?? 0);
    const failed = last ? count('fail') : 1;
    let report = '';
    if (this.#failures.length > 0) {
      report += `\nFailed (${this.#failures.length}${this.#failures.length === MAX_FAILURES ? ' shown' : ''}):\n`;
      for (const f of this.#failures) {
        report += `\n✗ ${f.path.join(' › ')}\n`;
        for (const d of f.diagnostics) report += `    ${d}\n`;
      }
    }
    callback(null, `${report}\n${count('pass')} passed, ${failed} failed, ${count('skip') + count('todo')} skipped\n`);
  }
}
