/**
 * One shared dockerd, and one test restarts it: the agent's integration
 * files take this lock so that they never run at the same time (jest runs
 * files in parallel workers). A lock whose holder died is taken over.
 */
import fs from "node:fs";
import path from "node:path";
import { waitFor } from "./test-env";

/** Takes the lock (waiting up to `timeoutMs`); returns its release. */
export async function acquireDockerLock(envDir: string, timeoutMs = 240_000): Promise<() => void> {
  const dir = path.join(envDir, "agent-docker.lock");
  await waitFor(
    "the agent's Docker test lock",
    async () => {
      try {
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, "pid"), String(process.pid));
        return true;
      } catch {
        if (holderIsDead(dir)) fs.rmSync(dir, { recursive: true, force: true });
        return false;
      }
    },
    timeoutMs,
    200,
  );
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

function holderIsDead(dir: string): boolean {
  try {
    const pid = Number(fs.readFileSync(path.join(dir, "pid"), "utf8"));
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
