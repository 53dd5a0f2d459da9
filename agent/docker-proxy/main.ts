/**
 * The DNS agent's read-only door to Docker (`ecsdns-docker-proxy.service`):
 * listens where systemd's socket unit says (`LISTEN_FDS`, socket activation)
 * or on `--listen <path>`, and forwards to `--docker-socket` only what the
 * allow-list lets through (allow-list.ts). The agent's unit has no access to
 * Docker's own socket.
 *
 * Exit codes: 0 stopped by SIGTERM/SIGINT, 1 runtime failure, 2 bad arguments.
 */
import { parseArgs } from "node:util";
import { createLogger } from "../../cli/logger";
import { createDockerProxy } from "./docker-proxy";

/** The first fd systemd passes (sd_listen_fds(3)). */
const SD_LISTEN_FDS_START = 3;

function usage(problem: string): never {
  process.stderr.write(`ecsdns docker proxy: ${problem}\nusage: docker-proxy.js [--docker-socket /var/run/docker.sock] [--listen <socket path>] (or socket-activated by systemd)\n`);
  process.exit(2);
}

function main(): void {
  let values: { "docker-socket"?: string; listen?: string };
  try {
    ({ values } = parseArgs({ options: { "docker-socket": { type: "string" }, listen: { type: "string" } }, strict: true }));
  } catch (error) {
    usage((error as Error).message);
  }
  const activated = process.env.LISTEN_PID === String(process.pid) && process.env.LISTEN_FDS === "1";
  if (!activated && !values.listen) usage("no socket: pass --listen <path>, or start it from a systemd socket unit (one ListenStream=)");
  const dockerSocket = values["docker-socket"] ?? "/var/run/docker.sock";
  const logger = createLogger("info", { app: "ecsdns-docker-proxy" });
  const server = createDockerProxy({ dockerSocket, logger });
  server.on("error", (error) => {
    logger.error({ err: error }, "the proxy's socket failed");
    process.exit(1);
  });
  const listening = () => logger.info({ dockerSocket, listen: activated ? "socket activation" : values.listen }, "ecsdns docker proxy listening");
  if (activated) server.listen({ fd: SD_LISTEN_FDS_START }, listening);
  else server.listen(values.listen, listening);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      server.close();
      server.closeAllConnections();
      process.exit(0);
    });
  }
}

main();
