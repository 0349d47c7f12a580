// The token store of the token listener: TokenRepository, with the reads of account tokens and jsapi
// tickets gathered into one statement per batch. Every request reads the database (so that an answer
// reflects what any process changed a moment ago), and one SELECT … IN (…) for the requests that
// arrived together costs little more than one for a single account. A read joins only a batch that
// has not started: its answer is never older than its request.
import type { AuthorizerTokenRecord, TokenRecord, TokenStore } from '../../wechat/tokens.js';
import type { TokenRepository } from './tokens.js';

export interface BatchOptions {
  /** Accounts per statement. */
  maxBatch?: number;
  /** Statements of one kind in flight at once (1 on SQLite, which has one connection). */
  concurrency?: number;
}

/** Gathers the keys asked for until the next turn of the event loop, then reads them in one go. */
class Batcher<T> {
  private pending = new Map<string, Array<{ resolve: (value: T | null) => void; reject: (err: unknown) => void }>>();
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly readMany: (keys: string[]) => Promise<Map<string, T>>,
    private readonly maxBatch: number,
    private readonly concurrency: number,
  ) {}

  read(key: string): Promise<T | null> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.concurrency || this.pending.size === 0) return;
    this.scheduled = true;
    // After the requests that arrived in this turn of the event loop have asked.
    setImmediate(() => {
      this.scheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    const batch = new Map<string, Array<{ resolve: (value: T | null) => void; reject: (err: unknown) => void }>>();
    for (const [key, waiting] of this.pending) {
      if (batch.size >= this.maxBatch) break;
      batch.set(key, waiting);
    }
    for (const key of batch.keys()) this.pending.delete(key);
    this.inFlight++;
    this.readMany([...batch.keys()]).then(
      (found) => {
        for (const [key, waiting] of batch) for (const w of waiting) w.resolve(found.get(key) ?? null);
      },
      (err: unknown) => {
        for (const waiting of batch.values()) for (const w of waiting) w.reject(err);
      },
    ).finally(() => {
      this.inFlight--;
      this.schedule();
    });
    this.schedule();
  }
}

export class BatchedTokenStore implements TokenStore {
  private readonly authorizers: Batcher<AuthorizerTokenRecord>;
  private readonly tickets: Batcher<TokenRecord>;

  constructor(
    private readonly repo: TokenRepository,
    options: BatchOptions = {},
  ) {
    const maxBatch = options.maxBatch ?? 500;
    const concurrency = options.concurrency ?? 1;
    this.authorizers = new Batcher((appids) => repo.readAuthorizerTokens(appids), maxBatch, concurrency);
    this.tickets = new Batcher((appids) => repo.readJsapiTickets(appids), maxBatch, concurrency);
  }

  readAuthorizerToken(appid: string): Promise<AuthorizerTokenRecord | null> {
    return this.authorizers.read(appid);
  }

  readJsapiTicket(appid: string): Promise<TokenRecord | null> {
    return this.tickets.read(appid);
  }

  readTicket: TokenStore['readTicket'] = (...a) => this.repo.readTicket(...a);
  saveTicket: TokenStore['saveTicket'] = (...a) => this.repo.saveTicket(...a);
  readComponentToken: TokenStore['readComponentToken'] = (...a) => this.repo.readComponentToken(...a);
  claimRefresh: TokenStore['claimRefresh'] = (...a) => this.repo.claimRefresh(...a);
  releaseRefresh: TokenStore['releaseRefresh'] = (...a) => this.repo.releaseRefresh(...a);
  saveComponentToken: TokenStore['saveComponentToken'] = (...a) => this.repo.saveComponentToken(...a);
  saveAuthorizerTokens: TokenStore['saveAuthorizerTokens'] = (...a) => this.repo.saveAuthorizerTokens(...a);
  saveJsapiTicket: TokenStore['saveJsapiTicket'] = (...a) => this.repo.saveJsapiTicket(...a);
  expireToken: TokenStore['expireToken'] = (...a) => this.repo.expireToken(...a);
  markNeedsReauth: TokenStore['markNeedsReauth'] = (...a) => this.repo.markNeedsReauth(...a);
  dropAuthorizer: TokenStore['dropAuthorizer'] = (...a) => this.repo.dropAuthorizer(...a);
}
