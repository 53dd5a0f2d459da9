/**
 * A dockerd of a test's own, for the tests that restart Docker under a
 * running agent: started by scripts/test/test-env.sh (as `npm test` starts
 * the run's dockerd, with the busybox test image) in a folder of its own,
 * restarted by the same script, and stopped at the end. It works the same
 * whether or not `npm test` started the run's dockerd (a DOCKER_HOST given
 * by the user names a daemon no test may restart).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { missingCommand } from "../../helpers/real-parts";
import type { TestEnv } from "./test-env";

const run = promisify(execFile);
const ROOT = resolve(__dirname, "../../..");
const SCRIPT = join(ROOT, "scripts", "test", "test-env.sh");

/** What is missing to start a dockerd here, or `undefined`. */
export function missingForOwnDockerd(): string | undefined {
  if (process.getuid?.() !== 0) return "root, to start a dockerd of the test's own";
  return missingCommand("dockerd", "apt-get install docker.io");
}

/** A running dockerd of the test's own. */
export class OwnDockerd {
  private constructor(
    /** The run's environment with `dockerHost` naming this daemon (`envDir` stays the run's: its Docker lock still applies). */
    readonly env: TestEnv,
    private readonly dir: string,
  ) {}

  /** Starts one (up to a minute) with the test image on it. */
  static async start(base: TestEnv): Promise<OwnDockerd> {
    const dir = mkdtempSync(join(base.envDir, "own-dockerd-"));
    try {
      const { stdout } = await run("bash", [SCRIPT, "up"], { cwd: ROOT, env: OwnDockerd.scriptEnv(base, dir), timeout: 120_000 });
      const dockerHost = /DOCKER_HOST=(\S+)/.exec(stdout)?.[1];
      if (!dockerHost) throw new Error(`test-env.sh up printed no DOCKER_HOST: ${stdout}`);
      return new OwnDockerd({ ...base, dockerHost }, dir);
    } catch (error) {
      await run("bash", [SCRIPT, "down"], { cwd: ROOT, env: OwnDockerd.scriptEnv(base, dir), timeout: 120_000 }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Stops and starts the daemon (containers with `restart: always` come back). */
  async restart(): Promise<void> {
    await run("bash", [SCRIPT, "restart-dockerd"], { cwd: ROOT, env: OwnDockerd.scriptEnv(this.env, this.dir), timeout: 120_000 });
  }

  /** Removes its containers and stops it. */
  async stop(): Promise<void> {
    await run("bash", [SCRIPT, "down"], { cwd: ROOT, env: OwnDockerd.scriptEnv(this.env, this.dir), timeout: 120_000 });
    rmSync(this.dir, { recursive: true, force: true });
  }

  // The run's moto (MOTO_URL set: the script starts none), no DOCKER_HOST (it starts a dockerd), this folder.
  private static scriptEnv(base: TestEnv, dir: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, MOTO_URL: base.motoUrl, TEST_IMAGE: base.image, TEST_ENV_DIR: dir };
    delete env.DOCKER_HOST;
    return env;
  }
}
