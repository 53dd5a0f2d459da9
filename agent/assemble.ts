/**
 * Wires one agent's pass and loop from its configuration: the same wiring for
 * the daemon (main.ts) and for the fleet benchmark, which runs hundreds of
 * agents in one process against the in-memory Route53 (bench/fleet/).
 */
import type { Logger } from "../cli/logger";
import { Route53Provider } from "../dns/route53/route53-provider";
import type { Route53Api } from "../dns/route53/route53-api";
import { RateLimitedRoute53Api } from "../dns/route53/rate-limited-api";
import type { AgentConfig } from "./config";
import type { HostIdentity } from "./desired-records";
import type { AgentMetrics } from "./metrics";
import type { DockerSource } from "./ports";
import { ReconcilePass, type PassOutcome } from "./reconcile-pass";
import { Reconciler } from "./reconciler";

/** What an agent is built from, besides its configuration. */
export interface AgentParts {
  readonly config: AgentConfig;
  readonly identity: HostIdentity;
  /** Normalized zone name. */
  readonly zoneName: string;
  readonly api: Route53Api;
  readonly docker: DockerSource;
  readonly logger: Logger;
  readonly metrics?: AgentMetrics;
}

/** The agent's Route53 calls behind its own token bucket (`--route53-burst`, `--route53-refill-seconds`). */
export function limitedApi(parts: AgentParts): RateLimitedRoute53Api {
  return new RateLimitedRoute53Api(parts.api, { burst: parts.config.route53Burst, refillMs: parts.config.route53RefillSeconds * 1000 });
}

/** The pass (also run alone: `--once`, deregistration) and the DNS side it writes through. */
export function assemblePass(parts: AgentParts, api: Route53Api = limitedApi(parts)): ReconcilePass {
  const { config } = parts;
  return new ReconcilePass({
    docker: parts.docker,
    dns: new Route53Provider({ api, zoneId: config.zoneId }),
    host: parts.identity,
    zoneName: parts.zoneName,
    defaultTtlSeconds: config.ttlSeconds,
    policy: config.policy,
    dryRun: config.dryRun,
    zoneReads: config.zoneReads,
    // The names of an earlier run's index, read once at start: not through the bucket (see ReconcilePassOptions).
    indexReads: new Route53Provider({ api: parts.api, zoneId: config.zoneId }),
    logger: parts.logger.child({ component: "reconciler" }),
    ...(parts.metrics ? { metrics: parts.metrics } : {}),
  });
}

/** The loop over `pass`, with the configuration's timing. */
export function assembleLoop(
  parts: AgentParts,
  pass: Pick<ReconcilePass, "run">,
  api?: Pick<RateLimitedRoute53Api, "readyAt">,
  onPass?: (outcome: PassOutcome | undefined, error: unknown) => void,
): Reconciler {
  const { config } = parts;
  return new Reconciler({
    pass,
    docker: parts.docker,
    logger: parts.logger.child({ component: "loop" }),
    ...(parts.metrics ? { metrics: parts.metrics } : {}),
    resyncSeconds: config.resyncSeconds,
    debounceMs: config.debounceMs,
    minIntervalMs: config.minIntervalMs,
    maxDelayMs: config.maxDelayMs,
    ...(api ? { readyAt: () => api.readyAt() } : {}),
    ...(onPass ? { onPass } : {}),
  });
}
