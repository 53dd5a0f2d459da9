/**
 * The agent as installed listens on the host's fixed ports (its unit gives
 * `--metrics-host 127.0.0.1` and the default `--metrics-port 7979`), and this
 * machine plays the host for every test that runs it so: they take this lock
 * so that two such agents never run at once.
 */
import { acquireLock } from "../../helpers/file-lock";

/** Takes the lock (waiting up to `timeoutMs`); returns its release. */
export function acquireHostPortsLock(envDir: string, timeoutMs = 900_000): Promise<() => void> {
  return acquireLock(envDir, "installed-agent-host-ports", timeoutMs);
}
