// Reading a forwarding target's HTTP/1.1 answer as its bytes arrive, for the keep-alive client of
// post.ts: the status, the three headers that say where the answer ends and whether the connection may
// carry the next request (Content-Length, Transfer-Encoding, Connection), and the body up to a limit.
// node:http's client did the same at about three times the CPU a request (bench/forward: a reply rule
// cost `serve` 315 µs a message more than no rule, a third of it in node:http), and forwarding sends one
// request for every push it delivers.

/** An answer that is not HTTP/1.x as a server writes it. */
class BadResponseError extends Error {
  readonly code = 'EBADRESPONSE';
}

/** The head (status line and headers) of one answer may not be larger than this. */
const MAX_HEAD_BYTES = 32 * 1024;
const MAX_CHUNK_LINE_BYTES = 1024;
const CRLF2 = Buffer.from('\r\n\r\n');
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: |$)/;

type Phase = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'until-close' | 'done';

export class ResponseReader {
  status: number | null = null;
  /** The connection may carry another request once this answer is read. */
  reusable = false;
  /** More body came than the limit: what was kept is the first `limit` bytes. */
  truncated = false;
  /** Some byte of an answer arrived: the server took the request (it is not sent again). */
  started = false;
  private phase: Phase = 'head';
  private pending: Buffer | null = null;
  private remaining = 0;
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  body(): string {
    return Buffer.concat(this.chunks, this.size).toString('utf8');
  }

  /** Takes the next bytes from the connection; true once the answer is complete (or truncated). */
  feed(data: Buffer): boolean {
    if (data.length > 0) this.started = true;
    let buf = this.pending ? Buffer.concat([this.pending, data]) : data;
    this.pending = null;
    while (buf.length > 0 && this.phase !== 'done') {
      switch (this.phase) {
        case 'head': {
          const end = buf.indexOf(CRLF2);
          if (end < 0) {
            if (buf.length > MAX_HEAD_BYTES) throw new BadResponseError('the answer has a head over 32 KiB');
            this.pending = buf;
            return false;
          }
          this.head(buf.toString('latin1', 0, end));
          buf = buf.subarray(end + 4);
          break;
        }
        case 'length':
        case 'chunk-data': {
          // `remaining` bytes of body (the whole of it, or of one chunk), then what follows them.
          const n = Math.min(this.remaining, buf.length);
          this.keep(buf.subarray(0, n));
          this.remaining -= n;
          buf = buf.subarray(n);
          if (this.remaining === 0) {
            if (this.phase === 'length') this.finish();
            else this.phase = 'chunk-end';
          }
          break;
        }
        case 'chunk-size':
        case 'chunk-end':
        case 'trailers': {
          const eol = buf.indexOf('\r\n');
          if (eol < 0) {
            if (buf.length > MAX_CHUNK_LINE_BYTES) throw new BadResponseError('the answer has a chunk line over 1 KiB');
            this.pending = buf;
            return false;
          }
          this.line(buf.toString('latin1', 0, eol));
          buf = buf.subarray(eol + 2);
          break;
        }
        case 'until-close':
          this.keep(buf);
          buf = buf.subarray(buf.length);
          break;
      }
      if (this.truncated) this.finish();
    }
    // Bytes after a whole answer: nothing was asked for them, so the connection is not used again.
    if (this.phase === 'done' && buf.length > 0) this.reusable = false;
    return this.phase === 'done';
  }

  /** The connection ended: true when that ends the answer (one delimited by the close). */
  end(): boolean {
    if (this.phase === 'until-close') this.finish();
    return this.phase === 'done';
  }

  private head(text: string): void {
    const lines = text.split('\r\n');
    const m = STATUS_LINE.exec(lines[0]);
    if (!m) throw new BadResponseError('the answer is not HTTP/1.x');
    const status = Number(m[2]);
    let length: number | null = null;
    let chunked = false;
    let encoded = false;
    let close = m[1] === '0';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const colon = line.indexOf(':');
      if (colon <= 0) throw new BadResponseError('the answer has a malformed header');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') {
        if (!/^\d{1,15}$/.test(value) || (length !== null && length !== Number(value))) throw new BadResponseError('the answer has a bad Content-Length');
        length = Number(value);
      } else if (name === 'transfer-encoding') {
        encoded = true;
        chunked = value.toLowerCase().split(',').at(-1)!.trim() === 'chunked';
      } else if (name === 'connection') {
        if (value.toLowerCase().split(',').some((t) => t.trim() === 'close')) close = true;
      }
    }
    // An interim answer (100 Continue, 103 Early Hints): the real one follows.
    if (status >= 100 && status < 200) {
      if (status === 101) throw new BadResponseError('the answer switches protocols');
      return;
    }
    this.status = status;
    this.reusable = !close;
    if (status === 204 || status === 304) this.finish();
    else if (chunked) {
      // Both framings sent: the length is not to be trusted, nor the connection after.
      if (length !== null) this.reusable = false;
      this.phase = 'chunk-size';
    } else if (length !== null && !encoded) {
      this.remaining = length;
      if (length === 0) this.finish();
      else this.phase = 'length';
    } else {
      // No length, or a transfer coding that is not chunked (RFC 9112: read until the close).
      this.reusable = false;
      this.phase = 'until-close';
    }
  }

  private line(text: string): void {
    if (this.phase === 'chunk-end') {
      if (text !== '') throw new BadResponseError('the answer has a chunk without its line end');
      this.phase = 'chunk-size';
    } else if (this.phase === 'chunk-size') {
      const hex = text.split(';', 1)[0].trim();
      if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new BadResponseError('the answer has a bad chunk size');
      this.remaining = parseInt(hex, 16);
      this.phase = this.remaining === 0 ? 'trailers' : 'chunk-data';
    } else if (text === '') this.finish(); // the blank line after the trailers
  }

  private keep(part: Buffer): void {
    const room = this.limit - this.size;
    if (part.length > room) {
      this.truncated = true;
      this.reusable = false;
      part = part.subarray(0, room);
    }
    if (part.length > 0) {
      this.chunks.push(part);
      this.size += part.length;
    }
  }

  private finish(): void {
    this.phase = 'done';
  }
}
