/**
 * The agent's two units as the user data writes them, run by systemd (this
 * machine's, 252, as on Amazon Linux 2023) as PID 1 in a container: the
 * watchdog, the start limit and the OnFailure= handler, with the units'
 * sandboxes as written. Only what takes time is scaled down (WatchdogSec 4 s,
 * TimeoutStartSec 10 s, RestartSec 3 s, StartLimitBurst 3 in 120 s), and the
 * agent is a probe built on the real agent/watchdog.ts whose passes end, hang
 * or crash on demand (test/agent/helpers/watchdog-probe.ts). The handler's
 * script is the one the user data writes; curl (instance metadata) and the
 * AWS CLI are stand-ins that print what they were asked.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { buildSync } from "esbuild";
import { TerraformOutput } from "cdktf";
import { AGENT_FAILED_SCRIPT, AGENT_FAILED_SCRIPT_PATH, AGENT_FAILED_UNIT, AGENT_UNIT, DnsAgentInstall, DOCKER_PROXY_SOCKET_UNIT, DOCKER_PROXY_UNIT } from "../../../modules/dns-agent-install";
import { node22 } from "../../../scripts/lib/node22";
import { unitsFromUserData } from "../../../scripts/local/installed-agent";
import { joinedText, synthConstruct, TEST_BUNDLES } from "../../helpers/synth";
import { SystemdContainer } from "../helpers/systemd-container";
import { testEnv, uniqueSuffix, waitFor } from "../helpers/test-env";

jest.setTimeout(120_000);

const env = testEnv();
const INSTANCE_ID = "i-0feedfacecafe0001";
const SCALED: Record<string, string> = { WatchdogSec: "4", TimeoutStartSec: "10", RestartSec: "3", StartLimitIntervalSec: "120", StartLimitBurst: "3" };
let work: string;
let container: SystemdContainer | undefined;

/** Sets one setting of a unit's text (it must be there once). */
function withSetting(unitText: string, key: string, value: string): string {
  const pattern = new RegExp(`^${key}=.*$`, "m");
  if (!pattern.test(unitText)) throw new Error(`the unit has no ${key}=`);
  return unitText.replace(pattern, `${key}=${value}`);
}

beforeAll(async () => {
  if (!existsSync(SystemdContainer.SYSTEMD)) throw new Error(`no ${SystemdContainer.SYSTEMD} on this machine (the systemd package)`);
  work = mkdtempSync(join(tmpdir(), "systemd-supervision-"));
  const dir = (name: string) => {
    mkdirSync(join(work, name), { recursive: true });
    return join(work, name);
  };

  // The units, as the user data writes them.
  const stack = synthConstruct((scope) => {
    const install = new DnsAgentInstall(scope, "dns-agent", {
      namePrefix: "shop-dev", bundlePath: TEST_BUNDLES.agent, zoneId: "Z0123456789ABCDEFGHIJ", zoneName: "svc.internal", region: "eu-west-1", partition: "aws",
    });
    new TerraformOutput(scope, "user_data", { value: install.userData });
  });
  const units = unitsFromUserData(joinedText((stack.output as Record<string, { value: string }>).user_data.value));
  let agentUnit = units.find((u) => u.unitName === AGENT_UNIT)!.unitText.replace(/^ExecStart=.*$/m, "ExecStart=/opt/node/bin/node /opt/ecsdns/probe.js");
  for (const [key, value] of Object.entries(SCALED)) agentUnit = withSetting(agentUnit, key, value);
  writeFileSync(join(dir("units"), AGENT_UNIT), agentUnit);
  writeFileSync(join(dir("units"), AGENT_FAILED_UNIT), units.find((u) => u.unitName === AGENT_FAILED_UNIT)!.unitText);
  // The agent's unit requires its Docker proxy's socket; the probe never connects to it.
  for (const name of [DOCKER_PROXY_SOCKET_UNIT, DOCKER_PROXY_UNIT]) writeFileSync(join(dir("units"), name), units.find((u) => u.unitName === name)!.unitText);

  // What the units run: the probe, on Node.js 22, and the handler's script.
  buildSync({ entryPoints: [join(__dirname, "..", "helpers", "watchdog-probe.ts")], bundle: true, platform: "node", outfile: join(dir("opt"), "probe.js"), logLevel: "error" });
  writeFileSync(join(work, "opt", AGENT_FAILED_SCRIPT_PATH.split("/").pop()!), AGENT_FAILED_SCRIPT, { mode: 0o755 });
  for (const [name, body] of [
    ["curl", `case "$*" in *api/token*) echo token ;; *meta-data/instance-id*) echo ${INSTANCE_ID} ;; *) exit 22 ;; esac`],
    ["aws", 'echo "STAND-IN aws $*"'],
  ]) {
    writeFileSync(join(dir("bin"), name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(work, "bin", name), 0o755);
  }
  writeFileSync(join(dir("control"), "mode"), "healthy");
  chmodSync(join(work, "control"), 0o755);

  container = await SystemdContainer.start(env.dockerHost, `ecsdns-systemd-${uniqueSuffix()}`, [
    { host: join(work, "units"), container: "/etc/systemd/system" },
    { host: join(work, "opt"), container: "/opt/ecsdns" },
    { host: join(work, "bin"), container: "/usr/local/bin" },
    { host: join(work, "control"), container: "/etc/ecsdns-test" },
    { host: dirname(dirname(node22())), container: "/opt/node" },
  ]);
}, 180_000);

afterAll(async () => {
  await container?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

const control = (mode: string, stopCode = 0) => {
  writeFileSync(join(work, "control", "mode"), mode);
  writeFileSync(join(work, "control", "stop-code"), String(stopCode));
};
const systemctl = (...args: string[]) => container!.exec("systemctl", ...args);
const agent = (property: string) => container!.property(AGENT_UNIT, property);
/** Where this test's part of the journal begins. */
let journalFrom = 0;
/** The units' journal since this test's fresh start. */
const journal = async () => (await container!.journal(AGENT_UNIT, AGENT_FAILED_UNIT)).slice(journalFrom);
/** Waits until the journal of the units says `text`. */
const journalSays = (text: string, timeoutMs = 30_000) =>
  waitFor(`the journal to say ${JSON.stringify(text)}`, async () => (await journal()).includes(text), timeoutMs, 250).catch(async (error: Error) => {
    throw new Error(`${error.message}\n--- journal ---\n${(await journal()).slice(-3000)}`);
  });

/** A fresh start: no failure, no restart counted, no start limit used, and the journal read from here on. */
async function freshStart(): Promise<void> {
  await systemctl("stop", AGENT_UNIT).catch(() => undefined);
  await systemctl("reset-failed").catch(() => undefined);
  journalFrom = (await container!.journal(AGENT_UNIT, AGENT_FAILED_UNIT)).length;
}

test("start returns once the agent said READY=1 after its first pass, and its pings keep it running past three watchdog periods", async () => {
  // GIVEN
  await freshStart();
  control("healthy");
  // WHEN
  await systemctl("start", AGENT_UNIT);
  await new Promise((resolve) => setTimeout(resolve, 13_000));
  // THEN
  expect({ state: await agent("ActiveState"), restarts: await agent("NRestarts"), user: await agent("DynamicUser") }).toEqual({ state: "active", restarts: "0", user: "yes" });
  expect(await agent("WatchdogTimestampMonotonic")).not.toBe("0");
});

test("a loop that hangs stops the pings: systemd kills the agent (watchdog) and starts it again", async () => {
  // GIVEN a running agent
  await freshStart();
  control("healthy");
  await systemctl("start", AGENT_UNIT);
  // WHEN its next pass hangs
  control("hang");
  // THEN
  await journalSays("the reconcile loop is stuck");
  await journalSays("Watchdog timeout (limit 4s)!");
  await journalSays("Failed with result 'watchdog'.");
  // AND the agent started again (healthy now) is running
  control("healthy");
  await waitFor("the agent to run again", async () => (await agent("ActiveState")) === "active" && (await agent("NRestarts")) === "1", 30_000, 250);
});

test("an agent that keeps dying uses up its start limit: the handler marks this instance unhealthy in its Auto Scaling group", async () => {
  // GIVEN / WHEN an agent that exits at start
  await freshStart();
  control("crash");
  await expect(systemctl("start", AGENT_UNIT)).rejects.toThrow();
  // THEN
  await journalSays("Start request repeated too quickly.");
  await journalSays(`STAND-IN aws autoscaling set-instance-health --region eu-west-1 --instance-id ${INSTANCE_ID} --health-status Unhealthy --no-should-respect-grace-period`);
  // systemd keeps the last run's result, so MONITOR_SERVICE_RESULT cannot tell a start limit from a failed stop.
  expect(await agent("Result")).toBe("exit-code");
  expect(await container!.property(AGENT_FAILED_UNIT, "Result")).toBe("success");
});

test("a stop that fails (a deregistration that failed) leaves the unit failed, and the handler leaves the instance in service", async () => {
  // GIVEN a running agent whose deregistration will fail
  await freshStart();
  control("healthy", 1);
  await systemctl("start", AGENT_UNIT);
  // WHEN
  await systemctl("stop", AGENT_UNIT);
  // THEN
  await journalSays("without using up its start limit: this instance stays in service");
  expect(await agent("ActiveState")).toBe("failed");
  expect(await journal()).not.toContain("STAND-IN aws");
});
