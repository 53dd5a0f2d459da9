/**
 * What every fault case shares: a hosted zone seeded with records the agents
 * do not own (compared byte for byte at the end), the records the running
 * containers ask for, a convergence probe, and the figures each case reports
 * to bench/results/faults.json.
 */
import type { Route53Client, ResourceRecordSet } from "@aws-sdk/client-route-53";
import Docker from "dockerode";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { waitFor, type TestEnv } from "../../agent/helpers/test-env";
import { EmulatorZone, emulatorRoute53, recordSetKey } from "../../helpers/zones";
export { freePort } from "../../../scripts/lib/free-port";

/** `--resync-seconds` of every agent under test (the agent's minimum). */
export const RESYNC_SECONDS = 5;
/**
 * "Converged within one resync": a resync period, plus one pass and the
 * probe's own polling (and, where the fault is the agent's death, its start).
 */
export const CONVERGE_BUDGET_MS = RESYNC_SECONDS * 1000 + 3000;

/**
 * The fault matrix's second column: FAULTS_EVERY_CORE_BUSY=1 runs every
 * case with a busy loop on every core (test/helpers/cpu-pressure.ts), as on
 * an ECS host packed until its CPUs are busy (issue 17). Its figures are
 * reported as `<case>@every-core-busy`.
 */
export function everyCoreBusy(): boolean {
  return process.env.FAULTS_EVERY_CORE_BUSY === "1";
}

/** One agent's identity in a case. */
export interface FaultHost {
  readonly hostId: string;
  readonly ip: string;
}

/** A Route53 client for moto (or any endpoint) with the test credentials. */
export function route53Client(env: TestEnv, endpoint = env.motoUrl): Route53Client {
  // The fault cases restart moto: the probe must not wait out the SDK's backoff.
  return emulatorRoute53(endpoint, { maxAttempts: 2 });
}

/** A hosted zone of one fault case (test/helpers/zones.ts), with records that are not the agents'. */
export class FaultZone extends EmulatorZone {
  private seeded: ResourceRecordSet[] = [];

  /**
   * Creates records no agent under test owns: made by hand (simple, TXT,
   * weighted), of another owner on the agents' own names, and of another
   * host of the same owner. Remembers them as read back, for {@link foreignTouched}.
   */
  async seedForeign(hosts: readonly FaultHost[]): Promise<void> {
    const z = this.name;
    const bare = z.slice(0, -1);
    const mv = (name: string, type: "A" | "SRV", setIdentifier: string, value: string, ttl: number): ResourceRecordSet => ({
      Name: name,
      Type: type,
      SetIdentifier: setIdentifier,
      MultiValueAnswer: true,
      TTL: ttl,
      ResourceRecords: [{ Value: value }],
    });
    const records: ResourceRecordSet[] = [
      { Name: `handmade.${z}`, Type: "A", TTL: 300, ResourceRecords: [{ Value: "192.0.2.10" }] },
      { Name: `handmade.${z}`, Type: "TXT", TTL: 300, ResourceRecords: [{ Value: '"made by hand"' }] },
      { Name: `weighted.${z}`, Type: "A", SetIdentifier: "blue", Weight: 10, TTL: 60, ResourceRecords: [{ Value: "192.0.2.13" }] },
      mv(`web.${z}`, "A", "other-owner/h-x/fqdn-local", "192.0.2.11", 60),
      mv(`web.${z}`, "A", "ecsdns/h-foreign/fqdn-local", "192.0.2.12", 10),
      mv(`_svc-0._tcp.${z}`, "SRV", "ecsdns/h-foreign/0123456789ab-8080", `1 1 31000 h-foreign.${bare}`, 10),
      mv(`h-foreign.${z}`, "A", "ecsdns/h-foreign/host", "192.0.2.12", 10),
      // Another owner on each agent's own host name, with the agent's slot name.
      ...hosts.map((h) => mv(`${h.hostId}.${z}`, "A", `other-owner/${h.hostId}/host`, "192.0.2.14", 30)),
    ];
    await this.change(records.map((r) => ({ Action: "CREATE", ResourceRecordSet: r })));
    const keys = new Set(records.map((r) => recordSetKey({ ...r, Name: r.Name!.toLowerCase() })));
    this.seeded = (await this.records()).filter((r) => keys.has(recordSetKey(r)));
    if (this.seeded.length !== records.length) throw new Error(`seeded ${records.length} foreign record sets, read back ${this.seeded.length}`);
  }

  /** Seeded record sets that are missing or differ from how they were read after seeding. */
  async foreignTouched(): Promise<string[]> {
    const now = new Map((await this.records()).map((r) => [recordSetKey(r), JSON.stringify(r)]));
    return this.seeded.filter((r) => now.get(recordSetKey(r)) !== JSON.stringify(r)).map(recordSetKey);
  }
}

/**
 * The records the agent of `host` must publish for the running containers
 * labelled `ecsdns-test=<tag>`, as `TYPE name value` lines (see the agent's
 * README): each container's `SERVICE_8080_NAME` (SRV with the published
 * port), one shared A for `SERVICE_FQDN_LOCAL`, and the host A (kept while the agent runs).
 */
export async function expectedLines(docker: Docker, tag: string, zoneName: string, host: FaultHost, envById: ReadonlyMap<string, Record<string, string>>): Promise<string[]> {
  const running = await docker.listContainers({ filters: { label: [`ecsdns-test=${tag}`] } });
  const bare = zoneName.slice(0, -1);
  const lines = new Set<string>();
  const srv: string[] = [];
  for (const c of running) {
    const env = envById.get(c.Id);
    if (!env) throw new Error(`container ${c.Id} was not started by this case`);
    const port = c.Ports.find((p) => p.PrivatePort === 8080 && p.Type === "tcp" && p.PublicPort && p.IP === host.ip)?.PublicPort;
    if (env.SERVICE_8080_NAME && port) srv.push(`SRV ${env.SERVICE_8080_NAME}.${zoneName} 1 1 ${port} ${host.hostId}.${bare}`);
    if (env.SERVICE_FQDN_LOCAL) lines.add(`A ${env.SERVICE_FQDN_LOCAL} ${host.ip}`);
  }
  lines.add(`A ${host.hostId}.${zoneName} ${host.ip}`);
  return [...lines, ...srv].sort();
}

/**
 * Waits until the zone holds exactly what the containers ask for, for every
 * host; returns the time it took from `since`. `ready` gates the comparison
 * (e.g. "every container that should run runs again").
 */
export async function waitConverged(
  what: string,
  zone: FaultZone,
  hosts: readonly FaultHost[],
  expected: (host: FaultHost) => Promise<string[]>,
  since: number,
  timeoutMs: number,
  ready: () => Promise<boolean> = async () => true,
): Promise<number> {
  let last = "";
  try {
    await waitFor(
      what,
      async () => {
        if (!(await ready())) return false;
        for (const host of hosts) {
          const [want, have] = [await expected(host), await zone.hostLines(host.hostId)];
          if (JSON.stringify(want) !== JSON.stringify(have)) {
            last = `${host.hostId}: want ${JSON.stringify(want)}\nhave ${JSON.stringify(have)}`;
            return false;
          }
        }
        return true;
      },
      timeoutMs,
      100,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${last}`);
  }
  return Date.now() - since;
}

/** Figures of one fault case, for the benchmark report (R1). */
export interface FaultCaseFigures {
  readonly title: string;
  readonly iterations: number;
  readonly resyncSeconds: number;
  /** From the end of the last fault to "zone == containers". */
  readonly convergeAfterLastFaultMs: number;
  /** ChangeResourceRecordSets calls the emulator answered (accepted or refused), all agents of the case. */
  readonly changeCalls: number;
  /** ListResourceRecordSets calls the emulator answered. */
  readonly listCalls: number;
  /** Throttling/PriorRequestNotComplete answers given. */
  readonly throttlesAnswered: number;
  /** The agent's `ecsdns_agent_route53_throttles_total`, where read. */
  readonly throttlesCounted?: number;
  /** Foreign record sets changed or gone, plus changes sent for record sets the agent does not own: must be 0. */
  readonly foreignRecordsTouched: number;
  readonly notes?: string;
}

const REPORT = path.resolve(__dirname, "../../../bench/results/faults.json");

/**
 * Writes the case into bench/results/faults.json when FAULTS_REPORT=1 (the
 * benchmark run); other runs leave the committed file alone. Call it while
 * holding the Docker lock: fault files never write at the same time.
 */
export function reportFaultCase(id: string, figures: FaultCaseFigures): void {
  if (process.env.FAULTS_REPORT !== "1") return;
  let report: { cases?: Record<string, unknown> } = {};
  try {
    report = JSON.parse(fs.readFileSync(REPORT, "utf8")) as typeof report;
  } catch {
    // First case of the first run.
  }
  const cpus = os.cpus();
  // The every-core-busy case has its loops either way: one entry.
  const busy = everyCoreBusy() && id !== "every-core-busy";
  const key = busy ? `${id}@every-core-busy` : id;
  const entry = busy ? { ...figures, title: `${figures.title}; every core busy`, everyCoreBusy: true } : figures;
  const next = {
    generatedBy: "FAULTS_REPORT=1 npm test -- test/faults, and FAULTS_REPORT=1 FAULTS_EVERY_CORE_BUSY=1 npm test -- test/faults (every core busy)",
    method:
      "Real dockerd and moto (scripts/emulator/moto_server.py). Each case ends when the zone holds exactly the records the running containers ask for; convergeAfterLastFaultMs runs from the end of the last fault. Foreign record sets (hand-made, another owner, another host) are compared byte for byte with how they were read after seeding.",
    machine: { cpus: cpus.length, cpuModel: cpus[0]?.model ?? "unknown", memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` },
    cases: { ...(report.cases ?? {}), [key]: { ...entry, measuredAt: new Date().toISOString() } },
  };
  fs.mkdirSync(path.dirname(REPORT), { recursive: true });
  fs.writeFileSync(REPORT, `${JSON.stringify(next, null, 2)}\n`);
}

/** Reads one counter of an agent's /metrics (summed over labels); undefined when unreachable. */
export async function readMetric(port: number, name: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return text
      .split("\n")
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
  } catch {
    return undefined;
  }
}
