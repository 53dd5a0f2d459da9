/**
 * This machine as an ECS container instance (scripts/local/ecs-instance.ts),
 * against moto's ECS and ELBv2 and the test dockerd: tasks run from the task
 * definition as the ECS agent runs them in bridge mode, and are registered
 * in their target groups.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import Docker from "dockerode";
import { CreateVpcCommand, DeleteVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateClusterCommand, CreateServiceCommand, DeleteClusterCommand, DeleteServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { CreateTargetGroupCommand, DeleteTargetGroupCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { clusterServices, deregisterInstance, ECS_LABELS, removeTasks, runServiceTasks, type EcsInstanceProps } from "../../scripts/local/ecs-instance";
import { localDocker } from "../../scripts/local/local-platform";
import { acquireDockerLock, BEFORE_ALL_WITH_DOCKER_LOCK_MS } from "../agent/helpers/docker-lock";
import { testEnv, uniqueSuffix } from "../agent/helpers/test-env";

// Generous: on a busy 2-core machine one test has taken more than 120 s (pulls, starts, target health).
jest.setTimeout(300_000);

const env = testEnv();
const config = { region: "us-east-1", endpoint: env.motoUrl, credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const ecs = new ECSClient(config);
const elbv2 = new ElasticLoadBalancingV2Client(config);
const ec2 = new EC2Client(config);
const docker = new Docker();
const cluster = `local-instance-${uniqueSuffix()}`;
const instanceId = "i-0fedcba9876543210";
const lines: string[] = [];
const props: EcsInstanceProps = { docker, ecs, elbv2, clusterName: cluster, instanceId, log: (l) => lines.push(l) };
const cleanups: (() => Promise<unknown>)[] = [];
let targetGroupArn: string;
let release: () => void;

/** A bridge-mode service of `count` tasks whose one container is `web`, on `image`. */
async function createService(name: string, image: string, count: number): Promise<void> {
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: `${cluster}-${name}`,
      networkMode: "bridge",
      requiresCompatibilities: ["EC2"],
      containerDefinitions: [
        {
          name: "web",
          image,
          cpu: 128,
          memory: 64,
          essential: true,
          portMappings: [{ containerPort: 80, hostPort: 0, protocol: "tcp" }],
          environment: [{ name: "GREETING", value: "hello" }],
          dockerLabels: { SERVICE_80_NAME: `_${name}._tcp` },
          mountPoints: [{ sourceVolume: "efs", containerPath: "/mnt", readOnly: false }],
        },
      ],
      volumes: [{ name: "efs", efsVolumeConfiguration: { fileSystemId: "fs-01234567", authorizationConfig: { accessPointId: `fsap-${name}`, iam: "ENABLED" }, transitEncryption: "ENABLED" } }],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: name,
      taskDefinition: taskDefinition!.taskDefinitionArn,
      desiredCount: count,
      loadBalancers: [{ targetGroupArn, containerName: "web", containerPort: 80 }],
    }),
  );
  cleanups.push(() => ecs.send(new DeleteServiceCommand({ cluster, service: name, force: true })));
}

beforeAll(async () => {
  execFileSync("bash", [join(__dirname, "..", "..", "scripts", "test", "test-env.sh"), "site-images", "web"], { env: process.env });
  release = await acquireDockerLock(env.envDir);
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  cleanups.push(() => ecs.send(new DeleteClusterCommand({ cluster })));
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.20.0.0/16" }));
  cleanups.push(() => ec2.send(new DeleteVpcCommand({ VpcId: Vpc!.VpcId })));
  const { TargetGroups } = await elbv2.send(new CreateTargetGroupCommand({ Name: `tg-${uniqueSuffix()}`.slice(0, 32), Protocol: "HTTP", Port: 80, VpcId: Vpc!.VpcId, TargetType: "instance" }));
  targetGroupArn = TargetGroups![0].TargetGroupArn!;
  cleanups.push(() => elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: targetGroupArn })));
}, BEFORE_ALL_WITH_DOCKER_LOCK_MS);

afterAll(async () => {
  await removeTasks(props, { removeVolumes: true }).catch(() => undefined);
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  release?.();
  for (const client of [ecs, elbv2, ec2]) client.destroy();
});

const targets = async () =>
  ((await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))).TargetHealthDescriptions ?? []).map((d) => `${d.Target!.Id}:${d.Target!.Port}`).sort();

test("runs desiredCount tasks per service as the ECS agent does in bridge mode, and registers each task's host port in the target group", async () => {
  // GIVEN a service of two tasks
  await createService("shop", "ecsdns-test/web:1", 2);
  const services = await clusterServices(props);
  // WHEN
  const tasks = await runServiceTasks(props, services);
  // THEN two containers, each as ECS would have made it
  expect(tasks).toHaveLength(2);
  const hostPorts = tasks.map((t) => t.hostPorts[80]).sort();
  expect(await targets()).toEqual(hostPorts.map((p) => `${instanceId}:${p}`).sort());
  for (const task of tasks) {
    const info = await docker.getContainer(task.dockerName).inspect();
    expect(info.Name).toMatch(new RegExp(`^/ecs-${cluster}-shop-1-web-[0-9a-f]{20}$`));
    expect(info.Config.Labels).toMatchObject({
      SERVICE_80_NAME: "_shop._tcp",
      [ECS_LABELS.cluster]: cluster,
      [ECS_LABELS.containerName]: "web",
      [ECS_LABELS.taskArn]: expect.stringMatching(new RegExp(`^arn:aws:ecs:us-east-1:\\d{12}:task/${cluster}/[0-9a-f]{32}$`)),
      [ECS_LABELS.family]: `${cluster}-shop`,
      [ECS_LABELS.version]: "1",
    });
    expect(info.Config.Env).toContain("GREETING=hello");
    expect(info.HostConfig).toMatchObject({ Memory: 64 * 1024 * 1024, CpuShares: 128 });
    expect(info.HostConfig.PortBindings).toEqual({ "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] });
    expect(info.Mounts).toEqual([expect.objectContaining({ Type: "volume", Name: `${cluster}-efs-fsap-shop`, Destination: "/mnt", RW: true })]);
    expect((await (await fetch(`http://127.0.0.1:${task.hostPorts[80]}/`)).text()).trim()).toBe("web");
  }
  // AND the two tasks hold different task ARNs
  const arns = await Promise.all(tasks.map(async (t) => (await docker.getContainer(t.dockerName).inspect()).Config.Labels[ECS_LABELS.taskArn]));
  expect(new Set(arns).size).toBe(2);
});

test("running again replaces the tasks and their targets; stopping removes them, their targets and their volumes", async () => {
  // GIVEN the tasks of the previous test
  const services = await clusterServices(props);
  const before = await targets();
  // WHEN
  const again = await runServiceTasks(props, services);
  // THEN
  const running = await docker.listContainers({ filters: { label: [`${ECS_LABELS.cluster}=${cluster}`] } });
  expect(running.map((c) => c.Names[0].slice(1)).sort()).toEqual(again.map((t) => t.dockerName).sort());
  const after = await targets();
  expect(after).toHaveLength(2);
  expect(after).not.toEqual(before);
  // WHEN stopped
  await removeTasks(props, { removeVolumes: true });
  await deregisterInstance(props, services);
  // THEN
  expect(await docker.listContainers({ all: true, filters: { label: [`${ECS_LABELS.cluster}=${cluster}`] } })).toEqual([]);
  expect(await targets()).toEqual([]);
  expect((await docker.listVolumes({ filters: { label: [`${ECS_LABELS.cluster}=${cluster}`] } })).Volumes ?? []).toEqual([]);
});

test("an image that is neither on the engine nor pullable fails with the image and the container named", async () => {
  // GIVEN a service whose image no registry has
  await createService("ghost", "registry.invalid/ecsdns/ghost:1", 1);
  const services = (await clusterServices(props)).filter((s) => s.service.serviceName === "ghost");
  // WHEN / THEN
  await expect(runServiceTasks(props, services)).rejects.toThrow(/^cannot pull image registry\.invalid\/ecsdns\/ghost:1 for container web \(service ghost\): /);
});

test("without a Docker engine, says where it looked", async () => {
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = "unix:///nonexistent/docker.sock";
  try {
    expect(await localDocker()).toEqual({ why: expect.stringMatching(/^no Docker engine answers at unix:\/\/\/nonexistent\/docker\.sock \(/) });
  } finally {
    process.env.DOCKER_HOST = saved;
  }
});
