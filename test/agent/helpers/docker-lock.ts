/**
 * One shared dockerd, and some tests restart it: the files that run
 * containers take this lock so that they never run at the same time (jest
 * runs files in parallel workers). The local lifecycle holds it for its
 * whole run (about 5 minutes, twice that when local:up starts over), so
 * every holder waits long enough for that.
 */
import { acquireLock } from "../../helpers/file-lock";

/** How long a file waits for the lock. */
export const DOCKER_LOCK_WAIT_MS = 20 * 60_000;
/** A `beforeAll` timeout for a file that takes the lock in it: the wait, and 5 minutes of its own work. */
export const BEFORE_ALL_WITH_DOCKER_LOCK_MS = DOCKER_LOCK_WAIT_MS + 5 * 60_000;

/** Takes the lock (waiting up to `timeoutMs`); returns its release. */
export function acquireDockerLock(envDir: string, timeoutMs = DOCKER_LOCK_WAIT_MS): Promise<() => void> {
  return acquireLock(envDir, "agent-docker", timeoutMs);
}
