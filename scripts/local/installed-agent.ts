/**
 * The DNS agent exactly as the cluster stack installs it on a host, read back
 * from the instances' rendered user data: where its bundle is fetched from,
 * where it is installed, and the systemd unit that runs it. Running it here
 * swaps only the node binary and the bundle's path; the flags, V8 options
 * and `Environment=` lines are the unit's own.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execStart, parseUnit, serviceEnvironment, setting, settings, timeSpanMs, type SystemdUnit } from "./systemd-unit";

/** A systemd unit the user data writes. */
export interface WrittenUnit {
  /** e.g. `ecsdns-agent.service` */
  readonly unitName: string;
  readonly unitText: string;
  readonly unit: SystemdUnit;
}

/** What the user data installs. */
export interface InstalledAgent extends WrittenUnit {
  /** The S3 object the host copies the bundle from. */
  readonly bundleSource: { readonly bucket: string; readonly key: string };
  /** Where the host puts it, e.g. `/opt/ecsdns/agent.js`. */
  readonly installPath: string;
  /** Every unit the user data writes, the agent's included (e.g. its `OnFailure=` handler). */
  readonly units: readonly WrittenUnit[];
}

/**
 * Every service and socket unit the user data writes (`cat > /etc/systemd/system/<name>.service <<'...'`), in order.
 */
export function unitsFromUserData(userData: string): WrittenUnit[] {
  const heredocs = userData.matchAll(/^cat > \/etc\/systemd\/system\/([\w@.-]+\.(?:service|socket)) <<'(\w+)'\n([\s\S]*?)\n\2$/gm);
  return [...heredocs].map(([, unitName, , unitText]) => ({ unitName, unitText, unit: parseUnit(unitText) }));
}

/**
 * Reads the agent's installation out of the user data (as EC2 gets it, after
 * Terraform rendered it): the unit that runs the fetched bundle.
 *
 * @throws Error when the user data installs no agent unit, or fetches no bundle for it.
 */
export function installedAgentFromUserData(userData: string): InstalledAgent {
  const units = unitsFromUserData(userData);
  if (units.length === 0) throw new Error("the user data writes no systemd service unit (cat > /etc/systemd/system/<name>.service <<'...')");
  const fetch = /aws s3 cp\b[^\n]*? s3:\/\/([a-z0-9.-]+)\/(\S+) (\/\S+)/.exec(userData);
  if (!fetch) throw new Error("the user data fetches no agent bundle (aws s3 cp s3://<bucket>/<key> <path>)");
  const [, bucket, key, installPath] = fetch;
  const runsBundle = (u: WrittenUnit) => settings(u.unit, "Service", "ExecStart").length === 1 && execStart(u.unit, serviceEnvironment(u.unit)).includes(installPath);
  const agent = units.find(runsBundle);
  if (!agent) {
    const commands = units.map((u) => `${u.unitName}: ${settings(u.unit, "Service", "ExecStart").join(" ")}`).join("; ");
    throw new Error(`no unit runs the fetched bundle ${installPath}: ${commands}`);
  }
  return { ...agent, bundleSource: { bucket, key }, installPath, units };
}

/** How to run the installed agent on this machine. */
export interface LocalAgentCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** The unit's `Environment=` over systemd's own default environment, and `hostEnv` over both. */
  readonly env: Readonly<Record<string, string>>;
  /** The unit's `Restart=` (e.g. `always`), `RestartSec=` and `TimeoutStopSec=`. */
  readonly restart: { readonly policy: string; readonly delayMs: number; readonly stopTimeoutMs: number };
}

/** The environment systemd gives a system service before its unit's own `Environment=`. */
export const SYSTEMD_DEFAULT_ENV = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin", LANG: "C.UTF-8" } as const;

/**
 * The unit's `ExecStart`, as written, with its node binary replaced by `node`
 * and the installed bundle's path by `bundle`.
 *
 * @param hostEnv - what differs between this machine and a host: where Docker
 *   answers (`DOCKER_HOST`) and instance metadata (`AWS_EC2_METADATA_SERVICE_ENDPOINT`).
 */
export function localAgentCommand(
  agent: InstalledAgent,
  local: { readonly node: string; readonly bundle: string; readonly hostEnv: Readonly<Record<string, string>> },
): LocalAgentCommand {
  const unitEnv = serviceEnvironment(agent.unit);
  const [, ...args] = execStart(agent.unit, unitEnv);
  const timeout = (key: string, fallback: string) => timeSpanMs(setting(agent.unit, "Service", key) ?? fallback);
  return {
    command: local.node,
    args: args.map((arg) => (arg === agent.installPath ? local.bundle : arg)),
    // A dynamic user has no home: systemd sets HOME=/ (so no ~/.aws of whoever runs this is read).
    env: { ...SYSTEMD_DEFAULT_ENV, ...(isYes(setting(agent.unit, "Service", "DynamicUser")) ? { HOME: "/" } : {}), ...unitEnv, ...local.hostEnv },
    restart: {
      policy: setting(agent.unit, "Service", "Restart") ?? "no",
      delayMs: timeout("RestartSec", "100ms"),
      stopTimeoutMs: timeout("TimeoutStopSec", "90s"),
    },
  };
}

function isYes(value: string | undefined): boolean {
  return ["1", "yes", "true", "on"].includes((value ?? "").toLowerCase());
}

/**
 * `systemd-analyze verify` on a unit, with its binary swapped for `node`
 * (verify fails on a command that does not exist on this machine; any
 * existing executable serves). Returns what it reported, `""` when the unit
 * is clean, or `undefined` where there is no systemd-analyze (e.g. macOS).
 * `companions` (the other units the user data writes) are put beside it, so
 * that a unit that requires another (the agent, the Docker proxy's socket) is
 * verified with it.
 */
export function verifyUnit(unit: WrittenUnit, node: string, companions: readonly WrittenUnit[] = []): string | undefined {
  return withUnitFile(unit, node, companions, (file) => {
    // Warnings (an unknown setting, a bad value) exit 0: anything it says counts.
    const result = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" });
    if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") return undefined;
    const said = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
    return said || (result.status === 0 ? "" : `systemd-analyze verify exited ${result.status}`);
  });
}

/**
 * The overall exposure level (0 best, 10 worst) that `systemd-analyze
 * security --offline=true` gives a unit's sandbox, or `undefined` where there
 * is no systemd-analyze.
 */
export function unitExposure(unit: WrittenUnit, node: string): number | undefined {
  return withUnitFile(unit, node, [], (file) => {
    const result = spawnSync("systemd-analyze", ["security", "--offline=true", "--no-pager", file], { encoding: "utf8" });
    if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") return undefined;
    const level = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(result.stdout ?? "");
    if (!level) throw new Error(`systemd-analyze security said no exposure level: ${result.stdout}${result.stderr}`);
    return Number(level[1]);
  });
}

function withUnitFile<T>(unit: WrittenUnit, node: string, companions: readonly WrittenUnit[], use: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "ecsdns-unit-"));
  try {
    for (const other of companions) writeFileSync(join(dir, other.unitName), other.unitText.replace(/^ExecStart=(\S+)/m, `ExecStart=${node}`));
    const file = join(dir, unit.unitName);
    writeFileSync(file, unit.unitText.replace(/^ExecStart=(\S+)/m, `ExecStart=${node}`));
    return use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
