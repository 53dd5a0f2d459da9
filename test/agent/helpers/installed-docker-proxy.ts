/**
 * The Docker proxy as the user data installs it: its unit's `ExecStart`, as
 * written, on Node.js 22, socket-activated the way its socket unit does
 * (`systemd-socket-activate`, systemd's own tool: `LISTEN_FDS`, the first
 * connection starts it), in front of the test's dockerd. Only the node
 * binary's, the bundle's and the two sockets' paths differ from a host.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { DOCKER_PROXY_PATH, DOCKER_PROXY_SOCKET, DOCKER_PROXY_SOCKET_UNIT, DOCKER_PROXY_UNIT } from "../../../modules/dns-agent-install";
import type { WrittenUnit } from "../../../scripts/local/installed-agent";
import { execStart, serviceEnvironment, setting } from "../../../scripts/local/systemd-unit";

/** A running proxy. */
export interface InstalledDockerProxy {
  /** `DOCKER_HOST` for a client of the proxy. */
  readonly dockerHost: string;
  /** What the proxy (and systemd-socket-activate) printed. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts the proxy of `units` (the user data's) on `socketPath`, in front of Docker at `dockerHost` (`unix://...`). */
export function startInstalledDockerProxy(
  units: readonly WrittenUnit[],
  local: { readonly node: string; readonly bundle: string; readonly socketPath: string; readonly dockerHost: string },
): InstalledDockerProxy {
  const unit = (name: string) => {
    const found = units.find((u) => u.unitName === name);
    if (!found) throw new Error(`the user data writes no ${name}`);
    return found.unit;
  };
  const socketUnit = unit(DOCKER_PROXY_SOCKET_UNIT);
  if (setting(socketUnit, "Socket", "ListenStream") !== DOCKER_PROXY_SOCKET) throw new Error(`${DOCKER_PROXY_SOCKET_UNIT} does not listen on ${DOCKER_PROXY_SOCKET}`);
  const service = unit(DOCKER_PROXY_UNIT);
  const [, ...args] = execStart(service, serviceEnvironment(service));
  const dockerSocket = local.dockerHost.replace(/^unix:\/\//, "");
  const localArgs = args.map((arg) => (arg === DOCKER_PROXY_PATH ? local.bundle : arg === "/var/run/docker.sock" ? dockerSocket : arg));
  if (!localArgs.includes(local.bundle) || !localArgs.includes(dockerSocket)) throw new Error(`unexpected ExecStart in ${DOCKER_PROXY_UNIT}: ${args.join(" ")}`);
  let output = "";
  const child: ChildProcess = spawn("systemd-socket-activate", ["--listen", local.socketPath, local.node, ...localArgs], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...serviceEnvironment(service) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  return {
    dockerHost: `unix://${local.socketPath}`,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
