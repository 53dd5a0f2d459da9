/**
 * This machine as one of the cluster's ECS container instances: for every
 * ECS service in the emulator it runs `desiredCount` tasks on the local
 * Docker engine the way the ECS agent runs them in bridge mode, and
 * registers each task's host port in the service's target group.
 *
 * What ECS does, and what is kept here (from the task definition, read
 * through the ECS API, not from the synthesized JSON):
 * - image: used as the engine has it, else pulled (ECS_IMAGE_PULL_BEHAVIOR=prefer-cached);
 * - the container health check (command, interval, timeout, retries, start
 *   period), as the ECS agent hands it to Docker;
 * - `secrets`: each value read at task start from the emulator's SSM Parameter
 *   Store or Secrets Manager (JSON key, version stage and id included), like
 *   the ECS agent with the execution role; a task whose secret cannot be read
 *   does not start, and the error names the container and the ARN;
 * - command, entry point, environment, Docker labels, plus the labels the ECS
 *   agent adds (`com.amazonaws.ecs.cluster`, `.container-name`, `.task-arn`,
 *   `.task-definition-family`, `.task-definition-version`);
 * - port mappings, host port 0 meaning a dynamic port; memory (hard limit
 *   and reservation) and cpu (CPU shares);
 * - the container name `ecs-<family>-<revision>-<container>-<random hex>`.
 * What differs: logs stay with Docker (`docker logs`) instead of awslogs; an
 * EFS volume is a Docker volume per access point (`<cluster>-efs-<access point>`);
 * ports are published on 127.0.0.1 only, not on every address of the machine.
 */
import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ListServicesCommand, type ContainerDefinition, type ECSClient, type Service, type TaskDefinition } from "@aws-sdk/client-ecs";
import { resolveSecrets, type SecretSources } from "./task-secrets";
import { DeregisterTargetsCommand, DescribeTargetHealthCommand, RegisterTargetsCommand, type ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";

/** The ECS agent's own labels on every task container. */
export const ECS_LABELS = {
  cluster: "com.amazonaws.ecs.cluster",
  containerName: "com.amazonaws.ecs.container-name",
  taskArn: "com.amazonaws.ecs.task-arn",
  family: "com.amazonaws.ecs.task-definition-family",
  version: "com.amazonaws.ecs.task-definition-version",
} as const;

/** Where the tasks run and register. */
export interface EcsInstanceProps {
  readonly docker: Docker;
  readonly ecs: ECSClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  /** Where `secrets` are read from. @default - none: a task definition with secrets does not start */
  readonly secrets?: SecretSources;
  readonly clusterName: string;
  /** The EC2 instance this machine plays (its targets are registered under this id). */
  readonly instanceId: string;
  readonly log: (line: string) => void;
}

/** One running task container. */
export interface LocalTask {
  readonly service: string;
  readonly containerName: string;
  readonly dockerName: string;
  readonly image: string;
  /** container port → host port */
  readonly hostPorts: Readonly<Record<number, number>>;
}

/** A service of the cluster as ECS describes it, with its task definition. */
export interface ClusterService {
  readonly service: Service;
  readonly taskDefinition: TaskDefinition;
}

/** The cluster's services and their task definitions, read through the ECS API. */
export async function clusterServices(props: Pick<EcsInstanceProps, "ecs" | "clusterName">): Promise<ClusterService[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await props.ecs.send(new ListServicesCommand({ cluster: props.clusterName, nextToken }));
    arns.push(...(page.serviceArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const services: Service[] = [];
  for (let i = 0; i < arns.length; i += 10) {
    const { services: described = [] } = await props.ecs.send(new DescribeServicesCommand({ cluster: props.clusterName, services: arns.slice(i, i + 10) }));
    services.push(...described);
  }
  const result: ClusterService[] = [];
  for (const service of services.sort((a, b) => (a.serviceName ?? "").localeCompare(b.serviceName ?? ""))) {
    const { taskDefinition } = await props.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }));
    if (taskDefinition) result.push({ service, taskDefinition });
  }
  return result;
}

/**
 * Runs every service's desired tasks and registers them in their target
 * groups. Tasks this instance ran before (by the cluster label) are stopped
 * first, so running it again replaces them.
 *
 * @throws Error naming the image and the container when an image can be neither found nor pulled.
 */
export async function runServiceTasks(props: EcsInstanceProps, services: readonly ClusterService[]): Promise<LocalTask[]> {
  await removeTasks(props);
  await deregisterInstance(props, services);
  const images = new Map<string, Promise<void>>();
  const tasks: LocalTask[] = [];
  for (const { service, taskDefinition } of services) {
    for (const definition of taskDefinition.containerDefinitions ?? []) {
      const image = definition.image!;
      if (!images.has(image)) images.set(image, ensureImage(props.docker, image, `${definition.name} (service ${service.serviceName})`));
    }
  }
  await Promise.all(images.values());
  for (const { service, taskDefinition } of services) {
    for (let n = 0; n < (service.desiredCount ?? 0); n++) tasks.push(...(await runTask(props, service, taskDefinition)));
  }
  return tasks;
}

/** Removes this cluster's task containers (and, with `removeVolumes`, their EFS stand-in volumes); returns how many containers. */
export async function removeTasks(props: Pick<EcsInstanceProps, "docker" | "clusterName">, options: { removeVolumes?: boolean } = {}): Promise<number> {
  const byCluster = { label: [`${ECS_LABELS.cluster}=${props.clusterName}`] };
  const containers = await props.docker.listContainers({ all: true, filters: byCluster });
  await Promise.all(containers.map((c) => props.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  if (options.removeVolumes) {
    const { Volumes = [] } = await props.docker.listVolumes({ filters: byCluster });
    await Promise.all(Volumes.map((v) => props.docker.getVolume(v.Name).remove().catch(() => undefined)));
  }
  return containers.length;
}

/** Deregisters this instance's targets from the services' target groups. */
export async function deregisterInstance(props: Pick<EcsInstanceProps, "elbv2" | "instanceId">, services: readonly ClusterService[]): Promise<void> {
  for (const targetGroupArn of new Set(services.flatMap((s) => (s.service.loadBalancers ?? []).map((lb) => lb.targetGroupArn!)))) {
    const { TargetHealthDescriptions = [] } = await props.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    const ours = TargetHealthDescriptions.map((d) => d.Target!).filter((t) => t.Id === props.instanceId);
    if (ours.length > 0) await props.elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: ours }));
  }
}

async function runTask(props: EcsInstanceProps, service: Service, taskDefinition: TaskDefinition): Promise<LocalTask[]> {
  const taskId = randomBytes(16).toString("hex");
  const taskArn = `${service.clusterArn!.replace(":cluster/", ":task/")}/${taskId}`;
  const family = taskDefinition.family!;
  const revision = String(taskDefinition.revision);
  const tasks: LocalTask[] = [];
  for (const definition of taskDefinition.containerDefinitions ?? []) {
    const containerName = definition.name!;
    const ports = (definition.portMappings ?? []).map((m) => ({ key: `${m.containerPort}/${m.protocol ?? "tcp"}`, containerPort: m.containerPort!, hostPort: m.hostPort ?? 0 }));
    const mounts = (definition.mountPoints ?? []).map((mount) => {
      const volume = taskDefinition.volumes?.find((v) => v.name === mount.sourceVolume);
      const efs = volume?.efsVolumeConfiguration;
      const source = `${props.clusterName}-${efs ? `efs-${efs.authorizationConfig?.accessPointId ?? efs.fileSystemId}` : `volume-${mount.sourceVolume}`}`;
      return { Type: "volume" as const, Source: source, Target: mount.containerPath!, ReadOnly: mount.readOnly ?? false };
    });
    await Promise.all(mounts.map((m) => props.docker.createVolume({ Name: m.Source, Labels: { [ECS_LABELS.cluster]: props.clusterName } })));
    const secretEnv = await resolveSecrets(props.secrets, definition.secrets ?? [], `${containerName} (service ${service.serviceName})`);
    const dockerName = `ecs-${family}-${revision}-${containerName}-${randomBytes(10).toString("hex")}`;
    const container = await props.docker.createContainer({
      name: dockerName,
      Image: definition.image,
      Cmd: definition.command,
      Entrypoint: definition.entryPoint,
      WorkingDir: definition.workingDirectory,
      User: definition.user,
      Env: [...(definition.environment ?? []).map((e) => `${e.name}=${e.value ?? ""}`), ...secretEnv],
      Healthcheck: dockerHealthcheck(definition.healthCheck),
      Labels: {
        ...(definition.dockerLabels ?? {}),
        [ECS_LABELS.cluster]: props.clusterName,
        [ECS_LABELS.containerName]: containerName,
        [ECS_LABELS.taskArn]: taskArn,
        [ECS_LABELS.family]: family,
        [ECS_LABELS.version]: revision,
      },
      ExposedPorts: Object.fromEntries(ports.map((p) => [p.key, {}])),
      HostConfig: {
        PortBindings: Object.fromEntries(ports.map((p) => [p.key, [{ HostIp: "127.0.0.1", HostPort: p.hostPort ? String(p.hostPort) : "" }]])),
        Memory: definition.memory ? definition.memory * 1024 * 1024 : undefined,
        MemoryReservation: definition.memoryReservation ? definition.memoryReservation * 1024 * 1024 : undefined,
        // ECS gives cpu units as CPU shares; Linux's minimum is 2.
        CpuShares: Math.max(2, definition.cpu ?? 0),
        Mounts: mounts,
      },
    });
    await container.start();
    const info = await container.inspect();
    const hostPorts: Record<number, number> = {};
    for (const p of ports) {
      const binding = info.NetworkSettings.Ports[p.key]?.[0];
      if (binding) hostPorts[p.containerPort] = Number(binding.HostPort);
    }
    for (const lb of service.loadBalancers ?? []) {
      if (lb.containerName !== containerName) continue;
      const port = hostPorts[lb.containerPort!];
      if (!port) throw new Error(`service ${service.serviceName}: container ${containerName} publishes no host port for ${lb.containerPort}`);
      await props.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: lb.targetGroupArn, Targets: [{ Id: props.instanceId, Port: port }] }));
    }
    props.log(`started ${dockerName} (${definition.image}), ports ${Object.entries(hostPorts).map(([c, h]) => `${c}→127.0.0.1:${h}`).join(", ") || "none"}`);
    tasks.push({ service: service.serviceName!, containerName, dockerName, image: definition.image!, hostPorts });
  }
  return tasks;
}

const NANOSECONDS_PER_SECOND = 1_000_000_000;

/** ECS's container health check as Docker's, with ECS's defaults for what it leaves out (30 s, 5 s, 3, none). */
function dockerHealthcheck(check: ContainerDefinition["healthCheck"]): Docker.HealthConfig | undefined {
  if (!check?.command) return undefined;
  return {
    Test: check.command,
    Interval: (check.interval ?? 30) * NANOSECONDS_PER_SECOND,
    Timeout: (check.timeout ?? 5) * NANOSECONDS_PER_SECOND,
    Retries: check.retries ?? 3,
    StartPeriod: (check.startPeriod ?? 0) * NANOSECONDS_PER_SECOND,
  };
}

/** The image as the engine has it, else pulled; an error names the image and the container. */
async function ensureImage(docker: Docker, image: string, container: string): Promise<void> {
  try {
    await docker.getImage(image).inspect();
    return;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
  } catch (error) {
    const reason = ((error as { json?: { message?: string } }).json?.message ?? (error as Error).message).trim();
    throw new Error(`cannot pull image ${image} for container ${container}: ${reason}`);
  }
}
