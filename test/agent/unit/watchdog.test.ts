import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PassOutcome } from "../../../agent/reconcile-pass";
import { DEFAULT_MAX_PASS_MS, IDLE_SLACK_MS, ServiceWatchdog, systemdNotify, watchdogIntervalMs, type LoopPass } from "../../../agent/watchdog";
import { RecordingLogger } from "../helpers/recording-logger";

const SYSTEMD_ENV = { NOTIFY_SOCKET: "/run/systemd/notify", WATCHDOG_USEC: "60000000" };
const OUTCOME = { inSync: true } as unknown as PassOutcome;

/** A watchdog on a fake clock whose messages are recorded. */
function watchdogWith(env: Record<string, string | undefined> = SYSTEMD_ENV, resyncSeconds = 60) {
  const clock = { now: 1_000_000 };
  const sent: string[] = [];
  const logger = new RecordingLogger();
  const watchdog = new ServiceWatchdog({
    env,
    logger,
    resyncSeconds,
    pid: 4242,
    now: () => clock.now,
    notify: async (message) => void sent.push(message),
  });
  return { watchdog, clock, sent, logger };
}

/** A pass whose runs end when the test says. */
function controlledPass() {
  const pending: { resolve: (o: PassOutcome) => void; reject: (e: Error) => void }[] = [];
  const pass: LoopPass = { run: () => new Promise<PassOutcome>((resolve, reject) => pending.push({ resolve, reject })) };
  return { pass, pending };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("ServiceWatchdog", () => {
  test("outside systemd (no NOTIFY_SOCKET) it changes nothing: the pass is the same object and nothing is sent", async () => {
    // GIVEN
    const { watchdog, sent } = watchdogWith({ WATCHDOG_USEC: "60000000" });
    const pass: LoopPass = { run: async () => OUTCOME };
    // WHEN
    const tracked = watchdog.track(pass);
    await tracked.run(new AbortController().signal, true);
    watchdog.start();
    watchdog.tick();
    // THEN
    expect(tracked).toBe(pass);
    expect(watchdog.enabled).toBe(false);
    expect(sent).toEqual([]);
  });

  test("tells systemd READY=1 once, when the first pass has ended, even a failed one", async () => {
    // GIVEN
    const { watchdog, sent } = watchdogWith();
    const { pass, pending } = controlledPass();
    const tracked = watchdog.track(pass);
    // WHEN a first pass runs
    const first = tracked.run(new AbortController().signal, true);
    await settle();
    // THEN nothing yet
    expect(sent).toEqual([]);
    // WHEN it fails
    pending[0].reject(new Error("Throttling"));
    await expect(first).rejects.toThrow("Throttling");
    await settle();
    // THEN ready
    expect(sent).toEqual(["READY=1"]);
    // AND later passes send no second READY
    const second = tracked.run(new AbortController().signal, false);
    pending[1].resolve(OUTCOME);
    await expect(second).resolves.toBe(OUTCOME);
    await settle();
    expect(sent).toEqual(["READY=1"]);
  });

  test("pings WATCHDOG=1 only after READY, while passes end", async () => {
    // GIVEN
    const { watchdog, clock, sent } = watchdogWith();
    const { pass, pending } = controlledPass();
    const tracked = watchdog.track(pass);
    // WHEN a tick comes before the first pass ended
    watchdog.tick();
    // THEN no ping
    expect(sent).toEqual([]);
    // WHEN the first pass ends and time goes on
    const run = tracked.run(new AbortController().signal, true);
    pending[0].resolve(OUTCOME);
    await run;
    await settle();
    clock.now += 30_000;
    watchdog.tick();
    await settle();
    // THEN
    expect(sent).toEqual(["READY=1", "WATCHDOG=1"]);
  });

  test(`stops pinging when a pass runs longer than ${DEFAULT_MAX_PASS_MS / 1000} s (a hung Route53 or Docker call), and says so`, async () => {
    // GIVEN a ready agent
    const { watchdog, clock, sent, logger } = watchdogWith();
    const { pass, pending } = controlledPass();
    const tracked = watchdog.track(pass);
    const first = tracked.run(new AbortController().signal, true);
    pending[0].resolve(OUTCOME);
    await first;
    await settle();
    // WHEN the next pass never returns
    void tracked.run(new AbortController().signal, false);
    clock.now += DEFAULT_MAX_PASS_MS;
    watchdog.tick();
    await settle();
    // THEN pinged while within the limit
    expect(sent).toEqual(["READY=1", "WATCHDOG=1"]);
    // WHEN past the limit
    clock.now += 1;
    watchdog.tick();
    await settle();
    // THEN no more pings, and an error line
    expect(watchdog.isAlive()).toBe(false);
    expect(sent).toEqual(["READY=1", "WATCHDOG=1"]);
    expect(logger.at("error")).toEqual([expect.objectContaining({ passRunningMs: DEFAULT_MAX_PASS_MS + 1, msg: expect.stringContaining("stuck") })]);
  });

  test("stops pinging when an idle loop ran no pass for a resync period plus a minute (the scheduler stalled)", async () => {
    // GIVEN a ready agent, resync every 90 s
    const { watchdog, clock, sent } = watchdogWith(SYSTEMD_ENV, 90);
    const run = watchdog.track({ run: async () => OUTCOME }).run(new AbortController().signal, true);
    await run;
    await settle();
    // WHEN no pass runs
    clock.now += 90_000 + IDLE_SLACK_MS;
    // THEN alive up to the limit, not after
    expect(watchdog.isAlive()).toBe(true);
    clock.now += 1;
    watchdog.tick();
    await settle();
    expect(watchdog.isAlive()).toBe(false);
    expect(sent).toEqual(["READY=1"]);
  });

  test("a ping that has not got through yet is not sent again on top of it", async () => {
    // GIVEN a notify that hangs on pings
    const sent: string[] = [];
    const watchdog = new ServiceWatchdog({
      env: SYSTEMD_ENV,
      logger: new RecordingLogger(),
      resyncSeconds: 60,
      notify: (message) => {
        sent.push(message);
        return message === "READY=1" ? Promise.resolve() : new Promise(() => undefined);
      },
    });
    await watchdog.track({ run: async () => OUTCOME }).run(new AbortController().signal, true);
    await settle();
    // WHEN
    watchdog.tick();
    watchdog.tick();
    watchdog.tick();
    // THEN
    expect(sent).toEqual(["READY=1", "WATCHDOG=1"]);
  });

  test("failures to notify are logged, never thrown into the loop", async () => {
    const logger = new RecordingLogger();
    const watchdog = new ServiceWatchdog({ env: SYSTEMD_ENV, logger, resyncSeconds: 60, notify: () => Promise.reject(new Error("spawn systemd-notify ENOENT")) });
    await expect(watchdog.track({ run: async () => OUTCOME }).run(new AbortController().signal, true)).resolves.toBe(OUTCOME);
    await settle();
    expect(logger.at("error")).toEqual([expect.objectContaining({ message: "READY=1", msg: "cannot notify systemd" })]);
  });
});

describe("watchdogIntervalMs (sd_watchdog_enabled)", () => {
  test.each([
    [{ WATCHDOG_USEC: "60000000" }, 30_000],
    [{ WATCHDOG_USEC: "60000000", WATCHDOG_PID: "4242" }, 30_000],
    [{ WATCHDOG_USEC: "60000000", WATCHDOG_PID: "1" }, undefined],
    [{ WATCHDOG_USEC: "0" }, undefined],
    [{ WATCHDOG_USEC: "soon" }, undefined],
    [{}, undefined],
  ])("%j → %s ms", (env, expected) => {
    expect(watchdogIntervalMs(env, 4242)).toBe(expected);
  });
});

describe("systemdNotify", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "systemd-notify-stand-in-"));
    env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A `systemd-notify` on PATH that records its arguments and exits with `code`. */
  function standIn(code: number): string {
    const log = join(dir, "calls");
    writeFileSync(join(dir, "systemd-notify"), `#!/bin/sh\necho "$*" >> '${log}'\necho 'Failed to notify init system: No such file or directory' >&2\nexit ${code}\n`);
    chmodSync(join(dir, "systemd-notify"), 0o755);
    return log;
  }

  test("runs `systemd-notify <message>` from PATH", async () => {
    const log = standIn(0);
    await systemdNotify("WATCHDOG=1", env);
    expect(readFileSync(log, "utf8")).toBe("WATCHDOG=1\n");
  });

  test("rejects with what systemd-notify said when it fails", async () => {
    standIn(1);
    await expect(systemdNotify("READY=1", env)).rejects.toThrow("systemd-notify READY=1 exited 1: Failed to notify init system: No such file or directory");
  });
});
