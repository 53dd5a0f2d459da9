import { backoffDelayMs, sleep } from "../../../agent/backoff";
import { installSignalHandlers } from "../../../agent/shutdown";
import { RecordingLogger } from "../helpers/recording-logger";

describe("backoff", () => {
  test("doubles from the base up to the maximum, with the jitter in the upper half", () => {
    const options = { baseMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelayMs(a, options, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([0, 1, 2, 3, 4].map((a) => backoffDelayMs(a, options, () => 0))).toEqual([50, 100, 200, 400, 500]);
  });

  test("sleep ends early when its signal aborts", async () => {
    jest.useFakeTimers();
    const controller = new AbortController();
    let done = false;
    void sleep(60_000, controller.signal).then(() => (done = true));
    controller.abort();
    await Promise.resolve();
    await Promise.resolve();
    expect(done).toBe(true);
    jest.useRealTimers();
  });
});

describe("signal handling", () => {
  test("the first SIGTERM aborts stop, the second aborts hard and exits at once", () => {
    const exit = jest.fn();
    const logger = new RecordingLogger();
    const signals = installSignalHandlers(logger, 60_000, exit);
    try {
      process.emit("SIGTERM", "SIGTERM");
      expect(signals.stop.aborted).toBe(true);
      expect(signals.hard.aborted).toBe(false);
      expect(exit).not.toHaveBeenCalled();
      process.emit("SIGINT", "SIGINT");
      expect(signals.hard.aborted).toBe(true);
      expect(exit).toHaveBeenCalledWith(1);
    } finally {
      signals.dispose();
    }
  });

  test("a shutdown that outlasts the grace period is forced", () => {
    jest.useFakeTimers();
    const exit = jest.fn();
    const signals = installSignalHandlers(new RecordingLogger(), 1000, exit);
    try {
      process.emit("SIGTERM", "SIGTERM");
      jest.advanceTimersByTime(1000);
      expect(signals.hard.aborted).toBe(true);
      expect(exit).toHaveBeenCalledWith(1);
    } finally {
      signals.dispose();
      jest.useRealTimers();
    }
  });
});
