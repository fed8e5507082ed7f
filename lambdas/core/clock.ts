/** Time source, injected so tests and the demo control "now". */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock fixed at (or advanced from) a given instant, for tests and the demo. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
}

/**
 * A clock that reads `start` at the moment it is made and then runs at real speed: the
 * demo's "as of" clock (`export-watch demo --now`), so a pinned demo still sees time pass
 * between its cycles.
 */
export function clockStartingAt(start: Date | string, base: Clock = systemClock): Clock {
  const offset = new Date(start).getTime() - base.now().getTime();
  return { now: () => new Date(base.now().getTime() + offset) };
}

/** Sleep that tests can replace. */
export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
