/**
 * `npm run bench:steady-state`: can the local target wait for a steady
 * state? One ECS service (bridge mode, desired count 1) applied with
 * Terraform against the patched emulator twice, `wait_for_steady_state` on
 * and off, each timed; with it on, the service's create timeout is cut to
 * STEADY_STATE_TIMEOUT (the provider's default is 20 minutes). Also records
 * what the emulator's DescribeServices says of the service (runningCount,
 * its deployment's rolloutState), which is what the provider's waiter polls.
 *
 * Writes bench/results/steady-state.md and .json. Needs moto and Terraform
 * (TF_PROVIDER_MIRROR for an offline provider).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { startEmulator } from "../../scripts/emulator/launch";
import { run } from "../../scripts/lib/run";
import { terraformEnv } from "../../scripts/lib/terraform-env";

const root = resolve(__dirname, "..", "..");
const STEADY_STATE_TIMEOUT = process.env.BENCH_STEADY_STATE_TIMEOUT ?? "3m";
const scratch = mkdtempSync(join(tmpdir(), "bench-steady-state-"));
const say = (message: string) => process.stdout.write(`bench: ${message}\n`);

/** The Terraform JSON: a cluster, a task definition and one service, against the emulator. */
function configuration(endpoint: string, wait: boolean): object {
  return {
    terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } } },
    provider: {
      aws: {
        region: "us-east-1",
        access_key: "test",
        secret_key: "test",
        skip_credentials_validation: true,
        skip_metadata_api_check: true,
        endpoints: [{ ecs: endpoint, sts: endpoint, iam: endpoint, ec2: endpoint }],
      },
    },
    resource: {
      aws_ecs_cluster: { this: { name: "steady" } },
      aws_ecs_task_definition: {
        this: {
          family: "steady",
          network_mode: "bridge",
          requires_compatibilities: ["EC2"],
          container_definitions: JSON.stringify([{ name: "web", image: "nginx", essential: true, memory: 128, portMappings: [{ containerPort: 80, hostPort: 0 }] }]),
        },
      },
      aws_ecs_service: {
        this: {
          name: "steady",
          cluster: "${aws_ecs_cluster.this.arn}",
          task_definition: "${aws_ecs_task_definition.this.arn}",
          desired_count: 1,
          launch_type: "EC2",
          wait_for_steady_state: wait,
          timeouts: { create: STEADY_STATE_TIMEOUT },
        },
      },
    },
  };
}

interface Outcome {
  readonly waitForSteadyState: boolean;
  readonly applyExit: number;
  readonly applySeconds: number;
  readonly error?: string;
  readonly runningCount?: number;
  readonly desiredCount?: number;
  readonly rolloutState?: string;
}

async function applyOnce(wait: boolean): Promise<Outcome> {
  const logFile = join(scratch, `emulator-${wait}.log`);
  // A busy machine may take a while to start Python.
  const emulator = await startEmulator({ logFile, startTimeoutMs: 120_000 });
  try {
    const dir = join(scratch, `wait-${wait}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(configuration(emulator.url, wait), null, 2));
    const env = terraformEnv(process.env, join(scratch, "tf-config"));
    const init = await run("terraform", ["init", "-input=false", "-no-color"], { cwd: dir, env });
    if (init.code !== 0) throw new Error(`terraform init failed:\n${init.output}`);
    const apply = await run("terraform", ["apply", "-auto-approve", "-input=false", "-no-color"], { cwd: dir, env });
    const ecs = new ECSClient({ region: "us-east-1", endpoint: emulator.url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const { services = [] } = await ecs.send(new DescribeServicesCommand({ cluster: "steady", services: ["steady"] }));
    const service = services[0];
    const error = apply.code === 0 ? undefined : (/Error: (.*)/.exec(apply.output)?.[0] ?? apply.output.slice(-400));
    say(`wait_for_steady_state=${wait}: exit ${apply.code} in ${(apply.ms / 1000).toFixed(1)} s${error ? ` (${error})` : ""}`);
    return {
      waitForSteadyState: wait,
      applyExit: apply.code,
      applySeconds: Math.round(apply.ms / 100) / 10,
      ...(error ? { error } : {}),
      runningCount: service?.runningCount,
      desiredCount: service?.desiredCount,
      rolloutState: service?.deployments?.[0]?.rolloutState,
    };
  } finally {
    await emulator.stop();
  }
}

async function main(): Promise<void> {
  const started = new Date();
  const outcomes = [await applyOnce(false), await applyOnce(true)];
  const lines = [
    "# Steady state on the local target",
    "",
    `One ECS service (desired count 1) applied against the patched emulator (moto 5.2.1), ${started.toISOString()}; with wait_for_steady_state the service's create timeout is ${STEADY_STATE_TIMEOUT}. Measured by \`npm run bench:steady-state\`.`,
    "",
    "| wait_for_steady_state | apply exit | apply time | DescribeServices: running / desired, rollout | error |",
    "| --- | --- | --- | --- | --- |",
    ...outcomes.map(
      (o) => `| ${o.waitForSteadyState} | ${o.applyExit} | ${o.applySeconds} s | ${o.runningCount} / ${o.desiredCount}, ${o.rolloutState ?? "-"} | ${o.error ? o.error.replace(/\|/g, "\\|") : "-"} |`,
    ),
    "",
    "moto answers runningCount from the setting MOTO_ECS_SERVICE_RUNNING (0 unless set) for every service, whatever runs, and no task of the local target is running while Terraform applies (local:up starts them after the deploy), so the provider's waiter can only time out: the local target turns the wait off.",
    "",
  ];
  const dir = join(root, "bench", "results");
  writeFileSync(join(dir, "steady-state.md"), lines.join("\n"));
  writeFileSync(join(dir, "steady-state.json"), JSON.stringify({ started, timeout: STEADY_STATE_TIMEOUT, outcomes }, null, 2));
  process.stdout.write(`${lines.join("\n")}\n`);
  rmSync(scratch, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
