import { readFileSync } from "node:fs";

/**
 * Whether `pid` still runs. A process that outlives its starter (the
 * emulator, a local host) has init as its parent; where init does not reap
 * (some containers and microVMs), it stays a zombie after it exited, which
 * `kill(pid, 0)` still finds. A zombie has stopped.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc: kill(pid, 0) is all there is
  }
}

/**
 * Stops the process `pid`: SIGTERM, then SIGKILL after `graceMs`. Resolves
 * false when it was not running.
 */
export async function stopProcess(pid: number, graceMs = 10_000): Promise<boolean> {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return false; // already gone
  }
  const deadline = Date.now() + graceMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // exited meanwhile
      }
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}
