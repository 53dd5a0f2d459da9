/**
 * The two units the DNS agent's install writes, as systemd reads them
 * (`systemd-analyze verify` and `security --offline=true`), and the script
 * the handler unit runs, run by bash as systemd would run it after the
 * agent's unit hit its start limit: instance metadata is a stand-in (IMDSv2),
 * and the AWS CLI a stand-in that records its arguments, or, where this
 * machine has the AWS CLI and `npm test` runs the emulator, the real CLI
 * against an Auto Scaling group in the emulator.
 */
import { execFile, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { TerraformOutput } from "cdktf";
import { AGENT_FAILED_SCRIPT, AGENT_FAILED_UNIT, AGENT_UNIT, DnsAgentInstall, DOCKER_PROXY_SOCKET_UNIT, DOCKER_PROXY_UNIT } from "../../modules/dns-agent-install";
import { startImdsStandIn, type ImdsStandIn } from "../../scripts/local/imds-stand-in";
import { unitExposure, unitsFromUserData, verifyUnit, type WrittenUnit } from "../../scripts/local/installed-agent";
import { missingCommand, needs } from "../helpers/real-parts";
import { joinedText, synthConstruct, TEST_BUNDLES } from "../helpers/synth";

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "agent-units-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The units of the install's user data. */
function writtenUnits(): WrittenUnit[] {
  let userData = "";
  const stack = synthConstruct((scope) => {
    const install = new DnsAgentInstall(scope, "dns-agent", {
      namePrefix: "shop-dev",
      bundlePath: TEST_BUNDLES.agent,
      zoneId: "Z0123456789ABCDEFGHIJ",
      zoneName: "svc.internal",
      region: "eu-west-1",
      partition: "aws",
    });
    new TerraformOutput(scope, "user_data", { value: install.userData });
  });
  userData = joinedText((stack.output as Record<string, { value: string }>).user_data.value);
  return unitsFromUserData(userData);
}

const hasSystemdAnalyze = spawnSync("systemd-analyze", ["--version"]).error === undefined;

(hasSystemdAnalyze ? describe : describe.skip)("the agent's units, read by systemd-analyze", () => {
  const units = writtenUnits();
  // Any executable stands in for the units' commands, which this machine does not have.
  const anyExecutable = process.execPath;

  test("the user data writes the Docker proxy's socket and service, the agent's unit and its OnFailure= handler", () => {
    expect(units.map((u) => u.unitName)).toEqual([DOCKER_PROXY_SOCKET_UNIT, DOCKER_PROXY_UNIT, AGENT_UNIT, AGENT_FAILED_UNIT]);
  });

  test.each([DOCKER_PROXY_SOCKET_UNIT, DOCKER_PROXY_UNIT, AGENT_UNIT, AGENT_FAILED_UNIT])("systemd-analyze verify has nothing to say about %s", (name) => {
    const unit = units.find((u) => u.unitName === name)!;
    expect(verifyUnit(unit, anyExecutable, units.filter((u) => u !== unit))).toBe("");
  });

  // The issue's bar: 2.0 of 10 or better (3.4 before SystemCallFilter=, ProtectProc=, PrivateMounts=, UMask=, ...).
  test.each([DOCKER_PROXY_UNIT, AGENT_UNIT, AGENT_FAILED_UNIT])("%s is sandboxed: systemd-analyze security --offline=true rates its exposure at most 2.0 of 10", (name) => {
    expect(unitExposure(units.find((u) => u.unitName === name)!, anyExecutable)).toBeLessThanOrEqual(2.0);
  });
});

describe("the handler's script, run by bash", () => {
  const instanceId = "i-0123456789abcdef0";
  let imds: ImdsStandIn;
  let dir: string;
  let calls: string;

  beforeAll(async () => {
    imds = await startImdsStandIn({ instanceId, localIpv4: "10.0.1.5", region: "eu-west-1" });
  });
  afterAll(() => imds?.close());

  beforeEach(() => {
    dir = mkdtempSync(join(work, "run-"));
    calls = join(dir, "calls");
    writeFileSync(join(dir, "handler.sh"), AGENT_FAILED_SCRIPT);
    chmodSync(join(dir, "handler.sh"), 0o755);
  });

  /** What `systemctl show` says about the agent's unit when the handler runs. */
  interface AgentUnitState {
    readonly restarts: number;
    readonly burst: number;
    /** From its last process's end to the unit's failure. */
    readonly waitedMs: number;
  }
  /** The unit after a restart that its start limit refused (burst 5, RestartSec 5). */
  const REFUSED: AgentUnitState = { restarts: 5, burst: 5, waitedMs: 5000 };

  /**
   * Runs the script with the environment systemd gives it; `aws` is a stand-in
   * that exits `awsExit`, `systemctl` one that tells `state` (or fails without one).
   */
  async function handle(state: AgentUnitState | undefined, awsExit = 0, monitorResult = "exit-code"): Promise<{ code: number; stdout: string; stderr: string; aws: string[] }> {
    writeFileSync(join(dir, "aws"), `#!/bin/sh\necho "aws $*" >> '${calls}'\nexit ${awsExit}\n`);
    const exitedUsec = 7_000_000_000;
    const shown = state
      ? `NRestarts=${state.restarts}\nStartLimitBurst=${state.burst}\nExecMainExitTimestampMonotonic=${exitedUsec}\nInactiveEnterTimestampMonotonic=${exitedUsec + state.waitedMs * 1000}`
      : "";
    writeFileSync(
      join(dir, "systemctl"),
      `#!/bin/sh\n[ "$*" = "show --property=NRestarts,StartLimitBurst,ExecMainExitTimestampMonotonic,InactiveEnterTimestampMonotonic ${AGENT_UNIT}" ] || { echo "Failed to connect to bus" >&2; exit 1; }\n${state ? `printf '${shown.replace(/\n/g, "\\n")}\\n'` : "echo 'Failed to get properties' >&2; exit 1"}\n`,
    );
    for (const standIn of ["aws", "systemctl"]) chmodSync(join(dir, standIn), 0o755);
    rmSync(calls, { force: true });
    const env = {
      PATH: `${dir}:/usr/bin:/bin`,
      AWS_REGION: "eu-west-1",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
      MONITOR_SERVICE_RESULT: monitorResult,
      MONITOR_UNIT: AGENT_UNIT,
    };
    const outcome = await run(join(dir, "handler.sh"), [], { env, timeout: 30_000 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
    let aws: string[] = [];
    try {
      aws = readFileSync(calls, "utf8").trim().split("\n");
    } catch {
      // no call
    }
    return { ...outcome, aws };
  }

  test("after a restart that the start limit refused, it marks this instance (from IMDSv2) unhealthy in its Auto Scaling group, grace period or not", async () => {
    // GIVEN / WHEN: systemd keeps the last run's result (here exit-code) when it refuses the restart
    const before = imds.requests.length;
    const handled = await handle(REFUSED);
    // THEN
    expect(handled.code).toBe(0);
    expect(handled.aws).toEqual([`aws autoscaling set-instance-health --region eu-west-1 --instance-id ${instanceId} --health-status Unhealthy --no-should-respect-grace-period`]);
    expect(imds.requests.slice(before)).toEqual(["PUT /latest/api/token 200", "GET /latest/meta-data/instance-id 200"]);
    expect(handled.stdout).toContain(`used up its start limit (5 automatic restarts; last result exit-code): marking ${instanceId} unhealthy`);
  });

  test.each([
    ["a stop that failed, however many restarts came before (it fails as its process ends)", { restarts: 7, burst: 5, waitedMs: 3 }],
    ["a stop that failed on a young agent", { restarts: 0, burst: 5, waitedMs: 0 }],
    ["fewer restarts than the burst", { restarts: 4, burst: 5, waitedMs: 5000 }],
  ])("after %s it leaves the instance in service", async (_case, state) => {
    const before = imds.requests.length;
    const handled = await handle(state);
    expect(handled).toMatchObject({ code: 0, aws: [] });
    expect(imds.requests.slice(before)).toEqual([]);
    expect(handled.stdout).toContain("without using up its start limit: this instance stays in service");
  });

  test("fails, and leaves the instance in service, when systemd cannot be asked", async () => {
    const handled = await handle(undefined);
    expect(handled).toMatchObject({ code: 1, aws: [] });
    expect(handled.stderr).toContain("cannot read the state of ecsdns-agent.service from systemd");
  });

  test("fails (the handler unit ends failed, in the journal) when the call fails", async () => {
    const handled = await handle(REFUSED, 254);
    expect(handled.code).toBe(254);
  });

  test("passes shellcheck", () => {
    const lint = spawnSync("shellcheck", ["--severity=style", join(dir, "handler.sh")], { encoding: "utf8" });
    if (lint.error) throw new Error("shellcheck is not installed (apt-get install shellcheck; .ci/run installs it)");
    expect(lint.stdout).toBe("");
  });
});

const motoUrl = process.env.MOTO_URL;
const missingForCli = missingCommand("aws", "the AWS CLI: apt-get install awscli") ?? (motoUrl ? undefined : "MOTO_URL (the emulator npm test starts)");

needs(missingForCli).describe("the handler's script with the real AWS CLI, against the emulator", () => {
  const group = `agent-failed-${process.pid}`;
  const awsEnv = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1", AWS_DEFAULT_REGION: "us-east-1", AWS_ENDPOINT_URL: motoUrl ?? "" };
  const aws = async (...args: string[]) => (await run("aws", [...args, "--output", "text"], { env: { ...process.env, ...awsEnv }, timeout: 60_000 })).stdout.trim();
  let instanceId: string;
  let imds: ImdsStandIn;

  beforeAll(async () => {
    const image = await aws("ec2", "describe-images", "--query", "Images[0].ImageId");
    await aws("autoscaling", "create-launch-configuration", "--launch-configuration-name", group, "--image-id", image, "--instance-type", "t3.small");
    await aws("autoscaling", "create-auto-scaling-group", "--auto-scaling-group-name", group, "--launch-configuration-name", group, "--min-size", "1", "--max-size", "1", "--desired-capacity", "1", "--availability-zones", "us-east-1a");
    instanceId = await aws("autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", group, "--query", "AutoScalingGroups[0].Instances[0].InstanceId");
    imds = await startImdsStandIn({ instanceId, localIpv4: "10.0.1.5", region: "us-east-1" });
  }, 120_000);

  afterAll(async () => {
    await imds?.close();
    await aws("autoscaling", "delete-auto-scaling-group", "--auto-scaling-group-name", group, "--force-delete").catch(() => undefined);
    await aws("autoscaling", "delete-launch-configuration", "--launch-configuration-name", group).catch(() => undefined);
  }, 120_000);

  test("marks the instance unhealthy in its group: the CLI accepts the call as written", async () => {
    // GIVEN a healthy instance
    const health = () => aws("autoscaling", "describe-auto-scaling-instances", "--instance-ids", instanceId, "--query", "AutoScalingInstances[0].HealthStatus");
    expect((await health()).toUpperCase()).toBe("HEALTHY");
    // WHEN
    const dir = mkdtempSync(join(work, "cli-"));
    writeFileSync(join(dir, "handler.sh"), AGENT_FAILED_SCRIPT);
    // systemd's view of a unit whose restart its start limit refused
    writeFileSync(join(dir, "systemctl"), "#!/bin/sh\nprintf 'NRestarts=5\\nStartLimitBurst=5\\nExecMainExitTimestampMonotonic=1000000\\nInactiveEnterTimestampMonotonic=6000000\\n'\n");
    for (const file of ["handler.sh", "systemctl"]) chmodSync(join(dir, file), 0o755);
    await run(join(dir, "handler.sh"), [], {
      env: { ...process.env, ...awsEnv, PATH: `${dir}:${process.env.PATH}`, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint },
      timeout: 60_000,
    });
    // THEN
    expect((await health()).toUpperCase()).toBe("UNHEALTHY");
  }, 90_000);
});
