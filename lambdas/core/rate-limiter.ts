import { realSleep, type Sleep } from './clock.ts';

/**
 * Spaces calls so that at most `perSecond` start in any second. Callers queue in order;
 * one limiter is shared by every request to a host group (all SEC hosts together).
 */
export class RateLimiter {
  private nextSlot = 0;
  private readonly intervalMs: number;
  constructor(
    perSecond: number,
    private readonly sleep: Sleep = realSleep,
    private readonly nowMs: () => number = Date.now,
  ) {
    if (!(perSecond > 0)) throw new RangeError('perSecond must be > 0');
    this.intervalMs = 1000 / perSecond;
  }

  /** Resolves when the caller may start its request. */
  async acquire(): Promise<void> {
    const now = this.nowMs();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.intervalMs;
    const wait = slot - now;
    if (wait > 0) await this.sleep(wait);
  }
}
