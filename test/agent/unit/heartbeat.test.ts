/**
 * The agent's heartbeat (agent/heartbeat.ts): when it beats, and that it
 * follows the loop's passes. A fake clock and a recording publisher; the
 * real put to CloudWatch is tested as installed
 * (test/agent/integration/installed-agent.test.ts).
 */
import { AgentHeartbeat, isWorking } from "../../../agent/heartbeat";
import type { PassOutcome } from "../../../agent/reconcile-pass";
import { aRecord } from "../helpers/fixtures";
import { RecordingLogger } from "../helpers/recording-logger";

const PERIOD = 60_000;
const ok: PassOutcome = { full: true, planned: { create: [], update: [], delete: [] }, inSync: true };
const failing: PassOutcome = {
  full: true,
  planned: { create: [], update: [], delete: [] },
  result: { applied: { create: [], update: [], delete: [] }, failed: [{ action: "create", record: aRecord("a.svc.internal.", "ecsdns/i-0abc/host", "10.0.0.1"), reason: "AccessDenied" }], changeCalls: 1 },
  inSync: false,
};

describe("isWorking", () => {
  test("before any pass has ended, the agent is not working yet", () => {
    expect(isWorking({}, 0, PERIOD)).toBe(false);
    expect(isWorking({ passStartedAtMs: 0 }, 10, PERIOD)).toBe(false);
  });
  test("after a successful pass it works; after a failed one it does not", () => {
    expect(isWorking({ lastPassSucceeded: true }, 5_000_000, PERIOD)).toBe(true);
    expect(isWorking({ lastPassSucceeded: false }, 0, PERIOD)).toBe(false);
  });
  test("a pass running for longer than one period stops it: a hung pass is silent a period after it began", () => {
    expect(isWorking({ lastPassSucceeded: true, passStartedAtMs: 1000 }, 1000 + PERIOD, PERIOD)).toBe(true);
    expect(isWorking({ lastPassSucceeded: true, passStartedAtMs: 1000 }, 1001 + PERIOD, PERIOD)).toBe(false);
  });
});

describe("AgentHeartbeat", () => {
  function setup(publish: (signal: AbortSignal) => Promise<void> = async () => undefined) {
    let now = 0;
    const beats: string[] = [];
    const logger = new RecordingLogger();
    const heartbeat = new AgentHeartbeat({ publish, periodMs: PERIOD, logger, now: () => now, onBeat: (r) => beats.push(r) });
    return { heartbeat, beats, logger, advance: (ms: number) => (now += ms) };
  }
  const signal = new AbortController().signal;

  test("beats after each tick while passes succeed, and stops at the first failed pass until one succeeds again", async () => {
    const { heartbeat, beats } = setup();
    let next: PassOutcome = ok;
    const pass = heartbeat.track({ run: async () => next });
    await heartbeat.tick();
    await pass.run(signal, true);
    await heartbeat.tick();
    next = failing;
    await pass.run(signal, true);
    await heartbeat.tick();
    next = ok;
    await pass.run(signal, true);
    await heartbeat.tick();
    expect(beats).toEqual(["skipped", "sent", "skipped", "sent"]);
  });

  test("a pass that throws counts as failed", async () => {
    const { heartbeat, beats } = setup();
    await heartbeat.track({ run: async () => ok }).run(signal, true);
    await expect(heartbeat.track({ run: async () => Promise.reject(new Error("AccessDenied")) }).run(signal, true)).rejects.toThrow("AccessDenied");
    await heartbeat.tick();
    expect(beats).toEqual(["skipped"]);
  });

  test("a throttled pass proves nothing: the agent keeps the state of the pass before it", async () => {
    const { heartbeat, beats } = setup();
    const throttled = (code: string) => heartbeat.track({ run: async () => Promise.reject(Object.assign(new Error("Rate exceeded"), { name: code })) });
    await expect(throttled("Throttling").run(signal, true)).rejects.toThrow("Rate exceeded");
    await heartbeat.tick(); // no pass has succeeded yet: still not working
    await heartbeat.track({ run: async () => ok }).run(signal, true);
    await expect(throttled("Throttling").run(signal, true)).rejects.toThrow("Rate exceeded");
    await expect(throttled("PriorRequestNotComplete").run(signal, true)).rejects.toThrow("Rate exceeded");
    await heartbeat.tick(); // working, as before the throttled passes
    await heartbeat.track({ run: async () => failing }).run(signal, true);
    await expect(throttled("Throttling").run(signal, true)).rejects.toThrow("Rate exceeded");
    await heartbeat.tick(); // failing, as before
    expect(beats).toEqual(["skipped", "sent", "skipped"]);
  });

  test("a pass in flight for longer than a period silences it", async () => {
    const { heartbeat, beats, advance } = setup();
    const tracked = heartbeat.track({ run: async () => ok });
    await tracked.run(signal, true);
    let release!: () => void;
    const hung = heartbeat.track({ run: () => new Promise<PassOutcome>((resolve) => (release = () => resolve(ok))) });
    const running = hung.run(signal, true);
    advance(PERIOD);
    await heartbeat.tick();
    advance(1);
    await heartbeat.tick();
    release();
    await running;
    await heartbeat.tick();
    expect(beats).toEqual(["sent", "skipped", "sent"]);
  });

  test("a put that fails is logged and counted, and the next tick tries again", async () => {
    let fail = true;
    const { heartbeat, beats, logger } = setup(async () => {
      if (fail) throw Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
    });
    await heartbeat.track({ run: async () => ok }).run(signal, true);
    await heartbeat.tick();
    fail = false;
    await heartbeat.tick();
    expect(beats).toEqual(["failed", "sent"]);
    expect(logger.lines.filter((l) => l.msg === "heartbeat to CloudWatch failed").map((l) => [l.level, l.code])).toEqual([["warn", "Throttling"]]);
  });

  test("puts never overlap: a tick while one is in flight sends nothing more", async () => {
    let puts = 0;
    let release!: () => void;
    const { heartbeat } = setup(() => {
      puts += 1;
      return new Promise<void>((resolve) => (release = resolve));
    });
    await heartbeat.track({ run: async () => ok }).run(signal, true);
    const first = heartbeat.tick();
    await heartbeat.tick();
    release();
    await first;
    expect(puts).toBe(1);
  });

  test("once started, the first successful pass beats at once, not a period later", async () => {
    const { heartbeat, beats } = setup();
    heartbeat.start();
    try {
      await heartbeat.track({ run: async () => ok }).run(signal, true);
      await new Promise((r) => setImmediate(r));
      expect(beats).toEqual(["sent"]);
    } finally {
      heartbeat.stop();
    }
  });
});
