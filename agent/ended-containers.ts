/**
 * What Docker's events say about containers that its container list may not
 * show yet. Pure: no I/O, no clock.
 *
 * dockerd 20.10 logs `die` before it writes the stopped state the list is
 * answered from (it cleans up in between: unmounts, releases the network),
 * so on a busy host the pass after `die` can list the dead container as
 * running, and nothing else wakes the agent until the next resync
 * (issue 17). The event's meaning wins: a container that an event ended is
 * not listed, whatever the list says, until a later `start` (or `unpause`)
 * of the same id.
 */
import type { ContainerEvent } from "./ports";

/** Signals after which a container is gone: SIGKILL cannot be caught. */
const FATAL_SIGNALS: ReadonlySet<string> = new Set(["9", "KILL", "SIGKILL"]);

/**
 * Whether `event` ends the container's service (`true`), brings it back
 * (`false`), or says nothing about it (`undefined`).
 *
 * - `die`, `stop`, `kill` with SIGKILL: the main process is gone.
 * - `pause`: the processes are frozen and answer nothing.
 * - `start`, `unpause`: serving again.
 * - `kill` with another signal (SIGHUP to reload, SIGTERM that the process
 *   may handle and survive) and `oom` (the OOM killer may have hit a child
 *   process only) end nothing by themselves; when the container does end,
 *   `die` follows. They still wake a pass.
 */
export function endsService(event: ContainerEvent): boolean | undefined {
  switch (event.action) {
    case "die":
    case "stop":
    case "pause":
      return true;
    case "kill":
      return event.signal !== undefined && FATAL_SIGNALS.has(event.signal.toUpperCase()) ? true : undefined;
    case "start":
    case "unpause":
      return false;
    default:
      return undefined;
  }
}

/**
 * Containers that events ended, to be left out of a container list that has
 * not caught up. An entry is forgotten on `start`/`unpause`/`destroy`, and
 * once a list taken after the event no longer shows the container (the list
 * has caught up), so the set holds only what is in flight.
 */
export class EndedContainers {
  /** Container id → the sequence number of the event that ended it. */
  private readonly ended = new Map<string, number>();
  private sequence = 0;

  /** Takes one event into account, in stream order. */
  observe(event: ContainerEvent): void {
    this.sequence += 1;
    const ends = event.action === "destroy" ? false : endsService(event);
    if (ends === true) this.ended.set(event.containerId, this.sequence);
    else if (ends === false) this.ended.delete(event.containerId);
  }

  /**
   * Forgets everything: a new event stream may follow missed events (a
   * container that started again while the stream was down must not stay
   * hidden); the full pass after it reads the list afresh.
   */
  clear(): void {
    this.ended.clear();
  }

  /** A mark to pass to {@link filter} for a list requested now. */
  mark(): number {
    return this.sequence;
  }

  /** Whether `id` is ended by an event. */
  has(id: string): boolean {
    return this.ended.has(id);
  }

  /**
   * `listed` (requested at `mark`) without the ended containers. Entries
   * older than `mark` that the list no longer shows are forgotten: a list
   * requested after their event has caught up with it.
   */
  filter<T>(listed: readonly T[], idOf: (item: T) => string, mark: number): T[] {
    const shown = new Set(listed.map(idOf));
    for (const [id, seq] of this.ended) if (seq <= mark && !shown.has(id)) this.ended.delete(id);
    return listed.filter((c) => !this.ended.has(idOf(c)));
  }

  /** Number of containers held out (for tests and logs). */
  get size(): number {
    return this.ended.size;
  }
}
