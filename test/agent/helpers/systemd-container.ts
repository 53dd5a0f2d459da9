/**
 * systemd as PID 1 in a container of the test dockerd, for units as the
 * hosts run them: this machine's systemd (252, as on Amazon Linux 2023) from
 * its /usr, mounted read-only into an otherwise empty root. No network: the
 * units under test get stand-ins for what they would call.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { waitFor } from "./test-env";

const run = promisify(execFile);

/** What to mount: host path → container path (read-only unless `rw`). */
export interface Mount {
  readonly host: string;
  readonly container: string;
  readonly rw?: boolean;
}

/** A running container with systemd as PID 1. */
export class SystemdContainer {
  private constructor(
    private readonly dockerHost: string,
    readonly name: string,
    private readonly image: string,
    private readonly rootDir: string,
  ) {}

  /** The host's systemd binary, which the container runs. */
  static readonly SYSTEMD = "/usr/lib/systemd/systemd";

  /** Imports an empty root and starts systemd in it; waits until it is up. */
  static async start(dockerHost: string, name: string, mounts: readonly Mount[]): Promise<SystemdContainer> {
    const rootDir = mkdtempSync(join(tmpdir(), "systemd-root-"));
    for (const dir of ["etc/systemd/system", "run", "tmp", "var/tmp", "var/lib", "proc", "sys", "dev", "usr", "opt", "root"]) mkdirSync(join(rootDir, dir), { recursive: true });
    for (const [link, target] of [["bin", "usr/bin"], ["lib", "usr/lib"], ["lib64", "usr/lib64"], ["sbin", "usr/sbin"]]) symlinkSync(target, join(rootDir, link));
    writeFileSync(join(rootDir, "etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n");
    // docker, and the group the DNS agent's install adds for its Docker proxy's socket.
    writeFileSync(join(rootDir, "etc/group"), "root:x:0:\ndocker:x:999:\necsdns-docker:x:998:\n");
    writeFileSync(join(rootDir, "etc/machine-id"), "0123456789abcdef0123456789abcdef\n");
    copyFileSync("/usr/lib/os-release", join(rootDir, "etc/os-release"));
    const image = `ecsdns-test/${name}:1`;
    const container = new SystemdContainer(dockerHost, name, image, rootDir);
    await container.shell(`tar -C '${rootDir}' -c . | docker import - '${image}' >/dev/null`);
    await container.docker(
      "run", "-d", "--name", name,
      // All capabilities this machine can grant (it lacks CAP_SYS_RESOURCE), no seccomp or AppArmor
      // profile, and a cgroup namespace of its own in which systemd mounts its hierarchy.
      "--cap-add=ALL", "--cap-drop=SYS_RESOURCE",
      "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined", "--security-opt", "systempaths=unconfined",
      "--cgroupns=private", "--network", "none", "-e", "container=docker",
      "--tmpfs", "/run", "--tmpfs", "/run/lock", "--tmpfs", "/tmp", "--mount", "type=tmpfs,destination=/sys/fs/cgroup",
      "-v", "/usr:/usr:ro",
      ...mounts.flatMap((m) => ["-v", `${m.host}:${m.container}:${m.rw ? "rw" : "ro"}`]),
      image, SystemdContainer.SYSTEMD,
    );
    await waitFor("systemd in the container", async () => {
      const state = await container.exec("systemctl", "is-system-running").then((r) => r.stdout.trim(), (e: { stdout?: string }) => e.stdout?.trim());
      return state === "running" || state === "degraded" ? state : undefined;
    }, 60_000, 250);
    return container;
  }

  /** Runs a command in the container. */
  exec(...command: string[]): Promise<{ stdout: string; stderr: string }> {
    return this.docker("exec", this.name, ...command);
  }

  /** `systemctl show -p <property> <unit>`'s value. */
  async property(unit: string, property: string): Promise<string> {
    return (await this.exec("systemctl", "show", "--value", "-p", property, unit)).stdout.trim();
  }

  /** The journal of `units` (systemd's lines about them and their output), messages only. */
  async journal(...units: string[]): Promise<string> {
    return (await this.exec("journalctl", "--no-pager", "-o", "cat", ...units.flatMap((u) => ["-u", u]))).stdout;
  }

  async remove(): Promise<void> {
    await this.docker("rm", "-f", this.name).catch(() => undefined);
    await this.docker("rmi", "-f", this.image).catch(() => undefined);
    rmSync(this.rootDir, { recursive: true, force: true });
  }

  private docker(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run("docker", args, { env: { ...process.env, DOCKER_HOST: this.dockerHost }, timeout: 60_000 });
  }

  private shell(script: string): Promise<{ stdout: string; stderr: string }> {
    return run("bash", ["-c", script], { env: { ...process.env, DOCKER_HOST: this.dockerHost }, timeout: 120_000 });
  }
}
