/**
 * A moto of one test file (scripts/emulator/moto_server.py on a free port),
 * so that a case can restart it empty without disturbing the files that share
 * the moto of `npm test`.
 *
 * Route53 zone ids come from moto's random generator
 * (moto/route53/models.py, create_route53_zone_id: 22 choices of
 * `mock_random`), which moto lets a client seed (`POST /moto-api/seed?a=<n>`).
 * Seeding the same number before creating the same zone on a fresh moto gives
 * the zone the id it had, which is what an agent configured with that zone id
 * needs in order to find "its" zone again after the emulator forgot everything.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { waitFor } from "../../agent/helpers/test-env";
import { freePort } from "./fault-world";

const ROOT = path.resolve(__dirname, "../../..");

/** One moto server process, restartable on the same port. */
export class OwnMoto {
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly logFile: string,
  ) {}

  /** Starts moto on a free port; its log goes to `<logDir>/own-moto-<port>.log`. */
  static async start(logDir: string): Promise<OwnMoto> {
    const port = await freePort();
    const moto = new OwnMoto(port, path.join(logDir, `own-moto-${port}.log`));
    await moto.up();
    return moto;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Seeds moto's random generator, so the next ids it makes are the ones it made after the same seed. */
  async seed(seed: number): Promise<void> {
    const res = await fetch(`${this.url}/moto-api/seed?a=${seed}`, { method: "POST" });
    if (!res.ok) throw new Error(`moto refused the seed: HTTP ${res.status}`);
  }

  /** Stops moto (all its state is lost) and starts it again, empty, on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.up();
  }

  /** Stops the process: SIGTERM, then SIGKILL after 10 s. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private async up(): Promise<void> {
    const log = fs.openSync(this.logFile, "a");
    this.child = spawn("python3", [path.join(ROOT, "scripts/emulator/moto_server.py"), "-H", "127.0.0.1", "-p", String(this.port)], {
      cwd: ROOT,
      stdio: ["ignore", log, log],
    });
    fs.closeSync(log);
    const child = this.child;
    await waitFor(
      `moto on port ${this.port}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`moto exited with ${child.exitCode}; see ${this.logFile}`);
        return (await fetch(`${this.url}/moto-api/`)).ok;
      },
      30_000,
      100,
    );
  }
}
