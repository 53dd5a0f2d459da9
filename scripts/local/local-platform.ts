/**
 * After `local:up` deployed the stacks into the emulator, this runs them on
 * the local Docker engine, as one ECS instance of the cluster would:
 *
 * 1. the instance: one of the auto scaling group's instances in the
 *    emulator, with the user data of its launch template version;
 * 2. the DNS agent exactly as that user data installs it: the bundle from
 *    the S3 object it names, its systemd unit (checked with
 *    `systemd-analyze verify`) run as written on Node.js 22, with identity
 *    and credentials from instance metadata (local-host.ts);
 * 3. the load balancer on 127.0.0.1:`LOCAL_ALB_PORT` (local-alb.ts);
 * 4. every ECS service's tasks, registered in their target groups (ecs-instance.ts).
 *
 * `stopLocalPlatform` undoes it, agent first (it removes its records on exit).
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import Docker from "dockerode";
import { DescribeInstancesCommand, DescribeLaunchTemplateVersionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { Route53Client } from "@aws-sdk/client-route-53";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SSMClient } from "@aws-sdk/client-ssm";
import { NODE22_VERSION, node22 } from "../lib/node22";
import { isRunning } from "../lib/processes";
import { clusterServices, removeTasks, runServiceTasks, type EcsInstanceProps } from "./ecs-instance";
import { installedAgentFromUserData, localAgentCommand, verifyUnit } from "./installed-agent";
import type { LocalHostPlan, LocalHostStatus } from "./local-host";
import { waitUntilServed, type ServedPlatform } from "./platform-readiness";

/** What the local platform is run with. */
export interface LocalPlatformProps {
  /** e.g. `dev`: names the files under `.local/host/<environment>/`. */
  readonly environment: string;
  readonly region: string;
  readonly emulatorUrl: string;
  /** `<resource_tag>-<environment>`: the cluster's name and the auto scaling group's prefix. */
  readonly clusterName: string;
  readonly autoScalingGroupName: string;
  readonly albDnsName: string;
  readonly zoneId: string;
  readonly zoneName: string;
  /** The agents' set-identifier owner: their records are the ones printed. */
  readonly owner: string;
  readonly albPort: number;
  /** `.local` */
  readonly workDir: string;
  readonly log: (line: string) => void;
}

const ROOT = resolve(__dirname, "..", "..");

/** The Docker engine of DOCKER_HOST (or the default socket), if one answers; else why not. */
export async function localDocker(): Promise<{ docker: Docker } | { why: string }> {
  const docker = new Docker();
  try {
    await docker.ping();
    return { docker };
  } catch (error) {
    const where = process.env.DOCKER_HOST ?? "/var/run/docker.sock";
    return { why: `no Docker engine answers at ${where} (${(error as Error).message})` };
  }
}

/** Runs the deployed platform locally; resolves once every service is resolvable and answering. */
export async function runLocalPlatform(props: LocalPlatformProps, docker: Docker): Promise<ServedPlatform> {
  const dir = hostDir(props);
  mkdirSync(dir, { recursive: true });
  const clients = emulatorClients(props);
  try {
    const instance = await findInstance(clients.ec2, props.autoScalingGroupName);
    const installed = installedAgentFromUserData(await launchTemplateUserData(clients.ec2, instance));
    const bundle = join(dir, "agent.js");
    const object = await clients.s3.send(new GetObjectCommand({ Bucket: installed.bundleSource.bucket, Key: installed.bundleSource.key }));
    writeFileSync(bundle, await object.Body!.transformToByteArray());
    const node = node22();
    const said = verifyUnit(installed, node, installed.units.filter((u) => u !== installed && u.unitName !== installed.unitName));
    if (said === undefined) props.log(`systemd-analyze is not installed here: ${installed.unitName} was not verified`);
    else if (said !== "") throw new Error(`systemd-analyze verify ${installed.unitName}:\n${said}`);
    props.log(`instance ${instance.instanceId}: running ${installed.unitName} as its unit says, from s3://${installed.bundleSource.bucket}/${installed.bundleSource.key}, on Node.js ${NODE22_VERSION}`);

    await stopHost(props);
    const { LoadBalancers = [] } = await clients.elbv2.send(new DescribeLoadBalancersCommand({}));
    const loadBalancer = LoadBalancers.find((lb) => lb.DNSName === props.albDnsName);
    if (!loadBalancer) throw new Error(`the emulator has no load balancer ${props.albDnsName}`);
    const plan: LocalHostPlan = {
      region: props.region,
      emulatorUrl: props.emulatorUrl,
      instance: { instanceId: instance.instanceId, localIpv4: "127.0.0.1", region: props.region, roleName: instance.roleName },
      agent: localAgentCommand(installed, { node, bundle, hostEnv: process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {} }),
      agentLog: join(dir, "agent.log"),
      alb: { loadBalancerArn: loadBalancer.LoadBalancerArn!, port: props.albPort },
      statusFile: join(dir, "host.json"),
    };
    const status = await startHost(plan, dir);

    const ecsInstance: EcsInstanceProps = { docker, ecs: clients.ecs, elbv2: clients.elbv2, secrets: clients, clusterName: props.clusterName, instanceId: instance.instanceId, log: props.log };
    const services = await clusterServices(ecsInstance);
    const tasks = await runServiceTasks(ecsInstance, services);
    return await waitUntilServed({
      ...props,
      albUrl: status.albUrl,
      loadBalancerArn: plan.alb.loadBalancerArn,
      services,
      tasks,
      elbv2: clients.elbv2,
      route53: clients.route53,
      agentLog: plan.agentLog,
    });
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}

/** Stops the agent (which removes its records), the load balancer, then the tasks and their volumes. */
export async function stopLocalPlatform(props: Pick<LocalPlatformProps, "environment" | "workDir" | "clusterName" | "log">): Promise<void> {
  if (await stopHost(props)) props.log("stopped the DNS agent and the load balancer");
  const local = await localDocker();
  if (!("docker" in local)) return;
  // The target groups go with the stacks; only the containers and volumes are ours to remove.
  const removed = await removeTasks({ docker: local.docker, clusterName: props.clusterName }, { removeVolumes: true });
  if (removed > 0) props.log(`removed ${removed} task container(s)`);
}

/** `.local/host/<environment>`: the agent's bundle, the host's plan, status and logs. */
export function hostDir(props: Pick<LocalPlatformProps, "workDir" | "environment">): string {
  return join(props.workDir, "host", props.environment);
}

function emulatorClients(props: Pick<LocalPlatformProps, "region" | "emulatorUrl">) {
  const config = { region: props.region, endpoint: props.emulatorUrl, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 3 };
  return {
    ec2: new EC2Client(config),
    ecs: new ECSClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    route53: new Route53Client(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    ssm: new SSMClient(config),
    secretsManager: new SecretsManagerClient(config),
  };
}

interface Instance {
  readonly instanceId: string;
  readonly launchTemplateId: string;
  readonly launchTemplateVersion: string;
  readonly roleName?: string;
}

/** A running instance of the auto scaling group, and the launch template version it was launched from. */
async function findInstance(ec2: EC2Client, autoScalingGroupName: string): Promise<Instance> {
  const { Reservations = [] } = await ec2.send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: "tag:aws:autoscaling:groupName", Values: [autoScalingGroupName] },
        { Name: "instance-state-name", Values: ["running"] },
      ],
    }),
  );
  const instance = Reservations.flatMap((r) => r.Instances ?? []).sort((a, b) => (a.InstanceId ?? "").localeCompare(b.InstanceId ?? ""))[0];
  if (!instance) throw new Error(`the auto scaling group ${autoScalingGroupName} has no running instance in the emulator (asg_desired is 0?)`);
  const tag = (key: string) => instance.Tags?.find((t) => t.Key === key)?.Value;
  const launchTemplateId = tag("aws:ec2launchtemplate:id");
  const launchTemplateVersion = tag("aws:ec2launchtemplate:version");
  if (!launchTemplateId || !launchTemplateVersion) throw new Error(`instance ${instance.InstanceId} has no launch template tags`);
  const roleName = instance.IamInstanceProfile?.Arn?.split("/").pop();
  return { instanceId: instance.InstanceId!, launchTemplateId, launchTemplateVersion, ...(roleName ? { roleName } : {}) };
}

async function launchTemplateUserData(ec2: EC2Client, instance: Instance): Promise<string> {
  const { LaunchTemplateVersions = [] } = await ec2.send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: instance.launchTemplateId, Versions: [instance.launchTemplateVersion] }),
  );
  const userData = LaunchTemplateVersions[0]?.LaunchTemplateData?.UserData;
  if (!userData) throw new Error(`launch template ${instance.launchTemplateId} version ${instance.launchTemplateVersion} has no user data`);
  return Buffer.from(userData, "base64").toString("utf8");
}

/** Starts local-host.ts in the background; resolves with its status once it runs. */
async function startHost(plan: LocalHostPlan, dir: string): Promise<LocalHostStatus> {
  const planFile = join(dir, "plan.json");
  writeFileSync(planFile, JSON.stringify(plan, null, 2));
  rmSync(plan.statusFile, { force: true });
  const logFile = join(dir, "host.log");
  const out = openSync(logFile, "a");
  const child = spawn(process.execPath, ["--require", "tsx/cjs", join(ROOT, "scripts", "local", "local-host.ts"), planFile], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", out, out],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
  closeSync(out);
  child.unref();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (existsSync(plan.statusFile)) return JSON.parse(readFileSync(plan.statusFile, "utf8")) as LocalHostStatus;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail = readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-5).join("\n  ");
  throw new Error(`the local host did not start; ${logFile} ends with:\n  ${tail}`);
}

/** Whether `pid` runs local-host.ts (checked where /proc exists), so a reused pid is never signalled. */
function isLocalHost(pid: number): boolean {
  if (!existsSync("/proc/self/cmdline")) return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").some((arg) => arg.endsWith("local-host.ts"));
  } catch {
    return false;
  }
}

/** Stops a local host of this environment, if one runs: SIGTERM, then SIGKILL after 45 s. Returns whether one ran. */
async function stopHost(props: Pick<LocalPlatformProps, "workDir" | "environment">): Promise<boolean> {
  const statusFile = join(hostDir(props), "host.json");
  if (!existsSync(statusFile)) return false;
  const { pid } = JSON.parse(readFileSync(statusFile, "utf8")) as LocalHostStatus;
  rmSync(statusFile, { force: true });
  if (!isRunning(pid) || !isLocalHost(pid)) return false;
  process.kill(pid, "SIGTERM");
  // The agent has TimeoutStopSec (30 s) to remove its records.
  for (let waited = 0; waited < 45_000 && isRunning(pid); waited += 100) await new Promise((r) => setTimeout(r, 100));
  // Its whole process group (it was started detached): the agent goes too, never left holding its port.
  if (isRunning(pid)) process.kill(-pid, "SIGKILL");
  return true;
}
