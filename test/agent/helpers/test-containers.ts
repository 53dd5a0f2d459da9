/**
 * Real containers from the busybox test image: each serves HTTP on 8080,
 * published on a dynamic host port bound to 127.0.0.1 (not on every address
 * of the machine), labelled so the test file can remove exactly its own.
 *
 * The agent publishes only bindings that answer at its `--host-ip` (or on
 * 0.0.0.0), so agents under test run with `--host-ip 127.0.0.1`
 * ({@link TEST_HOST_IP}), or another loopback address their containers are
 * bound to with `bindTo`.
 */
import Docker from "dockerode";
import { waitFor, type TestEnv } from "./test-env";

/** The `--host-ip` of agents under test: where test containers publish by default. */
export const TEST_HOST_IP = "127.0.0.1";

/** A client of the Docker engine at `dockerHost` (`unix:///path` or `tcp://host:port`), not of whatever DOCKER_HOST says. */
export function dockerAt(dockerHost: string): Docker {
  const url = new URL(dockerHost);
  if (url.protocol === "unix:") return new Docker({ socketPath: url.pathname });
  if (url.protocol === "tcp:") return new Docker({ host: url.hostname, port: Number(url.port) });
  throw new Error(`unsupported Docker host ${dockerHost}: expected unix:///path or tcp://host:port`);
}

/** What a test asks for. */
export interface ContainerSpec {
  readonly env?: Record<string, string>;
  readonly labels?: Record<string, string>;
  /** Docker restart policy, e.g. `always` for the Docker-restart test. */
  readonly restart?: "no" | "always";
  /**
   * Host addresses to publish port 8080 on, one binding each: `""` is every
   * address, as `-p 8080` asks (Docker binds `0.0.0.0` and `::`), `0.0.0.0`
   * every IPv4 address only. @default [TEST_HOST_IP]
   */
  readonly bindTo?: readonly string[];
  /** `HostConfig.NetworkMode`, e.g. `container:<id>` (then nothing can be published). @default Docker's bridge */
  readonly networkMode?: string;
  /** A Docker healthcheck (`--health-cmd`), run every second; one failure makes the container unhealthy. */
  readonly healthCmd?: string;
  /** The command. @default busybox httpd on 8080 */
  readonly cmd?: readonly string[];
}

/** A started container and the host ports Docker gave its port 8080. */
export interface TestContainer {
  readonly id: string;
  /** The host port of the first address in `bindTo` (of `0.0.0.0` for `""`; 0 when nothing is published). */
  readonly hostPort: number;
  /** Host port per host address Docker bound (`0.0.0.0`, `::`, `127.0.0.1`, ...). */
  readonly bindings: Readonly<Record<string, number>>;
}

/** Containers of one test file. */
export class TestContainers {
  readonly docker: Docker;

  constructor(
    private readonly env: TestEnv,
    /** Value of the `ecsdns-test` label on every container of this file. */
    readonly tag: string,
  ) {
    this.docker = dockerAt(env.dockerHost);
  }

  /** Creates and starts a container; resolves with its published ports. */
  async start(spec: ContainerSpec = {}): Promise<TestContainer> {
    const bindTo = spec.bindTo ?? [TEST_HOST_IP];
    const shared = spec.networkMode?.startsWith("container:") ?? false;
    const container = await this.docker.createContainer({
      Image: this.env.image,
      Cmd: [...(spec.cmd ?? ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"])],
      Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Labels: { "ecsdns-test": this.tag, ...(spec.labels ?? {}) },
      // A container in another's network namespace can neither expose nor publish ports.
      ExposedPorts: shared ? undefined : { "8080/tcp": {} },
      // httpd as PID 1 ignores SIGTERM; without this a daemon restart waits 10 s per container.
      StopTimeout: 1,
      ...(spec.healthCmd ? { Healthcheck: { Test: ["CMD-SHELL", spec.healthCmd], Interval: 1e9, Timeout: 1e9, Retries: 1 } } : {}),
      HostConfig: {
        ...(shared ? {} : { PortBindings: { "8080/tcp": bindTo.map((HostIp) => ({ HostIp, HostPort: "" })) } }),
        ...(spec.networkMode ? { NetworkMode: spec.networkMode } : {}),
        RestartPolicy: { Name: spec.restart ?? "no" },
      },
    });
    await container.start();
    const bindings = await this.bindings(container.id);
    return { id: container.id, hostPort: bindings[bindTo[0] || "0.0.0.0"] ?? 0, bindings };
  }

  /** The host port currently published for container port 8080 on `hostIp`. */
  async hostPort(id: string, hostIp = TEST_HOST_IP): Promise<number> {
    return (await this.bindings(id))[hostIp] ?? 0;
  }

  /** Host port of container port 8080 per host address, from `NetworkSettings.Ports`. */
  async bindings(id: string): Promise<Record<string, number>> {
    const info = await this.docker.getContainer(id).inspect();
    const list = (info.NetworkSettings.Ports?.["8080/tcp"] ?? []) as { HostIp: string; HostPort: string }[];
    return Object.fromEntries(list.map((b) => [b.HostIp, Number(b.HostPort)]));
  }

  /** Runs a command in a running container (`docker exec`) and resolves with its exit code. */
  async exec(id: string, cmd: readonly string[]): Promise<number | null> {
    const exec = await this.docker.getContainer(id).exec({ Cmd: [...cmd], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({});
    stream.resume();
    await new Promise((resolve) => stream.on("end", resolve));
    return (await exec.inspect()).ExitCode;
  }

  /** Docker's health status of a container (`State.Health.Status`). */
  async health(id: string): Promise<string | undefined> {
    return (await this.docker.getContainer(id).inspect()).State.Health?.Status;
  }

  /** Stops a container (a `die` event) and removes it. */
  async stop(id: string): Promise<void> {
    await this.docker.getContainer(id).remove({ force: true });
  }

  /** Removes every container of this file, retrying while Docker is busy (e.g. just restarted). */
  async removeAll(): Promise<void> {
    await waitFor(
      `containers labelled ecsdns-test=${this.tag} to be gone`,
      async () => {
        const list = await this.docker.listContainers({ all: true, filters: { label: [`ecsdns-test=${this.tag}`] } });
        await Promise.all(list.map((c) => this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
        return list.length === 0;
      },
      30_000,
      250,
    );
  }
}
