/**
 * The agent under systemd's notification protocol, as `Type=notify` with
 * `WatchdogSec=` runs it: the real `systemd-notify` sends to a socket that
 * plays PID 1's part (test/agent/helpers/notify_socket.py). What systemd
 * then does with the messages (restart a unit whose pings stop) is systemd's;
 * the unit's settings are checked in test/modules/dns-agent-install.test.ts.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentProcess } from "../helpers/agent-process";
import { NotifySocket } from "../helpers/notify-socket";
import { testEnv, waitFor } from "../helpers/test-env";
import { EmulatorZone } from "../../helpers/zones";

jest.setTimeout(90_000);

const env = testEnv();
let zone: EmulatorZone;

beforeAll(async () => {
  if (spawnSync("systemd-notify", ["--help"]).error) throw new Error("systemd-notify is not installed (it comes with systemd)");
  zone = await EmulatorZone.createUnique(env.motoUrl, "agent-watchdog");
});

afterEach(() => AgentProcess.killAll());
afterAll(async () => {
  await AgentProcess.killAll();
  await zone?.destroy();
});

const agentArgs = (hostId: string) => ["--zone-id", zone.id, "--zone-name", zone.name, "--host-id", hostId, "--host-ip", "10.0.9.1", "--metrics-port", "0", "--route53-burst", "0"];

test("with NOTIFY_SOCKET and WATCHDOG_USEC, it reports READY=1 after its first pass, then pings WATCHDOG=1 every half period", async () => {
  // GIVEN a notification socket, and a 2 s watchdog (the unit's is 60 s)
  const socket = await NotifySocket.open();
  try {
    // WHEN
    const agent = AgentProcess.start(env, agentArgs("h-notify"), { NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: "2000000" });
    const firstPass = await agent.waitForPass(0, 30_000);
    const readyAt = await waitFor("READY=1", async () => socket.messages.find((m) => m.message === "READY=1")?.atMs, 10_000, 50);
    await waitFor("three pings", async () => socket.sent().filter((m) => m === "WATCHDOG=1").length >= 3, 10_000, 100);
    // THEN READY first, then only pings, about a second apart
    const sent = socket.sent();
    expect(sent[0]).toBe("READY=1");
    expect(new Set(sent.slice(1))).toEqual(new Set(["WATCHDOG=1"]));
    expect(readyAt).toBeGreaterThanOrEqual(Date.parse(String(firstPass.time)) - 5);
    const pings = socket.messages.filter((m) => m.message === "WATCHDOG=1").map((m) => m.atMs);
    for (let i = 1; i < pings.length; i++) expect(pings[i] - pings[i - 1]).toBeGreaterThan(500);
    // AND each message waited for PID 1 to read it (a BARRIER=1 follows it), as NotifyAccess=all needs
    expect(socket.messages.filter((m) => m.message === "BARRIER=1").length).toBeGreaterThanOrEqual(sent.length - 1);
    // AND it stops as before
    expect(await agent.stop()).toBe(0);
    expect(agent.lines.filter((l) => l.level === "error" || l.level === "50")).toEqual([]);
  } finally {
    await socket.close();
  }
});

test("without NOTIFY_SOCKET it never runs systemd-notify", async () => {
  // GIVEN a systemd-notify stand-in first on PATH that records every call
  const dir = mkdtempSync(join(tmpdir(), "systemd-notify-stand-in-"));
  const calls = join(dir, "calls");
  writeFileSync(join(dir, "systemd-notify"), `#!/bin/sh\necho "$*" >> '${calls}'\n`);
  chmodSync(join(dir, "systemd-notify"), 0o755);
  try {
    // WHEN the agent runs two passes with a watchdog period but no socket
    const agent = AgentProcess.start(env, [...agentArgs("h-plain"), "--resync-seconds", "5", "--max-delay-ms", "2000"], { PATH: `${dir}:${process.env.PATH}`, WATCHDOG_USEC: "1000000" });
    await agent.waitForPass(0, 30_000);
    await agent.waitForLog("a second full pass", (l) => l.msg === "full pass done", 20_000, agent.lines.findIndex((l) => l.msg === "full pass done") + 1);
    // THEN
    expect(existsSync(calls)).toBe(false);
    expect(await agent.stop()).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
