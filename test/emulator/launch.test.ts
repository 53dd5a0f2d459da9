/**
 * The one emulator launcher (scripts/emulator/launch.ts) that the test
 * environment, local:up, the fault tests and the benchmarks start moto with.
 *
 * One emulator for the file (a start takes seconds on a busy machine); the
 * tests run in order and the last one stops it.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListHostedZonesCommand } from "@aws-sdk/client-route-53";
import { emulatorAnswers, startEmulator, type Emulator } from "../../scripts/emulator/launch";
import { isRunning } from "../../scripts/lib/processes";
import { EmulatorZone, emulatorRoute53 } from "../helpers/zones";

jest.setTimeout(60_000);

const dir = mkdtempSync(join(tmpdir(), "emulator-launch-"));
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ logFile: (port) => join(dir, `emulator-${port}.log`) });
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("starts the patched moto on a free port, logging to the file for that port, and resolves once it answers", async () => {
  const { url, port, pid, logFile } = emulator;
  expect(url).toBe(`http://127.0.0.1:${port}`);
  expect(logFile).toBe(join(dir, `emulator-${port}.log`));
  expect(await emulatorAnswers(url)).toBe(true);
  expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")).toEqual(expect.arrayContaining([expect.stringMatching(/scripts\/emulator\/moto_server\.py$/), String(port)]));
});

test("refuses a port where an emulator already answers, naming it", async () => {
  await expect(startEmulator({ port: emulator.port, logFile: join(dir, "second.log") })).rejects.toThrow(`an emulator already answers on port ${emulator.port}`);
});

test("restart gives an empty emulator on the same port", async () => {
  // GIVEN the emulator holds a hosted zone
  const route53 = emulatorRoute53(emulator.url, { maxAttempts: 1 });
  try {
    await EmulatorZone.create(route53, "launch.test.");
    const pidBefore = emulator.pid;
    // WHEN
    await emulator.restart();
    // THEN
    expect(emulator.pid).not.toBe(pidBefore);
    expect(isRunning(pidBefore)).toBe(false);
    expect((await route53.send(new ListHostedZonesCommand({}))).HostedZones).toEqual([]);
  } finally {
    route53.destroy();
  }
});

test("stop leaves nothing running and the port silent", async () => {
  const { pid, url } = emulator;
  await emulator.stop();
  expect(isRunning(pid)).toBe(false);
  expect(await emulatorAnswers(url)).toBe(false);
});
