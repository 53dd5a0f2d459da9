import { Testing } from "cdktf";
import { PlatformStack } from "../../stacks/platform-stack";
import { stackNames } from "../../stacks/platform";
import {
  configFrom,
  jsonDocumentOf,
  ref,
  remoteStateOf,
  resourceAt,
  resources,
  soleResource,
  synthConstruct,
  synthPlatform,
  type Found,
  type StackJson,
} from "../helpers/synth";

/** The contract: three containers on ports 8000-8002. */
const threeContainers = { TF_VAR_container_name: "a,b,c", TF_VAR_container_port: "8000,8001,8002" };
const existingVpc = {
  TF_VAR_vpc_id: "vpc-0abc12345def67890",
  TF_VAR_public_subnet_ids: "subnet-0aaa1111,subnet-0bbb2222",
  TF_VAR_private_subnet_ids: "subnet-0ccc3333,subnet-0ddd4444",
};
const certificateArn = "arn:aws:acm:us-west-2:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-111122223333";

const synth = (env: Record<string, string> = {}, file?: object) => synthPlatform(configFrom({ ...threeContainers, ...env }, file)).stacks;

/** Every stack's JSON, as text: for "appears nowhere" checks. */
const allText = (stacks: Record<string, StackJson>) => JSON.stringify(stacks);

const containerOf = (services: StackJson, name: string) => {
  const definition = resourceAt(services, "aws_ecs_task_definition", `service-${name}/task-definition`);
  const [container] = jsonDocumentOf(definition.values.container_definitions);
  return container;
};
const environmentOf = (services: StackJson, name: string): Record<string, string> =>
  Object.fromEntries(containerOf(services, name).environment.map((e: { name: string; value: string }) => [e.name, e.value]));

describe("platform stacks", () => {
  describe("stack names", () => {
    test("are <env>-network, -discovery, -cluster and -services, in deployment order", () => {
      // GIVEN / WHEN
      const config = configFrom(threeContainers);
      const stacks = synthPlatform(config).stacks;
      // THEN
      expect(Object.keys(stacks)).toEqual(["dev-network", "dev-discovery", "dev-cluster", "dev-services"]);
      expect(stackNames(config)).toEqual(Object.keys(stacks));
    });

    test("follow the environment, so several environments can share an account", () => {
      // GIVEN / WHEN
      const config = configFrom({ ...threeContainers, TF_VAR_environment: "prod" });
      const stacks = synthPlatform(config).stacks;
      // THEN
      expect(Object.keys(stacks)).toEqual(["prod-network", "prod-discovery", "prod-cluster", "prod-services"]);
      expect(stackNames(config)).toEqual(Object.keys(stacks));
      expect(soleResource(stacks["prod-cluster"], "aws_ecs_cluster").name).toBe("ecs-platform-prod");
    });

    test("prefix every resource name with resource_tag and environment", () => {
      // GIVEN / WHEN
      const stacks = synth({ TF_VAR_resource_tag: "shop", TF_VAR_environment: "qa" });
      // THEN
      expect(soleResource(stacks["qa-cluster"], "aws_ecs_cluster").name).toBe("shop-qa");
      expect(soleResource(stacks["qa-cluster"], "aws_lb").name).toBe("shop-qa");
      expect(resourceAt(stacks["qa-services"], "aws_cloudwatch_log_group", "service-b/log-group").values.name).toBe("/ecs/shop-qa/b");
      expect(soleResource(stacks["qa-network"], "aws_vpc").tags).toEqual({ Name: "shop-qa-vpc" });
    });
  });

  describe("network", () => {
    test("by default builds a 10.10.0.0/16 VPC over 2 zones with a single NAT and no flow logs", () => {
      // GIVEN / WHEN
      const network = synth()["dev-network"];
      // THEN
      expect(soleResource(network, "aws_vpc").cidr_block).toBe("10.10.0.0/16");
      expect(resources(network, "aws_subnet")).toHaveLength(4);
      expect(resources(network, "aws_nat_gateway")).toHaveLength(1);
      expect(resources(network, "aws_flow_log")).toHaveLength(0);
    });

    test("passes cidr_block, az_count, nat_gateway_mode and flow_logs (with log_retention_days) to the VPC", () => {
      // GIVEN / WHEN
      const network = synth({
        TF_VAR_cidr_block: "10.20.0.0/16",
        TF_VAR_az_count: "3",
        TF_VAR_nat_gateway_mode: "per_az",
        TF_VAR_flow_logs: "true",
        TF_VAR_log_retention_days: "90",
      })["dev-network"];
      // THEN
      expect(soleResource(network, "aws_vpc").cidr_block).toBe("10.20.0.0/16");
      expect(resources(network, "aws_subnet")).toHaveLength(6);
      expect(resources(network, "aws_nat_gateway")).toHaveLength(3);
      expect(soleResource(network, "aws_cloudwatch_log_group").retention_in_days).toBe(90);
    });

    test("with an existing VPC (vpc_id and subnet ids), creates no network stack and no remote state for it", () => {
      // GIVEN / WHEN
      const config = configFrom({ ...threeContainers, ...existingVpc });
      const stacks = synthPlatform(config).stacks;
      // THEN
      expect(Object.keys(stacks)).toEqual(["dev-discovery", "dev-cluster", "dev-services"]);
      expect(stackNames(config)).toEqual(Object.keys(stacks));
      expect(allText(stacks)).not.toContain("cross-stack-reference-input-dev-network");
      expect(resources(stacks["dev-cluster"], "aws_vpc")).toHaveLength(0);
    });

    test("with an existing VPC, passes its literal ids to the zone, the ALB, the instances, EFS and the target groups", () => {
      // GIVEN / WHEN
      const stacks = synth(existingVpc);
      // THEN
      const cluster = stacks["dev-cluster"];
      expect(soleResource(stacks["dev-discovery"], "aws_route53_zone").vpc).toEqual([{ vpc_id: "vpc-0abc12345def67890" }]);
      expect(soleResource(cluster, "aws_lb").subnets).toEqual(["subnet-0aaa1111", "subnet-0bbb2222"]);
      expect(soleResource(cluster, "aws_autoscaling_group").vpc_zone_identifier).toEqual(["subnet-0ccc3333", "subnet-0ddd4444"]);
      expect(resources(cluster, "aws_efs_mount_target").map((m) => m.values.subnet_id)).toEqual(["subnet-0ccc3333", "subnet-0ddd4444"]);
      for (const group of resources(cluster, "aws_security_group")) expect(group.values.vpc_id).toBe("vpc-0abc12345def67890");
      for (const group of resources(stacks["dev-services"], "aws_lb_target_group")) expect(group.values.vpc_id).toBe("vpc-0abc12345def67890");
    });
  });

  describe("cross-stack values", () => {
    test("reach the discovery and cluster stacks from the network stack's state as terraform_remote_state references", () => {
      // GIVEN / WHEN
      const stacks = synth();
      // THEN
      const fromNetwork = expect.stringContaining(remoteStateOf("dev-network"));
      expect(soleResource(stacks["dev-discovery"], "aws_route53_zone").vpc).toEqual([{ vpc_id: fromNetwork }]);
      const cluster = stacks["dev-cluster"];
      expect(soleResource(cluster, "aws_lb").subnets).toEqual([fromNetwork, fromNetwork]);
      expect(soleResource(cluster, "aws_autoscaling_group").vpc_zone_identifier).toEqual([fromNetwork, fromNetwork]);
      expect(resourceAt(cluster, "aws_security_group", "alb/security-group").values.vpc_id).toEqual(fromNetwork);
    });

    test("put the ALB in the public subnets and the instances and EFS in the private ones", () => {
      // GIVEN / WHEN
      const stacks = synth();
      // THEN
      const network = stacks["dev-network"];
      const cluster = stacks["dev-cluster"];
      const subnetOutput = (tier: string, i: number) => {
        const subnet = resourceAt(network, "aws_subnet", `vpc/${tier}-subnet-${i}`);
        return expect.stringMatching(new RegExp(`^\\$\\{${remoteStateOf("dev-network").replace(/\./g, "\\.")}cross-stack-output-aws_subnet${subnet.name}id\\}$`));
      };
      expect(soleResource(cluster, "aws_lb").subnets).toEqual([subnetOutput("public", 0), subnetOutput("public", 1)]);
      expect(soleResource(cluster, "aws_autoscaling_group").vpc_zone_identifier).toEqual([subnetOutput("private", 0), subnetOutput("private", 1)]);
      expect(resources(cluster, "aws_efs_mount_target").map((m) => m.values.subnet_id)).toEqual([subnetOutput("private", 0), subnetOutput("private", 1)]);
    });

    test("with internal_elb, put the internal ALB in the private subnets", () => {
      // GIVEN / WHEN
      const stacks = synth({ ...existingVpc, TF_VAR_internal_elb: "true" });
      // THEN
      expect(soleResource(stacks["dev-cluster"], "aws_lb")).toMatchObject({ internal: true, subnets: ["subnet-0ccc3333", "subnet-0ddd4444"] });
    });

    test("reach the services stack from the cluster and discovery stacks' states", () => {
      // GIVEN / WHEN
      const services = synth()["dev-services"];
      // THEN
      const fromCluster = expect.stringContaining(remoteStateOf("dev-cluster"));
      expect(soleResource(services, "aws_lb_listener").load_balancer_arn).toEqual(fromCluster);
      for (const service of resources(services, "aws_ecs_service")) {
        expect(service.values.cluster).toEqual(fromCluster);
        expect(service.values.capacity_provider_strategy).toEqual([expect.objectContaining({ capacity_provider: fromCluster })]);
      }
      for (const definition of resources(services, "aws_ecs_task_definition")) {
        expect(definition.values.volume[0].efs_volume_configuration.file_system_id).toEqual(fromCluster);
      }
      expect(environmentOf(services, "a").DISCOVERY_ZONE).toEqual(expect.stringContaining(remoteStateOf("dev-discovery")));
      expect(environmentOf(services, "a").ENDPOINT).toEqual(fromCluster);
    });

    test("are read from the producing stacks' local state files when no state bucket is set", () => {
      // GIVEN / WHEN
      const services = synth()["dev-services"];
      // THEN
      const remote = services.data?.terraform_remote_state ?? {};
      expect(Object.keys(remote).sort()).toEqual([
        "cross-stack-reference-input-dev-cluster",
        "cross-stack-reference-input-dev-discovery",
        "cross-stack-reference-input-dev-network",
      ]);
      expect(remote["cross-stack-reference-input-dev-cluster"]).toMatchObject({
        backend: "local",
        config: { path: expect.stringMatching(/terraform\.dev-cluster\.tfstate$/) },
      });
    });
  });

  describe("outputs", () => {
    test("the network stack outputs the VPC and subnet ids", () => {
      // GIVEN / WHEN
      const network = synth()["dev-network"];
      // THEN
      const vpc = resources(network, "aws_vpc")[0];
      expect(network.output?.vpc_id.value).toBe(ref("aws_vpc", vpc, "id"));
      const subnetIds = (tier: string) => [0, 1].map((i) => ref("aws_subnet", resourceAt(network, "aws_subnet", `vpc/${tier}-subnet-${i}`), "id"));
      expect(network.output?.public_subnet_ids.value).toEqual(subnetIds("public"));
      expect(network.output?.private_subnet_ids.value).toEqual(subnetIds("private"));
    });

    test("the discovery stack outputs the zone id and name", () => {
      // GIVEN / WHEN
      const discovery = synth()["dev-discovery"];
      // THEN
      const zone = resources(discovery, "aws_route53_zone")[0];
      expect(zone.values.name).toBe("servicediscovery.internal");
      expect(discovery.output?.zone_id.value).toBe(ref("aws_route53_zone", zone, "zone_id"));
      expect(discovery.output?.zone_name.value).toBe(ref("aws_route53_zone", zone, "name"));
    });

    test("the cluster stack outputs the cluster name, the ALB's DNS name and the file system id", () => {
      // GIVEN / WHEN
      const cluster = synth()["dev-cluster"];
      // THEN
      expect(cluster.output?.cluster_name.value).toBe(ref("aws_ecs_cluster", resources(cluster, "aws_ecs_cluster")[0], "name"));
      expect(cluster.output?.alb_dns_name.value).toBe(ref("aws_lb", resources(cluster, "aws_lb")[0], "dns_name"));
      expect(cluster.output?.file_system_id.value).toBe(ref("aws_efs_file_system", resources(cluster, "aws_efs_file_system")[0], "id"));
    });

    test("the services stack outputs each container's URL: the first at /, the others at /<name>", () => {
      // GIVEN / WHEN
      const services = synth()["dev-services"];
      // THEN
      const urls = services.output?.service_urls.value;
      expect(Object.keys(urls)).toEqual(["a", "b", "c"]);
      expect(urls.a).toMatch(new RegExp(`^http://\\$\\{${remoteStateOf("dev-cluster").replace(/\./g, "\\.")}.*dns_name\\}/$`));
      expect(urls.b).toMatch(/^http:\/\/\$\{.*dns_name\}\/b$/);
      expect(urls.c).toMatch(/^http:\/\/\$\{.*dns_name\}\/c$/);
    });

    test("with certificate_arn, the service URLs are https", () => {
      // GIVEN / WHEN
      const services = synth({ TF_VAR_certificate_arn: certificateArn })["dev-services"];
      // THEN
      expect(Object.keys(services.output?.service_urls.value)).toEqual(["a", "b", "c"]);
      for (const url of Object.values(services.output?.service_urls.value as Record<string, string>)) expect(url).toMatch(/^https:\/\//);
    });
  });

  describe("provider", () => {
    test("every stack pins the AWS provider, in the region, with the default tags", () => {
      // GIVEN / WHEN
      const stacks = synth({ TF_VAR_aws_region: "eu-central-1", TF_VAR_resource_tag: "shop", TF_VAR_environment: "qa" });
      // THEN
      for (const stack of Object.values(stacks)) {
        expect(stack.terraform?.required_providers.aws).toEqual({ source: "aws", version: "5.100.0" });
        const [provider] = stack.provider?.aws ?? [];
        expect(provider.region).toBe("eu-central-1");
        expect(provider.default_tags).toEqual([{ tags: { Project: "shop", Environment: "qa", ManagedBy: "cdktf" } }]);
      }
    });

    test("uses the profile when the target is aws", () => {
      // GIVEN / WHEN
      const stacks = synth({ TF_VAR_profile: "edu" });
      // THEN
      for (const stack of Object.values(stacks)) expect(stack.provider?.aws[0].profile).toBe("edu");
    });

    test("sets no profile when none is given", () => {
      // GIVEN / WHEN
      const stacks = synth();
      // THEN
      for (const stack of Object.values(stacks)) expect(stack.provider?.aws[0].profile).toBeUndefined();
    });

    test("target aws sets no endpoints and no credentials, so a real deploy can never reach the emulator", () => {
      // GIVEN / WHEN
      const stacks = synth({ TF_VAR_target: "aws", TF_VAR_local_endpoint: "http://127.0.0.1:4566", TF_VAR_state_bucket: "tf-state" });
      // THEN
      for (const stack of Object.values(stacks)) {
        const provider = stack.provider?.aws[0];
        expect(Object.keys(provider).sort()).toEqual(["default_tags", "region"]);
        expect(stack.terraform?.backend.s3.endpoints).toBeUndefined();
        expect(stack.terraform?.backend.s3.access_key).toBeUndefined();
      }
      expect(allText(stacks)).not.toContain("http://127.0.0.1:4566");
    });

    test("target local points every service the stacks use at the emulator (STS included, so the account id is known), with fake credentials, and ignores the profile", () => {
      // GIVEN / WHEN
      const stacks = synth({ TF_VAR_target: "local", TF_VAR_local_endpoint: "http://127.0.0.1:5555", TF_VAR_profile: "edu" });
      // THEN
      for (const stack of Object.values(stacks)) {
        const provider = stack.provider?.aws[0];
        expect(provider).toMatchObject({
          access_key: "test",
          secret_key: "test",
          skip_credentials_validation: true,
          s3_use_path_style: true,
        });
        // Without an account id the provider reads same-account security groups as foreign: perpetual drift.
        expect(provider.skip_requesting_account_id).toBeUndefined();
        expect(provider.profile).toBeUndefined();
        const endpoints = provider.endpoints[0];
        for (const service of ["autoscaling", "cloudwatchlogs", "ec2", "ecs", "efs", "elbv2", "iam", "route53", "ssm", "sts"]) {
          expect(endpoints[service]).toBe("http://127.0.0.1:5555");
        }
      }
    });

    test("the local target needs its endpoint", () => {
      // GIVEN / WHEN / THEN
      expect(() =>
        synthConstruct(() => {
          new PlatformStack(Testing.app({ outdir: "/nonexistent" }), "dev-network", {
            target: { kind: "local", region: "us-west-2" },
            state: { keyPrefix: "p/dev" },
            tags: {},
          });
        }),
      ).toThrow("PlatformStack: the local target needs localEndpoint");
    });
  });

  describe("state", () => {
    test("without a state bucket, every stack keeps local state", () => {
      // GIVEN / WHEN
      const stacks = synth();
      // THEN
      for (const [name, stack] of Object.entries(stacks)) {
        expect(Object.keys(stack.terraform?.backend)).toEqual(["local"]);
        expect(stack.terraform?.backend.local.path).toMatch(new RegExp(`terraform\\.${name}\\.tfstate$`));
      }
    });

    test("with state_bucket, every stack keeps encrypted, lock-file-locked state in S3 under <prefix>/<env>/<stack>.tfstate", () => {
      // GIVEN / WHEN
      const stacks = synth({ TF_VAR_state_bucket: "tf-state", TF_VAR_state_key_prefix: "platform", TF_VAR_environment: "qa" });
      // THEN
      for (const [name, stack] of Object.entries(stacks)) {
        expect(Object.keys(stack.terraform?.backend)).toEqual(["s3"]);
        expect(stack.terraform?.backend.s3).toMatchObject({
          bucket: "tf-state",
          key: `platform/qa/${name}.tfstate`,
          region: "us-west-2",
          encrypt: true,
          use_lockfile: true,
        });
      }
    });

    test("the state key prefix defaults to ecs-platform", () => {
      // GIVEN / WHEN
      const stacks = synth({ TF_VAR_state_bucket: "tf-state" });
      // THEN
      expect(stacks["dev-cluster"].terraform?.backend.s3.key).toBe("ecs-platform/dev/dev-cluster.tfstate");
    });

    test("the state bucket's region is state_region when given", () => {
      // GIVEN / WHEN
      const stacks = synth({ TF_VAR_state_bucket: "tf-state", TF_VAR_state_region: "eu-west-1" });
      // THEN
      for (const stack of Object.values(stacks)) expect(stack.terraform?.backend.s3.region).toBe("eu-west-1");
    });

    test("with state_bucket, cross-stack values are read from the producing stack's S3 state", () => {
      // GIVEN / WHEN
      const services = synth({ TF_VAR_state_bucket: "tf-state" })["dev-services"];
      // THEN
      expect(services.data?.terraform_remote_state["cross-stack-reference-input-dev-cluster"]).toMatchObject({
        backend: "s3",
        config: expect.objectContaining({ bucket: "tf-state", key: "ecs-platform/dev/dev-cluster.tfstate", region: "us-west-2" }),
      });
    });

    test("with state_bucket and a profile, the state (and the remote state read from it) uses that profile too, as the seed's backend did", () => {
      // GIVEN / WHEN
      const stacks = synth({ TF_VAR_state_bucket: "tf-state", TF_VAR_profile: "edu" });
      // THEN
      for (const stack of Object.values(stacks)) expect(stack.terraform?.backend.s3.profile).toBe("edu");
      const remote = stacks["dev-services"].data?.terraform_remote_state["cross-stack-reference-input-dev-cluster"];
      expect(remote?.config.profile).toBe("edu");
    });

    test("with state_bucket and target local, the state goes to the emulator's S3 with fake credentials", () => {
      // GIVEN / WHEN
      const stacks = synth({ TF_VAR_state_bucket: "tf-state", TF_VAR_target: "local", TF_VAR_local_endpoint: "http://127.0.0.1:5555" });
      // THEN
      for (const stack of Object.values(stacks)) {
        expect(stack.terraform?.backend.s3).toMatchObject({
          endpoints: { s3: "http://127.0.0.1:5555" },
          access_key: "test",
          secret_key: "test",
          use_path_style: true,
        });
        expect(stack.terraform?.backend.s3.profile).toBeUndefined();
      }
    });
  });

  describe("services", () => {
    test("one ECS service, log group, task role, access point and target group per container", () => {
      // GIVEN / WHEN
      const services = synth({ TF_VAR_container_name: "a,b,c,d", TF_VAR_container_port: "8000" })["dev-services"];
      // THEN
      for (const type of ["aws_ecs_service", "aws_ecs_task_definition", "aws_cloudwatch_log_group", "aws_lb_target_group", "aws_efs_access_point"]) {
        expect(resources(services, type)).toHaveLength(4);
      }
      expect(resources(services, "aws_ecs_service").map((s) => s.values.name).sort()).toEqual(["a", "b", "c", "d"]);
      expect(resources(services, "aws_cloudwatch_log_group").map((g) => g.values.name).sort()).toEqual(
        ["a", "b", "c", "d"].map((n) => `/ecs/ecs-platform-dev/${n}`),
      );
      const roleNames = resources(services, "aws_iam_role").map((r) => r.values.name).sort();
      expect(roleNames).toEqual([...["a", "b", "c", "d"].map((n) => `ecs-platform-dev-${n}-task`), "ecs-platform-dev-task-execution"].sort());
    });

    test("each task definition uses its own task role and the one shared execution role (the seed shared one role for everything)", () => {
      // GIVEN / WHEN
      const services = synth()["dev-services"];
      // THEN
      const execution = resourceAt(services, "aws_iam_role", "task-execution-role/role");
      for (const name of ["a", "b", "c"]) {
        const definition = resourceAt(services, "aws_ecs_task_definition", `service-${name}/task-definition`).values;
        expect(definition.task_role_arn).toBe(ref("aws_iam_role", resourceAt(services, "aws_iam_role", `service-${name}/task-role`), "arn"));
        expect(definition.execution_role_arn).toBe(ref("aws_iam_role", execution, "arn"));
      }
    });

    test("every task role's trust requires this account (aws:SourceAccount) and its ECS resources (aws:SourceArn)", () => {
      // GIVEN / WHEN
      const services = synth({ TF_VAR_aws_region: "eu-central-1" })["dev-services"];
      // THEN
      expect(resources(services, "aws_iam_role")).toHaveLength(4); // 3 task roles + the execution role
      for (const role of resources(services, "aws_iam_role")) {
        const [statement] = jsonDocumentOf(role.values.assume_role_policy).Statement;
        expect(statement.Principal).toEqual({ Service: "ecs-tasks.amazonaws.com" });
        expect(statement.Condition.StringEquals["aws:SourceAccount"]).toBe("${data.aws_caller_identity.account.account_id}");
        expect(statement.Condition.ArnLike["aws:SourceArn"]).toBe(
          "arn:${data.aws_partition.partition.partition}:ecs:eu-central-1:${data.aws_caller_identity.account.account_id}:*",
        );
      }
    });

    test("the execution role may write only to this environment's service log groups", () => {
      // GIVEN / WHEN
      const services = synth()["dev-services"];
      // THEN
      const policy = resourceAt(services, "aws_iam_role_policy", "task-execution-role/pull-images-and-log").values;
      const logs = jsonDocumentOf(policy.policy).Statement.filter((s: { Action: string[] }) => s.Action[0].startsWith("logs:"));
      expect(logs.map((s: { Resource: string[] }) => s.Resource)).toEqual([
        ["arn:${data.aws_partition.partition.partition}:logs:us-west-2:${data.aws_caller_identity.account.account_id}:log-group:/ecs/ecs-platform-dev/*"],
      ]);
    });

    test("every container gets ENDPOINT (the ALB's DNS name) and DISCOVERY_ZONE, plus its own environment", () => {
      // GIVEN / WHEN
      const services = synth({}, { containers: [{ name: "a", env: { LOG_LEVEL: "debug" } }, { name: "b", env: { FEATURE_X: "on", A: "1" } }, { name: "c" }] })[
        "dev-services"
      ];
      // THEN
      const dnsName = expect.stringMatching(new RegExp(`^\\$\\{${remoteStateOf("dev-cluster").replace(/\./g, "\\.")}.*dns_name\\}$`));
      const zoneName = expect.stringMatching(new RegExp(`^\\$\\{${remoteStateOf("dev-discovery").replace(/\./g, "\\.")}.*name\\}$`));
      expect(environmentOf(services, "a")).toEqual({ ENDPOINT: dnsName, DISCOVERY_ZONE: zoneName, LOG_LEVEL: "debug" });
      expect(environmentOf(services, "b")).toEqual({ ENDPOINT: dnsName, DISCOVERY_ZONE: zoneName, FEATURE_X: "on", A: "1" });
      expect(environmentOf(services, "c")).toEqual({ ENDPOINT: dnsName, DISCOVERY_ZONE: zoneName });
    });

    test("the seed's env_key/env_value pair lands in each container's environment", () => {
      // GIVEN / WHEN
      const services = synth({ TF_VAR_env_key: "STAGE,STAGE,", TF_VAR_env_value: "blue,green," })["dev-services"];
      // THEN
      expect(environmentOf(services, "a").STAGE).toBe("blue");
      expect(environmentOf(services, "b").STAGE).toBe("green");
      expect(environmentOf(services, "c").STAGE).toBeUndefined();
    });

    test("each container runs its image, port, cpu, memory, desired count and health check path", () => {
      // GIVEN / WHEN
      const services = synth({
        TF_VAR_registry_url: "048844758804.dkr.ecr.us-west-2.amazonaws.com/",
        TF_VAR_namespace: "microservices/",
        TF_VAR_version_tag: "1.0,2.0,3.0",
        TF_VAR_desired_count: "1,2,3",
        TF_VAR_health_check: ",b/health,/c/ready",
        TF_VAR_container_cpu: "128,256,512",
        TF_VAR_container_memory: "256,512,1024",
      })["dev-services"];
      // THEN
      const expected = [
        ["a", 8000, "1.0", 1, "/", 128, 256],
        ["b", 8001, "2.0", 2, "/b/health", 256, 512],
        ["c", 8002, "3.0", 3, "/c/ready", 512, 1024],
      ] as const;
      for (const [name, port, tag, count, health, cpu, memory] of expected) {
        expect(containerOf(services, name)).toMatchObject({
          image: `048844758804.dkr.ecr.us-west-2.amazonaws.com/microservices/${name}:${tag}`,
          portMappings: [{ containerPort: port, hostPort: 0, protocol: "tcp" }],
          cpu,
          memory,
        });
        expect(resourceAt(services, "aws_ecs_service", `service-${name}/service`).values.desired_count).toBe(count);
        const group = resourceAt(services, "aws_lb_target_group", `service-${name}/target-group`).values;
        expect(group.health_check.path).toBe(health);
        expect(group.port).toBe(port);
      }
    });

    test("log_retention_days and deregistration_delay_seconds reach every service", () => {
      // GIVEN / WHEN
      const services = synth({ TF_VAR_log_retention_days: "7", TF_VAR_deregistration_delay_seconds: "10" })["dev-services"];
      // THEN
      expect(resources(services, "aws_cloudwatch_log_group")).toHaveLength(3);
      expect(resources(services, "aws_lb_target_group")).toHaveLength(3);
      for (const group of resources(services, "aws_cloudwatch_log_group")) expect(group.values.retention_in_days).toBe(7);
      for (const group of resources(services, "aws_lb_target_group")) expect(group.values.deregistration_delay).toBe("10");
    });

    test("add_aws_policy/aws_policy attach the managed policy to that container's task role only, per role", () => {
      // GIVEN / WHEN
      const services = synth({ TF_VAR_add_aws_policy: "false,true,false", TF_VAR_aws_policy: ",AmazonDynamoDBReadOnlyAccess," })["dev-services"];
      // THEN
      const attachment = soleResource(services, "aws_iam_role_policy_attachment");
      expect(attachment).toMatchObject({
        role: ref("aws_iam_role", resourceAt(services, "aws_iam_role", "service-b/task-role"), "name"),
        policy_arn: "arn:${data.aws_partition.partition.partition}:iam::aws:policy/AmazonDynamoDBReadOnlyAccess",
      });
      expect(resources(services, "aws_iam_policy_attachment")).toHaveLength(0);
    });

    test("no stack uses aws_iam_policy_attachment (exclusive account-wide), whatever the policies", () => {
      // GIVEN / WHEN
      const stacks = synth({ TF_VAR_add_aws_policy: "true", TF_VAR_aws_policy: "AmazonS3ReadOnlyAccess" });
      // THEN
      for (const stack of Object.values(stacks)) expect(resources(stack, "aws_iam_policy_attachment")).toHaveLength(0);
      expect(resources(stacks["dev-services"], "aws_iam_role_policy_attachment")).toHaveLength(3);
    });
  });

  describe("routing", () => {
    /** The target group that `found` (a rule's action or a service's load balancer) points at, by construct path. */
    const targetGroupPath = (services: StackJson, arnRef: string) => {
      const group = resources(services, "aws_lb_target_group").find((g) => ref("aws_lb_target_group", g, "arn") === arnRef);
      return group ? String(group.name) : `(no target group for ${arnRef})`;
    };
    const groupOf = (services: StackJson, name: string): Found => resourceAt(services, "aws_lb_target_group", `service-${name}/target-group`);

    test("the HTTP listener forwards by default to the first container's target group", () => {
      // GIVEN / WHEN
      const services = synth()["dev-services"];
      // THEN
      expect(soleResource(services, "aws_lb_listener")).toMatchObject({
        port: 80,
        protocol: "HTTP",
        default_action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group", groupOf(services, "a"), "arn") }],
      });
    });

    test("each non-root container has exactly one listener rule, for /<name> and /<name>/*, forwarding to its own target group (the seed's rules were off by one with 3+ containers)", () => {
      // GIVEN
      const names = ["web", "products", "orders", "billing", "admin"];
      // WHEN
      const services = synth({ TF_VAR_container_name: names.join(","), TF_VAR_container_port: "8000" })["dev-services"];
      // THEN
      const rules = resources(services, "aws_lb_listener_rule");
      expect(rules).toHaveLength(names.length - 1);
      for (const name of names.slice(1)) {
        const rule = resourceAt(services, "aws_lb_listener_rule", `service-${name}/listener-rule`).values;
        expect(rule.condition).toEqual([{ path_pattern: { values: [`/${name}`, `/${name}/*`] } }]);
        expect(rule.action).toHaveLength(1);
        expect(targetGroupPath(services, rule.action[0].target_group_arn)).toBe(groupOf(services, name).name);
        // ... and that target group is the one the container's own service registers in
        const service = resourceAt(services, "aws_ecs_service", `service-${name}/service`).values;
        expect(service.load_balancer).toEqual([
          { target_group_arn: rule.action[0].target_group_arn, container_name: name, container_port: 8000 },
        ]);
      }
      expect(resources(services, "aws_lb_listener_rule").map((r) => r.values.condition[0].path_pattern.values[0])).not.toContain("/web");
    });

    test("rule priorities are unique and the same whatever the order of the containers after the first", () => {
      // GIVEN
      const priorityOf = (list: string) => {
        const services = synth({ TF_VAR_container_name: list, TF_VAR_container_port: "8000" })["dev-services"];
        return Object.fromEntries(
          ["b", "c", "d"].map((n) => [n, resourceAt(services, "aws_lb_listener_rule", `service-${n}/listener-rule`).values.priority]),
        );
      };
      // WHEN
      const before = priorityOf("a,b,c,d");
      const after = priorityOf("a,d,b,c");
      // THEN
      expect(after).toEqual(before);
      expect(new Set(Object.values(before)).size).toBe(3);
    });

    test("removing or reordering containers leaves the others' resources untouched, at the same addresses (the seed's count indexes shifted and replaced them)", () => {
      // GIVEN
      const serviceResources = (services: StackJson, name: string) => {
        const out: Record<string, unknown> = {};
        for (const [type, byName] of Object.entries(services.resource ?? {})) {
          for (const [logical, values] of Object.entries(byName)) {
            const { ["//"]: _metadata, ...args } = values;
            if (String(_metadata?.metadata?.path).includes(`/service-${name}/`)) out[`${type}.${logical}`] = args;
          }
        }
        return out;
      };
      const before = synth({ TF_VAR_container_name: "a,b,c,d", TF_VAR_container_port: "8000" })["dev-services"];
      // WHEN
      const after = synth({ TF_VAR_container_name: "a,d,b", TF_VAR_container_port: "8000" })["dev-services"];
      // THEN
      for (const name of ["a", "b", "d"]) {
        expect(Object.keys(serviceResources(before, name)).length).toBeGreaterThan(5);
        expect(serviceResources(after, name)).toEqual(serviceResources(before, name));
      }
      expect(serviceResources(after, "c")).toEqual({});
    });

    test("an explicit priority from the config file reaches the rule", () => {
      // GIVEN / WHEN
      const services = synth({}, { containers: [{ name: "a" }, { name: "b", priority: 10 }, { name: "c" }] })["dev-services"];
      // THEN
      expect(resourceAt(services, "aws_lb_listener_rule", "service-b/listener-rule").values.priority).toBe(10);
    });

    test("the root service starts after the listener that forwards to it; the others after their rules", () => {
      // GIVEN / WHEN
      const services = synth()["dev-services"];
      // THEN
      const listener = resources(services, "aws_lb_listener")[0];
      expect(resourceAt(services, "aws_ecs_service", "service-a/service").values.depends_on).toEqual([`aws_lb_listener.${listener.name}`]);
      for (const name of ["b", "c"]) {
        const rule = resourceAt(services, "aws_lb_listener_rule", `service-${name}/listener-rule`);
        expect(resourceAt(services, "aws_ecs_service", `service-${name}/service`).values.depends_on).toEqual([`aws_lb_listener_rule.${rule.name}`]);
      }
    });

    test("with certificate_arn, the ALB accepts 80 and 443, and the rules are on the HTTPS listener", () => {
      // GIVEN / WHEN
      const stacks = synth({ TF_VAR_certificate_arn: certificateArn, TF_VAR_alb_ingress_cidrs: "10.0.0.0/8" });
      // THEN
      const cluster = stacks["dev-cluster"];
      const albGroup = resourceAt(cluster, "aws_security_group", "alb/security-group");
      const opened = resources(cluster, "aws_vpc_security_group_ingress_rule")
        .filter((r) => r.values.security_group_id === ref("aws_security_group", albGroup, "id"))
        .map((r) => `${r.values.from_port}-${r.values.to_port} ${r.values.cidr_ipv4}`)
        .sort();
      expect(opened).toEqual(["443-443 10.0.0.0/8", "80-80 10.0.0.0/8"]);
      const services = stacks["dev-services"];
      const https = resourceAt(services, "aws_lb_listener", "listeners/https");
      expect(https.values).toMatchObject({ port: 443, protocol: "HTTPS", certificate_arn: certificateArn });
      for (const rule of resources(services, "aws_lb_listener_rule")) expect(rule.values.listener_arn).toBe(ref("aws_lb_listener", https, "arn"));
      const redirect = resourceAt(services, "aws_lb_listener", "listeners/http-redirect").values;
      expect(redirect.default_action[0]).toMatchObject({ type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } });
    });

    test("without certificate_arn, the ALB accepts only port 80, from alb_ingress_cidrs (default anywhere)", () => {
      // GIVEN / WHEN
      const cluster = synth()["dev-cluster"];
      // THEN
      const albGroup = resourceAt(cluster, "aws_security_group", "alb/security-group");
      const opened = resources(cluster, "aws_vpc_security_group_ingress_rule")
        .filter((r) => r.values.security_group_id === ref("aws_security_group", albGroup, "id"))
        .map((r) => `${r.values.from_port}-${r.values.to_port} ${r.values.cidr_ipv4}`);
      expect(opened).toEqual(["80-80 0.0.0.0/0"]);
    });

    test("the ALB reaches only the instances' dynamic ports, and the instances accept those only from the ALB", () => {
      // GIVEN / WHEN
      const cluster = synth()["dev-cluster"];
      // THEN
      const alb = ref("aws_security_group", resourceAt(cluster, "aws_security_group", "alb/security-group"), "id");
      const instances = ref("aws_security_group", resourceAt(cluster, "aws_security_group", "ecs/instance-security-group"), "id");
      const egress = resources(cluster, "aws_vpc_security_group_egress_rule").filter((r) => r.values.security_group_id === alb);
      expect(egress.map((r) => r.values)).toEqual([
        expect.objectContaining({ from_port: 32768, to_port: 65535, referenced_security_group_id: instances }),
      ]);
      const ingress = resources(cluster, "aws_vpc_security_group_ingress_rule").filter((r) => r.values.security_group_id === instances);
      expect(ingress.map((r) => r.values)).toEqual([
        expect.objectContaining({ from_port: 32768, to_port: 65535, referenced_security_group_id: alb }),
      ]);
    });

    test("EFS accepts NFS only from the instances' security group", () => {
      // GIVEN / WHEN
      const cluster = synth()["dev-cluster"];
      // THEN
      const efs = ref("aws_security_group", resourceAt(cluster, "aws_security_group", "efs/security-group"), "id");
      const instances = ref("aws_security_group", resourceAt(cluster, "aws_security_group", "ecs/instance-security-group"), "id");
      const ingress = resources(cluster, "aws_vpc_security_group_ingress_rule").filter((r) => r.values.security_group_id === efs);
      expect(ingress.map((r) => r.values)).toEqual([
        expect.objectContaining({ from_port: 2049, to_port: 2049, referenced_security_group_id: instances }),
      ]);
    });
  });

  describe("cluster", () => {
    test("passes the instance settings (type, sizes, SSH, AMI parameter and auto-update) to the cluster", () => {
      // GIVEN / WHEN
      const cluster = synth({
        TF_VAR_instance_type: "m6i.large",
        TF_VAR_asg_min: "1",
        TF_VAR_asg_max: "6",
        TF_VAR_asg_desired: "3",
        TF_VAR_key_name: "ops",
        TF_VAR_admin_cidr_ingress: "203.0.113.7/32",
        TF_VAR_ami_auto_update: "true",
      })["dev-cluster"];
      // THEN
      expect(soleResource(cluster, "aws_autoscaling_group")).toMatchObject({ min_size: 1, max_size: 6, desired_capacity: 3 });
      const template = soleResource(cluster, "aws_launch_template");
      expect(template).toMatchObject({ instance_type: "m6i.large", key_name: "ops" });
      expect(template.lifecycle).toBeUndefined();
      expect(resources(cluster, "aws_vpc_security_group_ingress_rule").filter((r) => r.values.from_port === 22).map((r) => r.values.cidr_ipv4)).toEqual([
        "203.0.113.7/32",
      ]);
    });

    test("by default: t3.small, 2/5/2 instances, no SSH, the AL2023 ECS AMI that does not replace instances", () => {
      // GIVEN / WHEN
      const cluster = synth()["dev-cluster"];
      // THEN
      expect(soleResource(cluster, "aws_autoscaling_group")).toMatchObject({ min_size: 2, max_size: 5, desired_capacity: 2 });
      const template = soleResource(cluster, "aws_launch_template");
      expect(template.instance_type).toBe("t3.small");
      expect(template.key_name).toBeUndefined();
      expect(template.lifecycle).toEqual({ ignore_changes: ["image_id"] });
      expect(resources(cluster, "aws_vpc_security_group_ingress_rule").filter((r) => r.values.from_port === 22)).toHaveLength(0);
    });

    test("uses a launch template, never the deprecated launch configuration (the seed's)", () => {
      // GIVEN / WHEN
      const cluster = synth()["dev-cluster"];
      // THEN
      expect(resources(cluster, "aws_launch_template")).toHaveLength(1);
      expect(resources(cluster, "aws_launch_configuration")).toHaveLength(0);
    });

    test("tags every security group with a Name (the seed's tags were malformed key/value pairs)", () => {
      // GIVEN / WHEN
      const cluster = synth()["dev-cluster"];
      // THEN
      expect(resources(cluster, "aws_security_group").map((g) => g.values.tags).sort((x, y) => x.Name.localeCompare(y.Name))).toEqual([
        { Name: "ecs-platform-dev-alb" },
        { Name: "ecs-platform-dev-ecs-instances" },
        { Name: "ecs-platform-dev-efs" },
      ]);
    });

    test("alb_deletion_protection reaches the load balancer", () => {
      // GIVEN / WHEN
      const cluster = synth({ TF_VAR_alb_deletion_protection: "true" })["dev-cluster"];
      // THEN
      expect(soleResource(cluster, "aws_lb").enable_deletion_protection).toBe(true);
    });
  });

  describe("discovery", () => {
    test("creates the private zone discovery_zone_name in the VPC", () => {
      // GIVEN / WHEN
      const discovery = synth({ TF_VAR_discovery_zone_name: "svc.shop.internal" })["dev-discovery"];
      // THEN
      expect(soleResource(discovery, "aws_route53_zone").name).toBe("svc.shop.internal");
    });

    test("every container is published by the DNS agents by default: an SRV record _<name>._tcp for its port, through a Docker label", () => {
      // GIVEN / WHEN
      const services = synth()["dev-services"];
      // THEN
      expect(["a", "b", "c"].map((name) => containerOf(services, name).dockerLabels)).toEqual([
        { SERVICE_8000_NAME: "_a._tcp" },
        { SERVICE_8001_NAME: "_b._tcp" },
        { SERVICE_8002_NAME: "_c._tcp" },
      ]);
    });

    test("with janitor_health_checks, every discovered container asks the janitor to probe it at its health_check path, through a Docker label", () => {
      // GIVEN / WHEN
      const services = synth({ TF_VAR_janitor_health_checks: "true", TF_VAR_health_check: "/,/b/ready,/c", TF_VAR_discovery: "true,true,false" })["dev-services"];
      // THEN
      expect(["a", "b", "c"].map((name) => containerOf(services, name).dockerLabels)).toEqual([
        { SERVICE_8000_NAME: "_a._tcp", SERVICE_8000_CHECK_HTTP: "/" },
        { SERVICE_8001_NAME: "_b._tcp", SERVICE_8001_CHECK_HTTP: "/b/ready" },
        undefined,
      ]);
    });

    test("discovery=false opts a container out, and discovery_name renames its SRV record (TF_VAR_ lists)", () => {
      // GIVEN / WHEN
      const services = synth({ TF_VAR_discovery: "true,false,true", TF_VAR_discovery_name: "frontend,,orders" })["dev-services"];
      // THEN
      expect(containerOf(services, "a").dockerLabels).toEqual({ SERVICE_8000_NAME: "_frontend._tcp" });
      expect(containerOf(services, "b")).not.toHaveProperty("dockerLabels");
      expect(containerOf(services, "c").dockerLabels).toEqual({ SERVICE_8002_NAME: "_orders._tcp" });
    });

    test("the same from the JSON file, and a container's own SERVICE_<port>_NAME keeps working", () => {
      // GIVEN / WHEN
      const services = synthPlatform(configFrom({}, {
        containers: [
          { name: "a", port: 8000, discovery_name: "frontend" },
          { name: "b", port: 8001, discovery: false },
          { name: "c", port: 8002, env: { SERVICE_8002_NAME: "_legacy._tcp" } },
        ],
      })).stacks["dev-services"];
      // THEN
      expect(containerOf(services, "a").dockerLabels).toEqual({ SERVICE_8000_NAME: "_frontend._tcp" });
      expect(containerOf(services, "b")).not.toHaveProperty("dockerLabels");
      expect(containerOf(services, "c")).not.toHaveProperty("dockerLabels");
      expect(environmentOf(services, "c").SERVICE_8002_NAME).toBe("_legacy._tcp");
    });

    test("with discovery_zone_id, associates that zone with the VPC instead of creating one", () => {
      // GIVEN / WHEN
      const discovery = synth({ ...existingVpc, TF_VAR_discovery_zone_id: "Z0123456789ABCDEFGHIJ" })["dev-discovery"];
      // THEN
      expect(resources(discovery, "aws_route53_zone")).toHaveLength(0);
      expect(soleResource(discovery, "aws_route53_zone_association")).toMatchObject({ vpc_id: "vpc-0abc12345def67890" });
      expect(discovery.data?.aws_route53_zone).toBeDefined();
    });
  });
});
