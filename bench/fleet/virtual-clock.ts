/**
 * A virtual clock for the fleet benchmark: `Date`, `setTimeout` and
 * `setInterval` faked by @sinonjs/fake-timers (the clock jest's fake timers
 * use), driven timer by timer. Between two timers every promise settles
 * (a real `setImmediate`, left unfaked, lets the microtasks run), so hundreds
 * of agents and the in-memory Route53 run an hour of fleet life in minutes.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const FakeTimers = require("@sinonjs/fake-timers") as {
  install(config: { now: number; toFake: string[]; loopLimit?: number }): InstalledClock;
};

interface InstalledClock {
  now: number;
  next(): number;
  countTimers(): number;
  uninstall(): void;
}

const realSetImmediate = setImmediate;
const settle = () => new Promise<void>((resolve) => realSetImmediate(resolve));

/** The installed clock; {@link VirtualClock.uninstall} gives the real one back. */
export class VirtualClock {
  private readonly clock: InstalledClock;
  /** Timers fired so far. */
  fired = 0;

  constructor(startMs = 0) {
    this.clock = FakeTimers.install({ now: startMs, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"], loopLimit: 10_000_000 });
  }

  get now(): number {
    return this.clock.now;
  }

  /** Runs every timer due up to `atMs`, letting promises settle after each. */
  async runUntil(atMs: number): Promise<void> {
    let reached = false;
    setTimeout(() => (reached = true), Math.max(0, atMs - this.clock.now));
    await settle();
    while (!reached) {
      this.clock.next();
      this.fired += 1;
      await settle();
    }
  }

  uninstall(): void {
    this.clock.uninstall();
  }
}
