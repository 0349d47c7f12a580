// The sandbox's own time: the clock it was given plus whatever the control API has moved it by.
// WeChat counts days and months in Beijing time (UTC+8), so the daily quota and the monthly
// industry rule do too.
import type { Clock } from '../clock.js';

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 86_400_000;

export class SandboxTime {
  #offsetMs = 0;
  constructor(private readonly clock: Clock) {}

  /** Milliseconds since the epoch. */
  now(): number {
    return this.clock.now().getTime() + this.#offsetMs;
  }

  seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  advance(seconds: number): void {
    this.#offsetMs += seconds * 1000;
  }

  /** Days since the epoch, in Beijing time: the quota day. */
  static day(ms: number): number {
    return Math.floor((ms + BEIJING_OFFSET_MS) / DAY_MS);
  }

  /** Year * 12 + month, in Beijing time: the industry-change month. */
  static month(ms: number): number {
    const d = new Date(ms + BEIJING_OFFSET_MS);
    return d.getUTCFullYear() * 12 + d.getUTCMonth();
  }
}
