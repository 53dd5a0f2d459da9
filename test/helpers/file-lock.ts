/**
 * A lock shared by the jest workers of one test run: a directory under the
 * run's TEST_ENV_DIR, taken with mkdir. A lock whose holder died is taken over.
 */
import fs from "node:fs";
import path from "node:path";
import { waitFor } from "../agent/helpers/test-env";

/** Takes the lock `name` (waiting up to `timeoutMs`); returns its release. */
export async function acquireLock(envDir: string, name: string, timeoutMs: number): Promise<() => void> {
  const dir = path.join(envDir, `${name}.lock`);
  await waitFor(
    `the test lock ${name}`,
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
