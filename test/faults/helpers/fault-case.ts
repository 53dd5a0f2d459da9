/**
 * One fault case's parts: the Docker lock (one case restarts dockerd), a
 * seeded zone, containers labelled for this file, agents behind counting
 * proxies; `close` stops everything the case started.
 */
import { AgentProcess } from "../../agent/helpers/agent-process";
import { acquireDockerLock } from "../../agent/helpers/docker-lock";
import { TestContainers, type ContainerSpec, type TestContainer } from "../../agent/helpers/test-containers";
import { testEnv, uniqueSuffix, type TestEnv } from "../../agent/helpers/test-env";
import { CpuPressure } from "../../helpers/cpu-pressure";
import { FaultZone, RESYNC_SECONDS, everyCoreBusy, expectedLines, route53Client, type FaultHost } from "./fault-world";
import { Route53Proxy, type ProxyOptions } from "./throttling-proxy";

/** Settings of {@link FaultCase.open}. */
export interface FaultCaseOptions {
  /** Zone name prefix, unique per file. */
  readonly prefix: string;
  readonly hosts: readonly FaultHost[];
  /** Route53 endpoint of the zone. @default the moto of `npm test` */
  readonly motoUrl?: string;
  /** Where containers and agents run. @default the environment of `npm test` (its dockerd) */
  readonly env?: TestEnv;
}

/** The parts of one fault case. */
export class FaultCase {
  readonly envById = new Map<string, Record<string, string>>();
  readonly proxies: Route53Proxy[] = [];
  /** The busy loops of the "every core busy" column of the fault matrix, while they run. */
  pressure?: CpuPressure;
  private closed = false;
  private constructor(
    readonly env: TestEnv,
    readonly zone: FaultZone,
    readonly containers: TestContainers,
    readonly hosts: readonly FaultHost[],
    private readonly releaseLock: () => void,
  ) {}

  /**
   * Takes the Docker lock, creates and seeds the zone; with
   * FAULTS_EVERY_CORE_BUSY=1 (the fault matrix's second column) also starts
   * a busy loop on every core, which runs until {@link close}.
   */
  static async open(options: FaultCaseOptions): Promise<FaultCase> {
    const env = options.env ?? testEnv();
    const releaseLock = await acquireDockerLock(env.envDir);
    try {
      const client = route53Client(env, options.motoUrl);
      const zone = await FaultZone.create(client, `${options.prefix}-${uniqueSuffix()}.test.`);
      await zone.seedForeign(options.hosts);
      const fc = new FaultCase(env, zone, new TestContainers(env, `${options.prefix}-${uniqueSuffix()}`), options.hosts, releaseLock);
      if (everyCoreBusy()) fc.pressure = CpuPressure.start({ maxMs: 10 * 60_000 });
      return fc;
    } catch (error) {
      releaseLock();
      throw error;
    }
  }

  /** Starts a container asking for `env` and remembers what it asked for. */
  async startContainer(env: Record<string, string>, restart: ContainerSpec["restart"] = "no"): Promise<TestContainer> {
    // Bound to each host's address: an agent publishes only what answers at its --host-ip.
    const c = await this.containers.start({ env, restart, bindTo: [...new Set(this.hosts.map((h) => h.ip))] });
    this.envById.set(c.id, env);
    return c;
  }

  /** The environment of a container asking for an SRV `_svc-<n>._tcp` and, when `shared`, the shared A `web.<zone>`. */
  serviceEnv(n: number, shared = false): Record<string, string> {
    return { SERVICE_8080_NAME: `_svc-${n}._tcp`, ...(shared ? { SERVICE_FQDN_LOCAL: `web.${this.zone.name}` } : {}) };
  }

  /** A proxy in front of the zone's Route53 that records changes outside `host`'s records. */
  async proxy(host: FaultHost, options: Partial<ProxyOptions> = {}, target = this.env.motoUrl): Promise<Route53Proxy> {
    const proxy = await Route53Proxy.start({ target, ownedPrefix: `ecsdns/${host.hostId}/`, ...options });
    this.proxies.push(proxy);
    return proxy;
  }

  /** Starts an agent for `host` talking to Route53 through `proxy`. */
  startAgent(host: FaultHost, proxy: Route53Proxy, ...extra: string[]): AgentProcess {
    return AgentProcess.start(
      this.env,
      // The agent's own token bucket is off (--route53-burst 0): a 5 s resync is a call every 5 s; fleet-throttled.test.ts runs the bucket.
      ["--zone-id", this.zone.id, "--zone-name", this.zone.name, "--host-id", host.hostId, "--host-ip", host.ip, "--resync-seconds", String(RESYNC_SECONDS), "--max-delay-ms", "4000", "--metrics-port", "0", "--route53-burst", "0", ...extra],
      { AWS_ENDPOINT_URL_ROUTE_53: proxy.url },
    );
  }

  /** What `host`'s agent must publish now. */
  expected(host: FaultHost): Promise<string[]> {
    return expectedLines(this.containers.docker, this.containers.tag, this.zone.name, host, this.envById);
  }

  /** Ids of this case's running containers, sorted. */
  async runningIds(): Promise<string[]> {
    const list = await this.containers.docker.listContainers({ filters: { label: [`ecsdns-test=${this.containers.tag}`] } });
    return list.map((c) => c.Id).sort();
  }

  /** Totals over the case's proxies. */
  totals(): { changeCalls: number; listCalls: number; throttles: number; foreignChanges: string[] } {
    const sum = (f: (p: Route53Proxy) => number) => this.proxies.reduce((n, p) => n + f(p), 0);
    return {
      changeCalls: sum((p) => p.snapshot().answered.ChangeResourceRecordSets),
      listCalls: sum((p) => p.snapshot().answered.ListResourceRecordSets),
      throttles: sum((p) => p.throttles),
      foreignChanges: this.proxies.flatMap((p) => p.foreignChanges),
    };
  }

  /** Stops agents, proxies and containers, deletes the zone, releases the lock. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.pressure?.stop();
      await AgentProcess.killAll();
      await Promise.all(this.proxies.splice(0).map((p) => p.close().catch(() => undefined)));
      await this.containers.removeAll().catch(() => undefined);
      await this.zone.destroy();
      this.zone.client.destroy();
    } finally {
      this.releaseLock();
    }
  }
}
