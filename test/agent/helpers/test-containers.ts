/**
 * Real containers from the busybox test image: each serves HTTP on 8080,
 * published on a dynamic host port bound to 127.0.0.1, labelled so the test
 * file can remove exactly its own.
 */
import Docker from "dockerode";
import { waitFor, type TestEnv } from "./test-env";

/** What a test asks for. */
export interface ContainerSpec {
  readonly env?: Record<string, string>;
  readonly labels?: Record<string, string>;
  /** Docker restart policy, e.g. `always` for the Docker-restart test. */
  readonly restart?: "no" | "always";
}

/** A started container and the host port Docker gave its port 8080. */
export interface TestContainer {
  readonly id: string;
  readonly hostPort: number;
}

/** Containers of one test file. */
export class TestContainers {
  readonly docker: Docker;

  constructor(
    private readonly env: TestEnv,
    /** Value of the `ecsdns-test` label on every container of this file. */
    readonly tag: string,
  ) {
    this.docker = new Docker();
  }

  /** Creates and starts a container; resolves with its published port. */
  async start(spec: ContainerSpec = {}): Promise<TestContainer> {
    const container = await this.docker.createContainer({
      Image: this.env.image,
      Cmd: ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"],
      Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Labels: { "ecsdns-test": this.tag, ...(spec.labels ?? {}) },
      ExposedPorts: { "8080/tcp": {} },
      // httpd as PID 1 ignores SIGTERM; without this a daemon restart waits 10 s per container.
      StopTimeout: 1,
      HostConfig: {
        PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] },
        RestartPolicy: { Name: spec.restart ?? "no" },
      },
    });
    await container.start();
    return { id: container.id, hostPort: await this.hostPort(container.id) };
  }

  /** The host port currently published for container port 8080. */
  async hostPort(id: string): Promise<number> {
    const info = await this.docker.getContainer(id).inspect();
    return Number(info.NetworkSettings.Ports["8080/tcp"]?.[0]?.HostPort);
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
