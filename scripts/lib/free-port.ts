import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now, below the
 * kernel's ephemeral range: the emulator starts on it seconds later, and a
 * port from that range could meanwhile become the local end of some
 * outgoing connection (seen here: "Address already in use").
 */
export async function freePort(): Promise<number> {
  const ephemeralFrom = ephemeralRangeStart();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * Math.max(1, ephemeralFrom - 20000));
    if (await canListen(port)) return port;
  }
  return listenOn(0); // the kernel's choice
}

function ephemeralRangeStart(): number {
  try {
    const start = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return start > 21000 ? start : 32768;
  } catch {
    return 32768;
  }
}

async function canListen(port: number): Promise<boolean> {
  try {
    await listenOn(port);
    return true;
  } catch {
    return false;
  }
}

/** Listen on `port` (0: any), close again, and return the port. */
function listenOn(port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      server.close(() => resolvePort(bound));
    });
  });
}
