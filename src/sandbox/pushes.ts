// Pushes to the platform's callback URLs, signed and encrypted as WeChat does (wechat-api.md §2, §3):
// query signature/timestamp/nonce/encrypt_type=aes/msg_signature, body <xml><AppId|ToUserName/><Encrypt/></xml>,
// the plaintext encrypted with the component's token and key and the component appid as receive id.
// An answer other than `success`, an error or no answer within the timeout is retried: three attempts
// in all. Jobs wait in a queue and go out with bounded concurrency, so that a burst of sends never waits
// for its receipts.
import http from 'node:http';
import https from 'node:https';
import { MessageCrypto } from '../wechat/crypto.js';
import { buildXml, readFlatXml } from '../wechat/xml.js';
import { templateSendJobFinishEvent } from './events.js';
import type { Random } from './random.js';
import type { SandboxTime } from './time.js';
import { httpUrl, isUrl } from '../formats.js';

export type ComponentPushKind = 'component_verify_ticket' | 'authorized' | 'updateauthorized' | 'unauthorized';
export type PushKind = ComponentPushKind | 'TEMPLATESENDJOBFINISH' | 'message';
export type PushOutcome = 'delivered' | 'failed' | 'skipped';

export interface PushRecord {
  kind: PushKind;
  /** The receiver URL without its query. */
  url: string;
  attempts: number;
  outcome: PushOutcome;
  /** HTTP status of the last answer, if there was one. */
  status?: number;
  /** Why the last attempt did not count (an answer other than success, an error, a timeout). */
  error?: string;
  /** Sandbox clock, ms. */
  at: number;
  /** A follower's message answered with a passive reply: the reply, decrypted and checked. */
  reply?: string;
}

export interface PushCounts {
  delivered: number;
  failed: number;
  skipped: number;
}

export interface PushStats extends PushCounts {
  queued: number;
  inFlight: number;
  attempts: number;
  byKind: Partial<Record<PushKind, PushCounts>>;
}

type Job =
  | { kind: ComponentPushKind; xml: string; done?: (record: PushRecord) => void }
  | {
      kind: 'TEMPLATESENDJOBFINISH';
      appid: string;
      userName: string;
      openid: string;
      msgid: string;
      status: string;
      createTime: number;
      done?: (record: PushRecord) => void;
    }
  | { kind: 'message'; appid: string; userName: string; openid: string; xml: string; done?: (record: PushRecord) => void };

export interface PusherOptions {
  component: { appid: string; token: string; encodingAesKey: string };
  time: SandboxTime;
  random: Random;
  callbackUrl?: string;
  concurrency?: number;
  /** Per attempt; WeChat gives up on an answer after 5 s. */
  timeoutMs?: number;
  /** Pause before attempt n+1 is n times this. */
  retryDelayMs?: number;
  /** Told of each push given up on (not of one skipped for want of a callback URL). */
  onFailed?: (record: PushRecord) => void;
}

const ATTEMPTS = 3;
const RECENT = 100;

export class Pusher {
  readonly #crypto: MessageCrypto;
  readonly #componentAppid: string;
  readonly #time: SandboxTime;
  readonly #random: Random;
  readonly #concurrency: number;
  readonly #timeoutMs: number;
  readonly #retryDelayMs: number;
  #callbackUrl: string | undefined;
  readonly #onFailed: ((record: PushRecord) => void) | undefined;
  #queue: Job[] = [];
  #head = 0;
  #inFlight = 0;
  #closed = false;
  #waiters: Array<() => void> = [];
  #recent: PushRecord[] = [];
  #recentAt = 0;
  #attempts = 0;
  #totals: PushCounts = { delivered: 0, failed: 0, skipped: 0 };
  #byKind: Partial<Record<PushKind, PushCounts>> = {};
  #httpAgent: http.Agent;
  #httpsAgent: https.Agent | undefined;

  constructor(options: PusherOptions) {
    this.#crypto = new MessageCrypto({
      token: options.component.token,
      encodingAesKey: options.component.encodingAesKey,
      receiveId: options.component.appid,
    });
    this.#componentAppid = options.component.appid;
    this.#time = options.time;
    this.#random = options.random;
    this.#concurrency = options.concurrency ?? 32;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
    this.#onFailed = options.onFailed;
    this.#callbackUrl = normalizeCallback(options.callbackUrl);
    this.#httpAgent = new http.Agent({ keepAlive: true, maxSockets: this.#concurrency });
  }

  get callbackUrl(): string | undefined {
    return this.#callbackUrl;
  }

  set callbackUrl(url: string | undefined) {
    this.#callbackUrl = normalizeCallback(url);
  }

  /** A component event (ticket, authorization); resolves with its outcome once it is settled. */
  pushComponentEvent(kind: ComponentPushKind, xml: string): Promise<PushRecord> {
    return new Promise((resolve) => this.#enqueue({ kind, xml, done: resolve }));
  }

  /** A delivery receipt for one send; fire and forget (the send path must not wait). */
  pushSendReceipt(appid: string, userName: string, openid: string, msgid: string, status: string, createTime: number): void {
    this.#enqueue({ kind: 'TEMPLATESENDJOBFINISH', appid, userName, openid, msgid, status, createTime });
  }

  /**
   * A follower's message or event to an account; resolves with its outcome, and the passive reply when
   * the receiver answered with one (WeChat shows it to the follower).
   */
  pushUserMessage(appid: string, userName: string, openid: string, xml: string): Promise<PushRecord> {
    return new Promise((resolve) => this.#enqueue({ kind: 'message', appid, userName, openid, xml, done: resolve }));
  }

  /** Resolves when nothing is queued or being delivered (retries included). */
  settled(): Promise<void> {
    if (this.#pending() === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  stats(): PushStats {
    const byKind: PushStats['byKind'] = {};
    for (const [kind, counts] of Object.entries(this.#byKind)) byKind[kind as PushKind] = { ...counts };
    return {
      ...this.#totals,
      queued: this.#queue.length - this.#head,
      inFlight: this.#inFlight,
      attempts: this.#attempts,
      byKind,
    };
  }

  /** The last pushes (at most 100), oldest first. */
  recent(): PushRecord[] {
    return [...this.#recent.slice(this.#recentAt), ...this.#recent.slice(0, this.#recentAt)];
  }

  /** Drops what is queued (reported as skipped) and cuts what is in flight (reported as failed). */
  close(): void {
    this.#closed = true;
    const dropped = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    for (const job of dropped) this.#finish(job, { kind: job.kind, url: '', attempts: 0, outcome: 'skipped', error: 'the sandbox closed', at: this.#time.now() });
    this.#httpAgent.destroy();
    this.#httpsAgent?.destroy();
    this.#wake();
  }

  #pending(): number {
    return this.#queue.length - this.#head + this.#inFlight;
  }

  #enqueue(job: Job): void {
    if (this.#closed || this.#callbackUrl === undefined) {
      const error = this.#closed ? 'the sandbox closed' : undefined;
      this.#finish(job, { kind: job.kind, url: '', attempts: 0, outcome: 'skipped', ...(error && { error }), at: this.#time.now() });
      return;
    }
    this.#queue.push(job);
    this.#pump();
  }

  #pump(): void {
    while (this.#inFlight < this.#concurrency && this.#head < this.#queue.length && !this.#closed) {
      const job = this.#queue[this.#head];
      this.#queue[this.#head++] = undefined as unknown as Job;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      this.#inFlight++;
      void this.#deliver(job).then((record) => {
        this.#inFlight--;
        this.#finish(job, record);
        this.#pump();
      });
    }
    this.#wake();
  }

  #finish(job: Job, record: PushRecord): void {
    this.#totals[record.outcome]++;
    // What close() cuts is not the receiver's failure.
    if (record.outcome === 'failed' && !this.#closed) this.#onFailed?.(record);
    const counts = (this.#byKind[job.kind] ??= { delivered: 0, failed: 0, skipped: 0 });
    counts[record.outcome]++;
    if (this.#recent.length < RECENT) this.#recent.push(record);
    else {
      this.#recent[this.#recentAt] = record;
      this.#recentAt = (this.#recentAt + 1) % RECENT;
    }
    job.done?.(record);
    this.#wake();
  }

  #wake(): void {
    if (this.#waiters.length === 0 || (this.#pending() !== 0 && !this.#closed)) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  async #deliver(job: Job): Promise<PushRecord> {
    const base = this.#callbackUrl;
    const at = this.#time.now();
    if (base === undefined) return { kind: job.kind, url: '', attempts: 0, outcome: 'skipped', at };
    const account = job.kind === 'TEMPLATESENDJOBFINISH' || job.kind === 'message';
    const url = account ? `${base}/wechat/accounts/${encodeURIComponent(job.appid)}` : `${base}/wechat/component`;
    const xml = job.kind === 'TEMPLATESENDJOBFINISH' ? templateSendJobFinishEvent(job.userName, job.openid, job.createTime, job.msgid, job.status) : job.xml;

    // Sealed once: a retry carries the same message, as WeChat's do, so receivers can dedupe it.
    const timestamp = String(this.#time.seconds());
    const nonce = this.#random.digits(10);
    const encrypt = this.#crypto.encrypt(xml);
    let query = `signature=${this.#crypto.signature(timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}`;
    if (account) query += `&openid=${encodeURIComponent(job.openid)}`;
    query += `&encrypt_type=aes&msg_signature=${this.#crypto.msgSignature(timestamp, nonce, encrypt)}`;
    const body = account
      ? buildXml({ ToUserName: job.userName, Encrypt: encrypt })
      : buildXml({ AppId: this.#componentAppid, Encrypt: encrypt });

    const record: PushRecord = { kind: job.kind, url, attempts: 0, outcome: 'failed', at };
    for (let attempt = 1; attempt <= ATTEMPTS && !this.#closed; attempt++) {
      record.attempts = attempt;
      this.#attempts++;
      try {
        const answer = await this.#post(`${url}?${query}`, body);
        record.status = answer.status;
        // WeChat takes `success`, an empty answer (no reply), or — to a follower's message — a passive
        // reply in safe mode, which it decrypts and shows to the follower.
        if (answer.status === 200 && (answer.text.trim() === 'success' || (job.kind === 'message' && answer.text === ''))) {
          record.outcome = 'delivered';
          delete record.error;
          return record;
        }
        const reply = job.kind === 'message' && answer.status === 200 ? this.#openReply(answer.text) : null;
        if (reply) {
          record.outcome = 'delivered';
          record.reply = reply;
          delete record.error;
          return record;
        }
        record.error = `HTTP ${answer.status}: ${JSON.stringify(answer.text.slice(0, 80))}`;
      } catch (err) {
        delete record.status;
        record.error = (err as Error).message;
      }
      if (attempt < ATTEMPTS && !this.#closed) await delay(this.#retryDelayMs * attempt);
    }
    return record;
  }

  /** A passive reply as WeChat reads it: its msg_signature checked, decrypted; null when it is none. */
  #openReply(text: string): string | null {
    const envelope = readFlatXml(text);
    if (!envelope?.Encrypt || !envelope.MsgSignature || !envelope.TimeStamp || !envelope.Nonce) return null;
    try {
      this.#crypto.verifyMsgSignature(envelope.MsgSignature, envelope.TimeStamp, envelope.Nonce, envelope.Encrypt);
      const xml = this.#crypto.decrypt(envelope.Encrypt).message;
      return readFlatXml(xml)?.MsgType ? xml : null;
    } catch {
      return null;
    }
  }

  #post(url: string, body: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const secure = url.startsWith('https:');
      const agent = secure ? (this.#httpsAgent ??= new https.Agent({ keepAlive: true, maxSockets: this.#concurrency })) : this.#httpAgent;
      const req = (secure ? https : http).request(url, {
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body), 'User-Agent': 'Mozilla/4.0' },
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < 65536) text += chunk;
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      });
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(body);
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `http://host:port` or a base with a path; no trailing slash. Undefined or '' means: do not push. */
export function normalizeCallback(url: string | undefined): string | undefined {
  if (url === undefined || url === '') return undefined;
  const parsed = httpUrl(url);
  if (!parsed) {
    if (!isUrl(url)) throw new TypeError(`callback URL ${JSON.stringify(url)} is not a URL (e.g. http://127.0.0.1:8080)`);
    throw new TypeError('callback URL must be http or https');
  }
  if (parsed.search || parsed.hash) throw new TypeError('callback URL must have no query or fragment');
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}
