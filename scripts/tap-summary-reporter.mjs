// A tap reporter that passes the TAP stream through and ends with one plain line CI recognises:
// `N passed, N failed, N skipped` (tap's own closing line is a comment that CI does not read).
import { Transform } from 'node:stream';

export default class SummaryReporter extends Transform {
  #tail = '';

  _transform(chunk, _encoding, callback) {
    this.#tail = (this.#tail + chunk).slice(-8192);
    callback(null, chunk);
  }

  _flush(callback) {
    const last = [...this.#tail.matchAll(/^# \{ total: \d+(.*)\}$/gm)].pop();
    const count = (key) => Number(last?.[1].match(new RegExp(`${key}: (\\d+)`))?.[1] ?? 0);
    const failed = last ? count('fail') : 1;
    callback(null, `\n${count('pass')} passed, ${failed} failed, ${count('skip') + count('todo')} skipped\n`);
  }
}
