import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { freePort } from "../../scripts/lib/free-port";

/** The first port of the kernel's ephemeral range (Linux). */
const ephemeralRangeStart = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);

const listen = (port: number) =>
  new Promise<Server>((done, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(port, "127.0.0.1", () => done(server));
  });

test("picks free ports from 20000 up to the kernel's ephemeral range, where no outgoing connection takes them", async () => {
  // GIVEN: the usual range, which starts well above 20000
  expect(ephemeralRangeStart).toBeGreaterThan(21000);
  // WHEN
  const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
  // THEN: each is in range, and something can listen on it
  for (const port of ports) {
    expect(port).toBeGreaterThanOrEqual(20000);
    expect(port).toBeLessThan(ephemeralRangeStart);
    const server = await listen(port);
    await new Promise((done) => server.close(done));
  }
});
