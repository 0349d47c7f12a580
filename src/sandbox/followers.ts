// One account's followers: the first `count` derived openids (openids.ts), an explicit list a test
// may give instead, and a small set of those who unfollowed. Order for user/get: the explicit list,
// then the derived openids by index; unfollowed ones are skipped.
import { OpenidCodec } from './openids.js';
import { SandboxError } from './errors.js';

export const MAX_FOLLOWERS = 100_000_000;

/** How an openid stands with an account. */
export const Membership = {
  Follower: 0,
  /** An openid of this account that does not follow it (now): send answers 43004. */
  NotFollowing: 1,
  /** Not an openid of this account at all: 40003. */
  Foreign: 2,
} as const;
export type Membership = (typeof Membership)[keyof typeof Membership];

export interface FollowersSnapshot {
  count: number;
  explicit: string[];
  unfollowed: string[];
}

export class Followers {
  readonly codec: OpenidCodec;
  #count = 0;
  #explicit: string[] = [];
  #explicitPos = new Map<string, number>();
  /** Members who unfollowed. Holds only current members, so `total` is a subtraction. */
  #unfollowed = new Set<string>();

  constructor(appid: string) {
    this.codec = new OpenidCodec(appid);
  }

  get total(): number {
    return this.#explicit.length + this.#count - this.#unfollowed.size;
  }

  /** Derived followers 0..count-1 (the explicit list is dropped). */
  setCount(count: number): void {
    if (!Number.isInteger(count) || count < 0 || count > MAX_FOLLOWERS) {
      throw new SandboxError(`followers must be a whole number from 0 to ${MAX_FOLLOWERS}`);
    }
    this.#count = count;
    this.#explicit = [];
    this.#explicitPos.clear();
    for (const openid of this.#unfollowed) {
      const i = this.codec.decode(openid);
      if (i < 0 || i >= count) this.#unfollowed.delete(openid);
    }
  }

  /** Exactly these openids follow (no derived ones). */
  setList(openids: readonly string[]): void {
    const pos = new Map<string, number>();
    const list: string[] = [];
    for (const o of openids) {
      if (typeof o !== 'string' || o === '' || o.length > 64) throw new SandboxError('each openid must be a non-empty string');
      if (!pos.has(o)) {
        pos.set(o, list.length);
        list.push(o);
      }
    }
    this.#count = 0;
    this.#explicit = list;
    this.#explicitPos = pos;
    this.#unfollowed.clear();
  }

  /** `index` is `derivedIndex(openid)` when the caller has it already. */
  membership(openid: string, index: number = this.codec.decode(openid)): Membership {
    const i = index;
    if (i >= 0) {
      if (i >= this.#count) return Membership.NotFollowing;
    } else if (!this.#explicitPos.has(openid)) {
      return Membership.Foreign;
    }
    return this.#unfollowed.size !== 0 && this.#unfollowed.has(openid) ? Membership.NotFollowing : Membership.Follower;
  }

  /** The openid at `position` in user/get order (unfollowed ones included). */
  at(position: number): string {
    return position < this.#explicit.length ? this.#explicit[position] : this.codec.encode(position - this.#explicit.length);
  }

  /** How many positions there are, unfollowed ones included. */
  get length(): number {
    return this.#explicit.length + this.#count;
  }

  unfollow(openid: string): void {
    const m = this.membership(openid);
    if (m === Membership.Foreign) throw new SandboxError(`${openid} is not a follower of this account`, 404);
    if (m === Membership.Follower) this.#unfollowed.add(openid);
  }

  /** Follows again (or, for a new openid, joins the explicit list). */
  follow(openid: string): void {
    if (this.#unfollowed.delete(openid)) return;
    const i = this.codec.decode(openid);
    if (i >= 0) {
      if (i >= this.#count) throw new SandboxError(`${openid} is derived follower #${i}: raise the follower count instead`);
      return;
    }
    if (!this.#explicitPos.has(openid)) {
      this.#explicitPos.set(openid, this.#explicit.length);
      this.#explicit.push(openid);
    }
  }

  /**
   * The position after `openid` (user/get's next_openid), or undefined for an openid of another account.
   * An openid past the end gives a position past the end: an empty page.
   */
  positionAfter(openid: string): number | undefined {
    const e = this.#explicitPos.get(openid);
    if (e !== undefined) return e + 1;
    const i = this.codec.decode(openid);
    return i >= 0 ? this.#explicit.length + i + 1 : undefined;
  }

  /** Up to `limit` followers from `position` on, skipping those who unfollowed. */
  page(position: number, limit: number): string[] {
    const out: string[] = [];
    const end = this.length;
    const skip = this.#unfollowed.size !== 0;
    for (let p = position; p < end && out.length < limit; p++) {
      const openid = this.at(p);
      if (skip && this.#unfollowed.has(openid)) continue;
      out.push(openid);
    }
    return out;
  }

  /** Followers number offset .. offset+limit-1 (counting followers, not positions). */
  slice(offset: number, limit: number): string[] {
    if (this.#unfollowed.size === 0) return this.page(offset, limit);
    let position = 0;
    for (let skipped = 0; skipped < offset && position < this.length; position++) {
      if (!this.#unfollowed.has(this.at(position))) skipped++;
    }
    return this.page(position, limit);
  }

  /** What `restore` takes back (the state file of `wxplat sandbox --state`). */
  snapshot(): FollowersSnapshot {
    return { count: this.#count, explicit: [...this.#explicit], unfollowed: [...this.#unfollowed] };
  }

  restore(s: FollowersSnapshot): void {
    if (s.explicit.length > 0) this.setList(s.explicit);
    else this.setCount(s.count);
    for (const openid of s.unfollowed) this.#unfollowed.add(openid);
  }

  /** The derived index of `openid`, or -1 (explicit openids and foreign ones). */
  derivedIndex(openid: string): number {
    return this.codec.decode(openid);
  }
}
