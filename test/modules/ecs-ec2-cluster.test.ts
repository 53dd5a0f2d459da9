import { BLOCK_IMDS_DOCKER_DROP_IN, BLOCK_IMDS_SCRIPT, BLOCK_IMDS_SCRIPT_PATH, DYNAMIC_PORT_RANGE, EcsEc2Cluster, type EcsEc2ClusterProps } from "../../modules/ecs-ec2-cluster";
import {
  dataSources,
  joinedText,
  jsonDocumentOf,
  ref,
  resourceAt,
  resources,
  soleResource,
  synthConstruct,
  type StackJson,
} from "../helpers/synth";

const baseProps: EcsEc2ClusterProps = {
  namePrefix: "shop-dev",
  partition: "aws-cn",
  vpcId: "vpc-0123456789abcdef0",
  privateSubnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"],
  loadBalancerSecurityGroupId: "sg-0a1b2c3d4e5f60718",
};

const synthCluster = (props: Partial<EcsEc2ClusterProps> = {}): StackJson =>
  synthConstruct((scope) => new EcsEc2Cluster(scope, "ecs", { ...baseProps, ...props }));

const instanceSecurityGroup = (stack: StackJson) => resourceAt(stack, "aws_security_group", "instance-security-group");
const ingressRules = (stack: StackJson) =>
  resources(stack, "aws_vpc_security_group_ingress_rule").filter(
    (r) => r.values.security_group_id === ref("aws_security_group", instanceSecurityGroup(stack), "id"),
  );

describe("EcsEc2Cluster", () => {
  describe("cluster", () => {
    test("is named after the prefix, with Container Insights enabled", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      expect(soleResource(stack, "aws_ecs_cluster")).toMatchObject({
        name: "shop-dev",
        setting: [{ name: "containerInsights", value: "enabled" }],
      });
    });

    test("uses the auto scaling group as its default capacity provider, with managed scaling and draining", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      const group = resources(stack, "aws_autoscaling_group")[0];
      const provider = resources(stack, "aws_ecs_capacity_provider")[0];
      expect(provider.values.auto_scaling_group_provider).toEqual({
        auto_scaling_group_arn: ref("aws_autoscaling_group", group, "arn"),
        managed_termination_protection: "DISABLED",
        managed_draining: "ENABLED",
        managed_scaling: { status: "ENABLED", target_capacity: 100 },
      });
      const providerName = ref("aws_ecs_capacity_provider", provider, "name");
      expect(soleResource(stack, "aws_ecs_cluster_capacity_providers")).toMatchObject({
        cluster_name: ref("aws_ecs_cluster", resources(stack, "aws_ecs_cluster")[0], "name"),
        capacity_providers: [providerName],
        default_capacity_provider_strategy: [{ capacity_provider: providerName, weight: 1, base: 0 }],
      });
    });

    test.each(["shop-dev", "ecs-platform-dev", "aws-team-prod", "fargate-x"])(
      "names the capacity provider so that it never starts with aws, ecs or fargate (prefix %s)",
      (namePrefix) => {
        // GIVEN / WHEN
        const stack = synthCluster({ namePrefix });
        // THEN
        const name: string = soleResource(stack, "aws_ecs_capacity_provider").name;
        expect(name).not.toMatch(/^(aws|ecs|fargate)/i);
        expect(name).toContain(namePrefix);
      },
    );
  });

  describe("launch template", () => {
    test("requires IMDSv2 tokens with a hop limit of 1, so bridge-mode containers cannot reach the instance role", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      expect(soleResource(stack, "aws_launch_template").metadata_options).toEqual({
        http_endpoint: "enabled",
        http_tokens: "required",
        http_put_response_hop_limit: 1,
      });
    });

    test("gives instances no public IP, only the instance security group", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      const template = soleResource(stack, "aws_launch_template");
      expect(template.network_interfaces).toEqual([
        {
          associate_public_ip_address: "false",
          delete_on_termination: "true",
          security_groups: [ref("aws_security_group", instanceSecurityGroup(stack), "id")],
        },
      ]);
      expect(template.vpc_security_group_ids).toBeUndefined();
    });

    test("takes the AMI from the ECS-optimized Amazon Linux 2023 SSM parameter's insecure_value (visible in the plan)", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      const [parameter] = dataSources(stack, "aws_ssm_parameter");
      expect(parameter.values.name).toBe("/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id");
      expect(soleResource(stack, "aws_launch_template").image_id).toBe(`\${data.aws_ssm_parameter.${parameter.name}.insecure_value}`);
    });

    test("takes the AMI from another SSM parameter when amiParameter is given", () => {
      // GIVEN / WHEN
      const stack = synthCluster({ amiParameter: "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id" });
      // THEN
      expect(dataSources(stack, "aws_ssm_parameter")[0].values.name).toBe(
        "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
      );
    });

    test("ignores a newer AMI (ignore_changes image_id) by default, so instances are replaced only when asked", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      expect(soleResource(stack, "aws_launch_template").lifecycle).toEqual({ ignore_changes: ["image_id"] });
    });

    test("follows a newer AMI when amiAutoUpdate is set (no ignore_changes)", () => {
      // GIVEN / WHEN
      const stack = synthCluster({ amiAutoUpdate: true });
      // THEN
      expect(soleResource(stack, "aws_launch_template").lifecycle).toBeUndefined();
    });

    test("encrypts the root volume", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      expect(soleResource(stack, "aws_launch_template").block_device_mappings).toEqual([
        expect.objectContaining({ device_name: "/dev/xvda", ebs: expect.objectContaining({ encrypted: "true", volume_type: "gp3" }) }),
      ]);
    });

    test("uses t3.small by default and the given instance type otherwise", () => {
      // GIVEN / WHEN
      const byDefault = synthCluster();
      const given = synthCluster({ instanceType: "m6i.large" });
      // THEN
      expect(soleResource(byDefault, "aws_launch_template").instance_type).toBe("t3.small");
      expect(soleResource(given, "aws_launch_template").instance_type).toBe("m6i.large");
    });

    test("starts instances with user data that keeps containers from instance metadata, then joins them to the cluster, with task IAM roles and awslogs on", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      const script: string = joinedText(soleResource(stack, "aws_launch_template").user_data, "base64encode");
      expect(script).toBe(
        [
          "#!/bin/bash",
          "set -euo pipefail",
          `trap 'echo "user data failed (line $LINENO): not joining shop-dev; stopping so that the Auto Scaling group replaces this instance" >&2; systemctl mask --now ecs.service || true; shutdown -h +1 || true' ERR`,
          "# --- containers on Docker's bridges never reach instance metadata ---",
          `cat > ${BLOCK_IMDS_SCRIPT_PATH} <<'SCRIPT'`,
          `${BLOCK_IMDS_SCRIPT}SCRIPT`,
          `chmod 0755 ${BLOCK_IMDS_SCRIPT_PATH}`,
          "mkdir -p /etc/systemd/system/docker.service.d",
          `cat > ${BLOCK_IMDS_DOCKER_DROP_IN} <<'UNIT'`,
          "[Service]",
          `ExecStartPost=${BLOCK_IMDS_SCRIPT_PATH}`,
          "UNIT",
          "systemctl daemon-reload",
          BLOCK_IMDS_SCRIPT_PATH,
          "cat >> /etc/ecs/ecs.config <<'EOF'",
          "ECS_CLUSTER=shop-dev",
          "ECS_ENABLE_TASK_IAM_ROLE=true",
          "ECS_ENABLE_CONTAINER_METADATA=true",
          'ECS_AVAILABLE_LOGGING_DRIVERS=["json-file","awslogs"]',
          "EOF",
          "",
        ].join("\n"),
      );
      expect(script.split("\n")).toEqual(
        expect.arrayContaining(["ECS_CLUSTER=shop-dev", "ECS_ENABLE_TASK_IAM_ROLE=true", 'ECS_AVAILABLE_LOGGING_DRIVERS=["json-file","awslogs"]']),
      );
      expect(script.startsWith("#!/bin/bash\n")).toBe(true);
    });

    test("runs extraUserData verbatim (no Terraform interpolation of ${...}) before joining the cluster, so a failed install keeps the instance out", () => {
      // GIVEN / WHEN
      const stack = synthCluster({ extraUserData: 'echo "${HOSTNAME}" > /tmp/booted' });
      // THEN
      const lines: string[] = joinedText(soleResource(stack, "aws_launch_template").user_data, "base64encode").split("\n");
      expect(lines).toContain('echo "${HOSTNAME}" > /tmp/booted');
      expect(lines.indexOf('echo "${HOSTNAME}" > /tmp/booted')).toBeLessThan(lines.indexOf("ECS_CLUSTER=shop-dev"));
    });

    test("attaches the instance profile of the instance role", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      const profile = resources(stack, "aws_iam_instance_profile")[0];
      const role = resources(stack, "aws_iam_role")[0];
      expect(profile.values.role).toBe(ref("aws_iam_role", role, "name"));
      expect(soleResource(stack, "aws_launch_template").iam_instance_profile).toEqual({ arn: ref("aws_iam_instance_profile", profile, "arn") });
    });
  });

  describe("instance role", () => {
    test("can be assumed by EC2 only", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      expect(jsonDocumentOf(soleResource(stack, "aws_iam_role").assume_role_policy).Statement).toEqual([
        { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
      ]);
    });

    test("has exactly the ECS agent and SSM Session Manager managed policies, attached per role (never aws_iam_policy_attachment)", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      const role = resources(stack, "aws_iam_role")[0];
      const attachments = resources(stack, "aws_iam_role_policy_attachment").map((a) => a.values);
      expect(attachments.map((a) => a.policy_arn).sort()).toEqual([
        "arn:aws-cn:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws-cn:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
      ]);
      for (const a of attachments) expect(a.role).toBe(ref("aws_iam_role", role, "name"));
      expect(resources(stack, "aws_iam_policy_attachment")).toHaveLength(0);
      expect(resources(stack, "aws_iam_role_policy")).toHaveLength(0);
    });
  });

  describe("security group", () => {
    test("lets instances accept only the ECS dynamic port range 32768-65535, and only from the load balancer's security group", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      expect(DYNAMIC_PORT_RANGE).toEqual({ from: 32768, to: 65535 });
      const rules = ingressRules(stack).map((r) => r.values);
      expect(rules).toHaveLength(1);
      expect(rules[0]).toMatchObject({
        ip_protocol: "tcp",
        from_port: 32768,
        to_port: 65535,
        referenced_security_group_id: "sg-0a1b2c3d4e5f60718",
      });
      expect(rules[0].cidr_ipv4).toBeUndefined();
      expect(instanceSecurityGroup(stack).values.ingress).toBeUndefined();
    });

    test("lets instances reach out (image pulls, AWS APIs, EFS) through NAT", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      expect(soleResource(stack, "aws_vpc_security_group_egress_rule")).toMatchObject({
        security_group_id: ref("aws_security_group", instanceSecurityGroup(stack), "id"),
        ip_protocol: "-1",
        cidr_ipv4: "0.0.0.0/0",
      });
    });

    test("is in the given VPC", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      expect(instanceSecurityGroup(stack).values.vpc_id).toBe("vpc-0123456789abcdef0");
    });
  });

  describe("SSH", () => {
    test("with keyName and sshIngressCidr, sets the key pair and opens port 22 from that CIDR only", () => {
      // GIVEN / WHEN
      const stack = synthCluster({ keyName: "ops", sshIngressCidr: "203.0.113.7/32" });
      // THEN
      expect(soleResource(stack, "aws_launch_template").key_name).toBe("ops");
      const ssh = ingressRules(stack).filter((r) => r.values.from_port === 22);
      expect(ssh).toHaveLength(1);
      expect(ssh[0].values).toMatchObject({ ip_protocol: "tcp", from_port: 22, to_port: 22, cidr_ipv4: "203.0.113.7/32" });
      expect(ingressRules(stack)).toHaveLength(2);
    });

    test.each([
      ["neither is given", {}],
      ["only keyName is given", { keyName: "ops" }],
      ["only sshIngressCidr is given", { sshIngressCidr: "203.0.113.7/32" }],
    ])("sets no key pair and opens no port 22 when %s", (_case, props) => {
      // GIVEN / WHEN
      const stack = synthCluster(props);
      // THEN
      expect(soleResource(stack, "aws_launch_template").key_name).toBeUndefined();
      expect(ingressRules(stack).filter((r) => r.values.from_port <= 22 && r.values.to_port >= 22)).toHaveLength(0);
    });
  });

  describe("auto scaling group", () => {
    test("launches into the private subnets from the latest launch template version, with min 2, max 5, desired 2 by default", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      const template = resources(stack, "aws_launch_template")[0];
      expect(soleResource(stack, "aws_autoscaling_group")).toMatchObject({
        vpc_zone_identifier: ["subnet-0aaa1111", "subnet-0bbb2222"],
        min_size: 2,
        max_size: 5,
        desired_capacity: 2,
        launch_template: {
          id: ref("aws_launch_template", template, "id"),
          version: `\${tostring(aws_launch_template.${template.name}.latest_version)}`,
        },
      });
    });

    test("takes the given sizes", () => {
      // GIVEN / WHEN
      const stack = synthCluster({ minSize: 1, maxSize: 10, desiredCapacity: 3 });
      // THEN
      expect(soleResource(stack, "aws_autoscaling_group")).toMatchObject({ min_size: 1, max_size: 10, desired_capacity: 3 });
    });

    test("registers no instance in any target group (ECS alone manages targets; the seed's instance:80 targets failed)", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      const group = soleResource(stack, "aws_autoscaling_group");
      expect(group.target_group_arns).toBeUndefined();
      expect(group.load_balancers).toBeUndefined();
      expect(resources(stack, "aws_autoscaling_attachment")).toHaveLength(0);
    });

    test("leaves desired capacity to ECS managed scaling after creation (ignore_changes desired_capacity)", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      expect(soleResource(stack, "aws_autoscaling_group").lifecycle).toEqual({ ignore_changes: ["desired_capacity"] });
    });

    test("replaces instances by a rolling instance refresh when the launch template changes", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      expect(soleResource(stack, "aws_autoscaling_group").instance_refresh).toEqual({
        strategy: "Rolling",
        preferences: { min_healthy_percentage: 50 },
      });
    });

    test("tags instances AmazonECSManaged (required by managed scaling) and with a Name", () => {
      // GIVEN / WHEN
      const stack = synthCluster();
      // THEN
      expect(soleResource(stack, "aws_autoscaling_group").tag).toEqual(
        expect.arrayContaining([
          { key: "AmazonECSManaged", value: "true", propagate_at_launch: true },
          { key: "Name", value: "shop-dev-ecs", propagate_at_launch: true },
        ]),
      );
    });
  });

  describe("validation", () => {
    test.each([
      [{ minSize: 3, maxSize: 2, desiredCapacity: 2 }, "3 <= 2 <= 2"],
      [{ minSize: 2, maxSize: 5, desiredCapacity: 1 }, "2 <= 1 <= 5"],
      [{ minSize: 2, maxSize: 5, desiredCapacity: 6 }, "2 <= 6 <= 5"],
      [{ minSize: 0, maxSize: 1 }, "0 <= 2 <= 1"],
    ])("fails when the sizes are out of order (%p), showing them", (sizes, shown) => {
      // GIVEN / WHEN / THEN
      expect(() => synthCluster(sizes)).toThrow(`EcsEc2Cluster: need minSize <= desiredCapacity <= maxSize, got ${shown}`);
    });

    test("accepts minSize = desiredCapacity = maxSize", () => {
      // GIVEN / WHEN
      const stack = synthCluster({ minSize: 3, maxSize: 3, desiredCapacity: 3 });
      // THEN
      expect(soleResource(stack, "aws_autoscaling_group")).toMatchObject({ min_size: 3, max_size: 3, desired_capacity: 3 });
    });
  });
});
