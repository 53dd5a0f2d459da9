/**
 * The benchmark's own real parts: a moto server and a private dockerd
 * started by scripts/test/test-env.sh in a TEST_ENV_DIR of its own, a hosted
 * zone, and containers from the busybox test image.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Change } from "@aws-sdk/client-route-53";
import Docker from "dockerode";
import { EmulatorZone, emulatorRoute53 } from "../../test/helpers/zones";

const run = promisify(execFile);
/** The repository root. */
export const ROOT = path.resolve(__dirname, "../..");

/** What `scripts/test/test-env.sh up` exported. */
export interface BenchEnv {
  readonly motoUrl: string;
  readonly dockerHost: string;
  readonly image: string;
  readonly envDir: string;
}

/** Starts moto and dockerd in a fresh TEST_ENV_DIR. */
export async function envUp(): Promise<BenchEnv> {
  const envDir = mkdtempSync(path.join(os.tmpdir(), "ecsdns-bench-"));
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TEST_ENV_DIR: envDir };
  // Use what the caller already runs only if they say so; otherwise our own.
  for (const k of ["MOTO_URL", "DOCKER_HOST", "TEST_IMAGE"]) if (!process.env[`BENCH_${k}`]) delete childEnv[k];
  const { stdout } = await run("bash", ["scripts/test/test-env.sh", "up"], { cwd: ROOT, env: childEnv, timeout: 180_000 });
  const vars = Object.fromEntries([...stdout.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
  return { motoUrl: vars.MOTO_URL, dockerHost: vars.DOCKER_HOST, image: vars.TEST_IMAGE, envDir };
}

/** Stops what envUp started and removes its state directory (keeps it, with the logs, if stopping fails). */
export async function envDown(env: BenchEnv): Promise<void> {
  await run("bash", ["scripts/test/test-env.sh", "down"], { cwd: ROOT, env: { ...process.env, TEST_ENV_DIR: env.envDir }, timeout: 180_000 });
  rmSync(env.envDir, { recursive: true, force: true });
}

/** The benchmark's hosted zone (test/helpers/zones.ts). */
export class BenchZone extends EmulatorZone {
  /** Creates `bench-<time>.internal.` in the benchmark's emulator. */
  static async createFor(env: BenchEnv): Promise<BenchZone> {
    return BenchZone.create(emulatorRoute53(env.motoUrl), `bench-${Date.now().toString(36)}.internal.`);
  }

  /** Number of record sets in the zone (reads every page). */
  async count(): Promise<number> {
    return (await this.records()).length;
  }

  /** Adds simple A records made by "someone else" until the zone holds `total` record sets. */
  async fillTo(total: number): Promise<void> {
    let missing = total - (await this.count());
    let i = 0;
    while (missing > 0) {
      const n = Math.min(1000, missing);
      const changes: Change[] = Array.from({ length: n }, () => ({
        Action: "CREATE",
        ResourceRecordSet: { Name: `filler-${String(i++).padStart(5, "0")}.${this.name}`, Type: "A", TTL: 300, ResourceRecords: [{ Value: "192.0.2.1" }] },
      }));
      await this.change(changes);
      missing -= n;
    }
  }
}

/** Busybox httpd containers publishing 8080 on a dynamic port at 127.0.0.1. */
export class BenchContainers {
  readonly docker = new Docker();
  readonly tag = `bench-${Date.now().toString(36)}`;

  constructor(private readonly env: BenchEnv) {}

  /** Creates (does not start) a container with the given environment. */
  async create(containerEnv: Record<string, string>): Promise<Docker.Container> {
    return this.docker.createContainer({
      Image: this.env.image,
      Cmd: ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"],
      Env: Object.entries(containerEnv).map(([k, v]) => `${k}=${v}`),
      Labels: { "ecsdns-bench": this.tag },
      ExposedPorts: { "8080/tcp": {} },
      StopTimeout: 1,
      HostConfig: { PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] } },
    });
  }

  /** Removes every container of this run. */
  async removeAll(): Promise<void> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [`ecsdns-bench=${this.tag}`] } });
    await Promise.all(list.map((c) => this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  }
}
