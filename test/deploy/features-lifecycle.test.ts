/**
 * The production features (issue 16, item 4) deployed into the emulator, as
 * a user runs them: config/examples/local-features.json (auto scaling, an SSM
 * parameter secret, a container health check, ECS Exec, ALB access logs,
 * Spot, VPC endpoints), plus what the emulator cannot hold before the
 * platform names it: a WAF web ACL (`TF_VAR_waf_web_acl_arn`) and a Secrets
 * Manager secret, both created in the emulator first, as a user creates them
 * in their account. `npm run local:up` on a free port → every service
 * answers → `npm run local:plan` says "no changes" (what was deployed reads
 * back as it was written) → each feature's resources, read through the AWS
 * SDK, have the configured settings, and the tasks run with their secrets and
 * health check → `npm run local:down` leaves nothing of ours.
 *
 * The tests are steps of one lifecycle and run in order; a step whose
 * predecessor failed fails at once. afterAll destroys what is left and stops
 * the emulator this file started. Measured with the machine's load average
 * near 15 on 2 cores: 1000 s (local:up 502 s, local:plan 189 s, local:down
 * 260 s); 1322 s at load 17-21. The provider's fixed waits and one plan of
 * every stack, as in the local lifecycle.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTaskDefinitionCommand, type TaskDefinition } from "@aws-sdk/client-ecs";
import { DescribeLaunchTemplateVersionsCommand, DescribeRouteTablesCommand } from "@aws-sdk/client-ec2";
import { DescribeLoadBalancersCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetBucketEncryptionCommand, GetBucketLifecycleConfigurationCommand, GetBucketPolicyCommand, GetPublicAccessBlockCommand } from "@aws-sdk/client-s3";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateWebACLCommand } from "@aws-sdk/client-wafv2";
import Docker from "dockerode";
import { loadConfig } from "../../config/load-config";
import { HEALTH_CHECK_DEFAULTS } from "../../config/feature-schema";
import { ELB_LOG_DELIVERY_ACCOUNTS } from "../../modules/alb-access-logs-bucket";
import { startEmulator, type Emulator } from "../../scripts/emulator/launch";
import { ECS_LABELS } from "../../scripts/local/ecs-instance";
import { stackNames } from "../../stacks/platform";
import { acquireDockerLock, BEFORE_ALL_WITH_DOCKER_LOCK_MS } from "../agent/helpers/docker-lock";
import { acquireHostPortsLock } from "../agent/helpers/host-ports-lock";
import { errorSummary, freePort, localEnv, npmRun as runScript, outcome, planSummaries, removeLocalFiles, root, type LocalRun } from "./helpers/local-commands";
import { clusterServices, destroyClients, emulatorClients, leftovers, ourVpcId, subnetDefaultRoutes, type Clients, type Ours } from "./helpers/platform-inventory";
import {
  destroyFeatureClients,
  ecsScalableTargets,
  featureClients,
  groupCapacity,
  loadBalancerAttributes,
  rolePolicies,
  serviceScaling,
  vpcEndpoints,
  webAclOf,
  type FeatureClients,
} from "./helpers/feature-inventory";

jest.setTimeout(20 * 60_000);

const exampleFile = join(root, "config", "examples", "local-features.json");
const environment = `ft${randomBytes(4).toString("hex")}`;
const logDir = mkdtempSync(join(tmpdir(), "features-lifecycle-"));
const configFile = join(logDir, "features.json");
const exampleNames = loadConfig({ PLATFORM_CONFIG: exampleFile }).containers.map((c) => c.name);
/** No registry answers here: each container runs an image the test environment builds (busybox httpd, with wget for the health check). */
const images = { TF_VAR_container_image: exampleNames.map((name) => `ecsdns-test/${name}:1`).join(",") };
/** The container that gets a Secrets Manager secret besides the example's SSM parameter. */
const secretHolder = "admin";
const secretValue = `token-${randomBytes(6).toString("hex")}`;

let emulator: Emulator;
let albPort: number;
let env: NodeJS.ProcessEnv;
let clients: Clients;
let features: FeatureClients;
let webAclArn: string;
let config: ReturnType<typeof loadConfig>;
let stacks: string[];
let releaseLocks: (() => void)[] = [];
let outputs: Record<string, Record<string, any>> = {};
const docker = new Docker();
let ours: Ours;
const passed = new Set<string>();
const STEPS = 10;
const failedRuns: { script: string; run: LocalRun }[] = [];

async function npmRun(script: string, args: string[]): Promise<LocalRun> {
  const result = await runScript(script, args, env, logDir);
  if (result.code !== 0) failedRuns.push({ script: [script, ...args].join(" "), run: result });
  return result;
}

function requireStep(step: string): void {
  if (!passed.has(step)) throw new Error(`skipped: the "${step}" step did not pass`);
}

const output = (stack: string, key: string) => outputs[`${environment}-${stack}`]?.[key];

async function taskDefinitionOf(container: string): Promise<TaskDefinition> {
  const services = await clusterServices(clients, output("cluster", "cluster_name"));
  const service = services.find((s) => s.loadBalancers?.[0]?.containerName === container);
  if (!service) throw new Error(`no ECS service for container ${container}`);
  const { taskDefinition } = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }));
  return taskDefinition!;
}

async function runningContainer(name: string) {
  const [found] = await docker.listContainers({ filters: { label: [`${ECS_LABELS.containerName}=${name}`, `${ECS_LABELS.cluster}=${output("cluster", "cluster_name")}`] } });
  if (!found) throw new Error(`no running container ${name}`);
  return docker.getContainer(found.Id).inspect();
}

beforeAll(async () => {
  // The web ACL and the Secrets Manager secret must exist before the platform names them; the emulator makes up their ids.
  emulator = await startEmulator({ logFile: join(logDir, "emulator.log"), startTimeoutMs: 180_000 });
  const region = loadConfig({ PLATFORM_CONFIG: exampleFile }).aws_region;
  clients = emulatorClients(emulator.url, region);
  features = featureClients(emulator.url, region);
  const acl = await features.wafv2.send(
    new CreateWebACLCommand({
      Name: `${environment}-acl`,
      Scope: "REGIONAL",
      DefaultAction: { Allow: {} },
      VisibilityConfig: { SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: `${environment}-acl` },
    }),
  );
  webAclArn = acl.Summary!.ARN!;
  const secrets = new SecretsManagerClient({ region, endpoint: emulator.url, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const secret = await secrets.send(new CreateSecretCommand({ Name: `${environment}/${secretHolder}/token`, SecretString: secretValue }));
  secrets.destroy();
  const example = JSON.parse(readFileSync(exampleFile, "utf8"));
  for (const container of example.containers) if (container.name === secretHolder) container.secrets = { ...container.secrets, TOKEN: secret.ARN };
  writeFileSync(configFile, `${JSON.stringify(example, null, 2)}\n`);

  albPort = await freePort();
  const vars = { PLATFORM_CONFIG: configFile, TF_VAR_environment: environment, TF_VAR_waf_web_acl_arn: webAclArn, ...images };
  env = localEnv({ ...vars, LOCAL_EMULATOR_PORT: String(new URL(emulator.url).port), LOCAL_ALB_PORT: String(albPort), CHECKPOINT_DISABLE: "1" });
  config = loadConfig({ ...vars, TF_VAR_target: "local" });
  stacks = stackNames(config);
  ours = { environment, namePrefix: `${config.resource_tag}-${environment}` };
  execFileSync("bash", [join(root, "scripts", "test", "test-env.sh"), "site-images", ...exampleNames], { env: process.env });
  releaseLocks = [await acquireDockerLock(process.env.TEST_ENV_DIR!), await acquireHostPortsLock(process.env.TEST_ENV_DIR!)];
}, BEFORE_ALL_WITH_DOCKER_LOCK_MS + 180_000);

afterAll(async () => {
  if (emulator && !passed.has("destroyed")) {
    const down = await npmRun("local:down", []);
    if (down.code !== 0) console.error(`local:down in afterAll failed, see ${down.logFile}`);
  }
  if (clients) destroyClients(clients);
  if (features) destroyFeatureClients(features);
  await emulator?.stop();
  for (const release of releaseLocks) release();
  const failed = passed.size < STEPS;
  if (emulator) removeLocalFiles(environment, Number(new URL(emulator.url).port), failed);
  if (failed) {
    const why = failedRuns.map(({ script, run }) => `npm run ${script} exited ${run.code}:\n  ${errorSummary(run).replace(/\n/g, "\n  ")}`);
    console.error([...why, `features lifecycle: the commands' and the emulator's output are in ${logDir}`].join("\n"));
  } else {
    rmSync(logDir, { recursive: true, force: true });
  }
}, 10 * 60_000);

describe("the production features in the emulator (config/examples/local-features.json, a web ACL and a Secrets Manager secret)", () => {
  test("local:up deploys every stack with the features on, and every service answers", async () => {
    // WHEN
    const up = await npmRun("local:up", []);
    // THEN
    expect(outcome(up)).toMatchObject({ code: 0 });
    expect(up.output).toContain(`local: using the emulator at ${emulator.url}`);
    expect(up.output).toContain(`local: deployed ${stacks.join(", ")}`);
    expect(up.output).toMatch(/local: every service is resolvable and answering/);
    outputs = JSON.parse(readFileSync(join(root, ".local", `outputs-${environment}.json`), "utf8"));
    passed.add("up");
  });

  test("local:plan right after local:up: no changes in any stack, so every feature's resource reads back as deployed", async () => {
    requireStep("up");
    const plan = await npmRun("local:plan", []);
    expect(outcome(plan)).toMatchObject({ code: 0 });
    expect(planSummaries(plan.output)).toEqual(Object.fromEntries(stacks.map((stack) => [stack, "no changes"])));
    passed.add("plan");
  });

  test("autoscaling: a container with it has a scalable target on its desired count and a CPU target tracking policy; the others have none", async () => {
    requireStep("up");
    const cluster = output("cluster", "cluster_name");
    const services = await clusterServices(clients, cluster);
    for (const container of config.containers) {
      const service = services.find((s) => s.loadBalancers?.[0]?.containerName === container.name)!;
      // WHEN
      const scaling = await serviceScaling(features, cluster, service.serviceName!);
      // THEN
      const expected = container.autoscaling && {
        targets: [{ dimension: "ecs:service:DesiredCount", min: container.autoscaling.min, max: container.autoscaling.max }],
        policies: [{ type: "TargetTrackingScaling", dimension: "ecs:service:DesiredCount", metric: "ECSServiceAverageCPUUtilization", targetValue: container.autoscaling.cpu_percent }],
      };
      expect({ container: container.name, scaling }).toEqual({ container: container.name, scaling: expected });
    }
    expect(config.containers.some((c) => c.autoscaling)).toBe(true);
    passed.add("autoscaling");
  });

  test("secrets: the task execution role may read exactly the named secret and parameter, and the tasks run with their values", async () => {
    requireStep("up");
    // GIVEN what the configuration names
    const named = config.containers.flatMap((c) => Object.values(c.secrets));
    const secretArns = named.filter((arn) => arn.includes(":secretsmanager:"));
    const parameterArns = named.filter((arn) => arn.includes(":ssm:"));
    expect({ secrets: secretArns.length, parameters: parameterArns.length }).toEqual({ secrets: 1, parameters: 1 });
    // WHEN
    const definitions = await Promise.all(config.containers.map((c) => taskDefinitionOf(c.name)));
    const executionRoles = new Set(definitions.map((d) => d.executionRoleArn!.split("/").pop()!));
    expect(executionRoles.size).toBe(1);
    const policies = await rolePolicies(clients.iam, [...executionRoles][0]);
    // THEN exactly these ARNs, nothing else, in the policy for secrets; no managed policy grants more
    expect(policies.inline["read-container-secrets"]).toEqual([
      { effect: "Allow", actions: ["secretsmanager:GetSecretValue"], resources: secretArns },
      { effect: "Allow", actions: ["ssm:GetParameters"], resources: parameterArns },
    ]);
    expect(policies.attached).toEqual([]);
    const otherStatements = Object.entries(policies.inline).filter(([name]) => name !== "read-container-secrets").flatMap(([, s]) => s);
    expect(otherStatements.flatMap((s) => s.actions).filter((a) => /^(secretsmanager|ssm):/.test(a))).toEqual([]);
    // AND each container definition names its secrets, and the running task has their values
    for (const [i, container] of config.containers.entries()) {
      const definition = definitions[i].containerDefinitions!.find((d) => d.name === container.name)!;
      const expected = Object.entries(container.secrets).map(([name, valueFrom]) => ({ name, valueFrom }));
      expect({ container: container.name, secrets: definition.secrets ?? [] }).toEqual({ container: container.name, secrets: expected });
      const runtimeEnv = (await runningContainer(container.name)).Config.Env;
      for (const name of Object.keys(container.secrets)) {
        const value = name === "TOKEN" ? secretValue : `local-placeholder-${name}`;
        expect(runtimeEnv).toContain(`${name}=${value}`);
      }
    }
    passed.add("secrets");
  });

  test("health_check_command: the task definition's healthCheck, and Docker reports the running container healthy", async () => {
    requireStep("up");
    for (const container of config.containers) {
      // WHEN
      const definition = (await taskDefinitionOf(container.name)).containerDefinitions!.find((d) => d.name === container.name)!;
      // THEN
      const expected = container.health_check_command && {
        command: container.health_check_command,
        interval: HEALTH_CHECK_DEFAULTS.intervalSeconds,
        timeout: HEALTH_CHECK_DEFAULTS.timeoutSeconds,
        retries: HEALTH_CHECK_DEFAULTS.retries,
        startPeriod: HEALTH_CHECK_DEFAULTS.startPeriodSeconds,
      };
      expect({ container: container.name, healthCheck: definition.healthCheck }).toEqual({ container: container.name, healthCheck: expected });
      const health = (await runningContainer(container.name)).State.Health?.Status;
      expect({ container: container.name, health }).toEqual({ container: container.name, health: container.health_check_command ? "healthy" : undefined });
    }
    expect(config.containers.some((c) => c.health_check_command)).toBe(true);
    passed.add("health check");
  });

  test("ecs_exec: every service allows execute-command, and every task role has the four ssmmessages channel actions", async () => {
    requireStep("up");
    const services = await clusterServices(clients, output("cluster", "cluster_name"));
    expect(services.map((s) => ({ service: s.serviceName, exec: s.enableExecuteCommand }))).toEqual(services.map((s) => ({ service: s.serviceName, exec: true })));
    expect(services).toHaveLength(config.containers.length);
    for (const container of config.containers) {
      const taskRole = (await taskDefinitionOf(container.name)).taskRoleArn!.split("/").pop()!;
      const { inline } = await rolePolicies(clients.iam, taskRole);
      expect({ taskRole, policy: inline["ecs-exec-channels"] }).toEqual({
        taskRole,
        policy: [
          {
            effect: "Allow",
            actions: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
            resources: ["*"],
          },
        ],
      });
    }
    passed.add("ecs exec");
  });

  test("alb_access_logs and waf_web_acl_arn: the ALB logs to a private, encrypted, expiring bucket that only ELB log delivery may write, over TLS only; the web ACL is associated", async () => {
    requireStep("up");
    // GIVEN the environment's load balancer
    const { LoadBalancers = [] } = await clients.elbv2.send(new DescribeLoadBalancersCommand({}));
    const [alb] = LoadBalancers.filter((lb) => lb.DNSName === output("cluster", "alb_dns_name"));
    expect(alb).toBeDefined();
    // WHEN
    const attributes = await loadBalancerAttributes(clients.elbv2, alb.LoadBalancerArn!);
    const bucket = attributes["access_logs.s3.bucket"];
    // THEN access logs are on, to a bucket of this environment
    expect({ enabled: attributes["access_logs.s3.enabled"], bucket }).toEqual({ enabled: "true", bucket: expect.stringMatching(new RegExp(`^${ours.namePrefix}-alb-logs-`)) });
    // AND only the Region's ELB account may write, under AWSLogs/<account>/; every non-TLS request is denied
    const { Policy = "{}" } = await clients.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    const asList = (value: unknown) => [value].flat().sort();
    const statements = JSON.parse(Policy).Statement.map((s: Record<string, unknown>) => ({ Effect: s.Effect, Principal: s.Principal, Action: asList(s.Action), Resource: asList(s.Resource), Condition: s.Condition }));
    expect(statements).toEqual([
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ELB_LOG_DELIVERY_ACCOUNTS[config.aws_region]}:root` }, Action: ["s3:PutObject"], Resource: [`arn:aws:s3:::${bucket}/AWSLogs/123456789012/*`], Condition: undefined },
      { Effect: "Deny", Principal: { AWS: "*" }, Action: ["s3:*"], Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
    ]);
    // AND the bucket is private, encrypted with SSE-S3, and its logs expire after log_retention_days
    const { PublicAccessBlockConfiguration } = await clients.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    expect(PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    const { ServerSideEncryptionConfiguration } = await clients.s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    expect(ServerSideEncryptionConfiguration?.Rules?.map((r) => r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm)).toEqual(["AES256"]);
    const { Rules = [] } = await clients.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    expect(Rules.map((r) => ({ status: r.Status, days: r.Expiration?.Days }))).toEqual([{ status: "Enabled", days: config.log_retention_days }]);
    // AND the web ACL named by TF_VAR_waf_web_acl_arn protects the ALB
    expect(await webAclOf(features, alb.LoadBalancerArn!)).toBe(webAclArn);
    passed.add("access logs and waf");
  });

  test("spot: the auto scaling group has a mixed-instances policy with an on-demand base, Spot above it, and capacity rebalancing; its hosts drain on Spot interruption", async () => {
    requireStep("up");
    // WHEN
    const capacity = await groupCapacity(features, output("cluster", "autoscaling_group_name"));
    // THEN
    expect(capacity).toEqual({
      capacityRebalance: true,
      launchTemplateName: expect.stringMatching(new RegExp(`^${ours.namePrefix}`)),
      instanceTypes: config.spot_instance_types.length > 0 ? config.spot_instance_types : [config.instance_type],
      distribution: { onDemandBaseCapacity: config.spot_on_demand_base, onDemandPercentageAboveBaseCapacity: 0, spotAllocationStrategy: "price-capacity-optimized" },
    });
    // AND the launch template's user data turns on ECS Spot draining
    const { LaunchTemplateVersions = [] } = await clients.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: capacity.launchTemplateName, Versions: ["$Latest"] }));
    const userData = Buffer.from(LaunchTemplateVersions[0]?.LaunchTemplateData?.UserData ?? "", "base64").toString("utf8");
    expect(userData.split("\n")).toContain("ECS_ENABLE_SPOT_INSTANCE_DRAINING=true");
    passed.add("spot");
  });

  test("vpc_endpoints: an S3 gateway endpoint on the private route tables, and ECR, Logs and SSM interface endpoints with private DNS in the private subnets", async () => {
    requireStep("up");
    // GIVEN the VPC's private subnets and their route tables
    const vpcId = await ourVpcId(clients, ours);
    const privateSubnets = [...(output("network", "private_subnet_ids") as string[])].sort();
    const routes = await subnetDefaultRoutes(clients, vpcId);
    expect(routes.filter((r) => r.tier === "private").map((r) => r.subnetId).sort()).toEqual(privateSubnets);
    const privateRouteTables = await privateRouteTableIds(vpcId, privateSubnets);
    // WHEN
    const endpoints = await vpcEndpoints(clients.ec2, { vpcId });
    // THEN
    const service = (name: string) => `com.amazonaws.${config.aws_region}.${name}`;
    const interfaceEndpoint = (name: string) => ({ service: service(name), type: "Interface", privateDns: true, subnetIds: privateSubnets, routeTableIds: [], securityGroups: [`${ours.namePrefix}-vpc-endpoints`] });
    expect(endpoints).toEqual([
      interfaceEndpoint("ecr.api"),
      interfaceEndpoint("ecr.dkr"),
      interfaceEndpoint("logs"),
      { service: service("s3"), type: "Gateway", privateDns: false, subnetIds: [], routeTableIds: privateRouteTables, securityGroups: [] },
      interfaceEndpoint("ssm"),
    ]);
    passed.add("endpoints");
  });

  test("local:down destroys every stack and leaves nothing of ours: no resource, scalable target or VPC endpoint", async () => {
    requireStep("up");
    // WHEN (the emulator is this file's: local:down leaves it running)
    const down = await npmRun("local:down", []);
    // THEN
    expect(outcome(down)).toMatchObject({ code: 0 });
    expect(down.output).toContain(`local: destroyed ${stacks.join(", ")}`);
    const left = await leftovers(clients, ours, { zoneId: output("discovery", "zone_id"), fileSystemId: output("cluster", "file_system_id"), exclusive: true });
    expect(left).toEqual([]);
    expect(await ecsScalableTargets(features)).toEqual([]);
    expect(await vpcEndpoints(clients.ec2, { environment })).toEqual([]);
    passed.add("destroyed");
  });
});

/** The route tables associated with `subnets`, sorted. */
async function privateRouteTableIds(vpcId: string, subnets: string[]): Promise<string[]> {
  const { RouteTables = [] } = await clients.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }));
  return RouteTables.filter((t) => (t.Associations ?? []).some((a) => subnets.includes(a.SubnetId ?? ""))).map((t) => t.RouteTableId!).sort();
}
