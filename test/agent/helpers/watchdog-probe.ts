/**
 * A stand-in for the agent under systemd: the real {@link ServiceWatchdog}
 * around a loop of passes that behave as the file `/etc/ecsdns-test/mode`
 * says when they start: `healthy` (a pass ends at once), `hang` (the pass
 * never returns), `crash` (exit 3 at start). On SIGTERM it exits with the
 * code in `/etc/ecsdns-test/stop-code` (1: a deregistration that failed).
 * Bundled by the test that runs it (test/agent/integration/systemd-supervision.test.ts).
 */
import { readFileSync } from "node:fs";
import type { Logger } from "../../../cli/logger";
import type { PassOutcome } from "../../../agent/reconcile-pass";
import { ServiceWatchdog } from "../../../agent/watchdog";

const read = (name: string, fallback: string): string => {
  try {
    return readFileSync(`/etc/ecsdns-test/${name}`, "utf8").trim();
  } catch {
    return fallback;
  }
};
const line = (level: string) => (obj: object, msg?: string) => console.log(`${level}: ${msg ?? ""} ${JSON.stringify(obj)}`);
const logger: Logger = { debug: () => undefined, info: line("info"), warn: line("warn"), error: line("error"), child: () => logger };

console.log(`probe ${process.pid} starts, mode ${read("mode", "healthy")}`);
if (read("mode", "healthy") === "crash") process.exit(3);
process.on("SIGTERM", () => process.exit(Number(read("stop-code", "0"))));
// The agent's Docker event stream and HTTP server keep its process alive; this timer stands in for them.
setInterval(() => undefined, 1 << 30);

const watchdog = new ServiceWatchdog({ env: process.env, logger, resyncSeconds: 5, maxPassMs: 2000 });
const pass = watchdog.track({
  run: async () => {
    if (read("mode", "healthy") === "hang") {
      console.log("pass hangs");
      await new Promise(() => undefined);
    }
    return { inSync: true } as PassOutcome;
  },
});
watchdog.start();
void (async () => {
  for (;;) {
    await pass.run(new AbortController().signal, true);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
})();
