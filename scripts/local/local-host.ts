/**
 * The local stand-in for one ECS instance's host side, as a background
 * process that `local:up` starts and `local:down` stops (SIGTERM):
 * - instance metadata (imds-stand-in.ts) for the agent;
 * - the DNS agent, run as its systemd unit says (agent-supervisor.ts), its
 *   output in the agent log;
 * - the load balancer on 127.0.0.1 (local-alb.ts), its requests in this log.
 *
 * Usage: node --require tsx/cjs scripts/local/local-host.ts <plan.json>
 * It writes the plan's `statusFile` once everything listens, and removes it
 * when it stops.
 */
import { createWriteStream, readFileSync, rmSync, writeFileSync } from "node:fs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { supervise } from "./agent-supervisor";
import { startImdsStandIn, type ImdsIdentity } from "./imds-stand-in";
import type { LocalAgentCommand } from "./installed-agent";
import { startLocalAlb } from "./local-alb";

/** What local:up hands the host process. */
export interface LocalHostPlan {
  readonly region: string;
  readonly emulatorUrl: string;
  readonly instance: ImdsIdentity;
  /** The agent's command; the host adds `AWS_EC2_METADATA_SERVICE_ENDPOINT` to its environment. */
  readonly agent: LocalAgentCommand;
  readonly agentLog: string;
  readonly alb: { readonly loadBalancerArn: string; readonly port: number };
  readonly statusFile: string;
}

/** What the host process reports once it runs. */
export interface LocalHostStatus {
  readonly pid: number;
  readonly imdsEndpoint: string;
  readonly albUrl: string;
}

async function main(planFile: string): Promise<void> {
  const plan = JSON.parse(readFileSync(planFile, "utf8")) as LocalHostPlan;
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const imds = await startImdsStandIn(plan.instance);
  const elbv2 = new ElasticLoadBalancingV2Client({
    region: plan.region,
    endpoint: plan.emulatorUrl,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const alb = await startLocalAlb({ elbv2, loadBalancerArn: plan.alb.loadBalancerArn, port: plan.alb.port, instanceAddress: plan.instance.localIpv4, log });
  const agentLog = createWriteStream(plan.agentLog, { flags: "a" });
  const agent = supervise({ ...plan.agent, env: { ...plan.agent.env, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint } }, agentLog, log);
  log(`host: instance metadata at ${imds.endpoint}, load balancer at ${alb.url}, agent pid ${agent.pid()}`);
  const status: LocalHostStatus = { pid: process.pid, imdsEndpoint: imds.endpoint, albUrl: alb.url };
  writeFileSync(plan.statusFile, JSON.stringify(status));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`host: ${signal}: stopping the agent (it removes this host's records), then the load balancer`);
    const code = await agent.stop();
    log(`host: the agent exited ${code}`);
    await alb.close();
    await imds.close();
    elbv2.destroy();
    rmSync(plan.statusFile, { force: true });
    agentLog.end(() => process.exit(0));
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

if (require.main === module) {
  main(process.argv[2]).catch((error: unknown) => {
    process.stderr.write(`local host: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  });
}
