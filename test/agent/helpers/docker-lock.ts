/**
 * One shared dockerd, and some tests restart it: the files that run
 * containers take this lock so that they never run at the same time (jest
 * runs files in parallel workers).
 */
import { acquireLock } from "../../helpers/file-lock";

/** Takes the lock (waiting up to `timeoutMs`); returns its release. */
export function acquireDockerLock(envDir: string, timeoutMs = 240_000): Promise<() => void> {
  return acquireLock(envDir, "agent-docker", timeoutMs);
}
