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
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type Change,
} from "@aws-sdk/client-route-53";
import Docker from "dockerode";

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

/** The benchmark's hosted zone. */
export class BenchZone {
  private constructor(
    readonly client: Route53Client,
    readonly id: string,
    readonly name: string,
  ) {}

  static async create(env: BenchEnv): Promise<BenchZone> {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true"; // the agent is what runs on Node 20 here, and it knows
    const client = new Route53Client({ region: "us-east-1", endpoint: env.motoUrl, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const name = `bench-${Date.now().toString(36)}.internal.`;
    const out = await client.send(new CreateHostedZoneCommand({ Name: name, CallerReference: name }));
    return new BenchZone(client, out.HostedZone!.Id!.replace("/hostedzone/", ""), name);
  }

  /** Number of record sets in the zone (reads every page). */
  async count(): Promise<number> {
    const seen = new Set<string>();
    let start: { name?: string; type?: string } = {};
    for (;;) {
      const page = await this.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: this.id, StartRecordName: start.name, StartRecordType: start.type as never, MaxItems: 300 }));
      for (const r of page.ResourceRecordSets ?? []) seen.add(`${r.Name} ${r.Type} ${r.SetIdentifier ?? ""}`);
      if (!page.IsTruncated) return seen.size;
      start = { name: page.NextRecordName, type: page.NextRecordType };
    }
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
      await this.client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: this.id, ChangeBatch: { Changes: changes } }));
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
