import { EcsEc2Cluster, type EcsEc2ClusterProps } from "../../modules/ecs-ec2-cluster";
import { joinedText, ref, resources, soleResource, synthConstruct, type StackJson } from "../helpers/synth";

const baseProps: EcsEc2ClusterProps = {
  namePrefix: "shop-dev",
  partition: "aws",
  vpcId: "vpc-0123456789abcdef0",
  privateSubnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"],
  loadBalancerSecurityGroupId: "sg-0a1b2c3d4e5f60718",
  instanceType: "t3.small",
};
const synthCluster = (props: Partial<EcsEc2ClusterProps> = {}): StackJson =>
  synthConstruct((scope) => new EcsEc2Cluster(scope, "ecs", { ...baseProps, ...props }));
const userData = (stack: StackJson) => joinedText(soleResource(stack, "aws_launch_template").user_data, "base64encode");

describe("EcsEc2Cluster spot", () => {
  test("off by default: the group launches its template on demand, and the agent does no Spot draining", () => {
    // GIVEN / WHEN
    const stack = synthCluster();
    // THEN
    const group = soleResource(stack, "aws_autoscaling_group");
    expect(group.launch_template).toBeDefined();
    expect(group).not.toHaveProperty("mixed_instances_policy");
    expect(userData(stack)).not.toContain("ECS_ENABLE_SPOT_INSTANCE_DRAINING");
  });

  describe("on", () => {
    // GIVEN / WHEN
    const stack = synthCluster({ spot: { onDemandBaseCapacity: 2, instanceTypes: ["t3.small", "t3a.small", "t3.small"] } });
    const group = soleResource(stack, "aws_autoscaling_group");
    const template = resources(stack, "aws_launch_template")[0];

    test("a mixed-instances policy keeps the on-demand base and runs everything above it on Spot", () => {
      expect(group).not.toHaveProperty("launch_template");
      expect(group.mixed_instances_policy.instances_distribution).toEqual({
        on_demand_base_capacity: 2,
        on_demand_percentage_above_base_capacity: 0,
        spot_allocation_strategy: "price-capacity-optimized",
      });
    });

    test("launches the cluster's template over each instance type once", () => {
      expect(group.mixed_instances_policy.launch_template).toEqual({
        launch_template_specification: {
          launch_template_id: ref("aws_launch_template", template, "id"),
          version: `\${tostring(${ref("aws_launch_template", template, "latest_version").slice(2, -1)})}`,
        },
        override: [{ instance_type: "t3.small" }, { instance_type: "t3a.small" }],
      });
    });

    test("rebalances capacity ahead of interruptions, and the ECS agent drains an instance on notice", () => {
      expect(group.capacity_rebalance).toBe(true);
      expect(userData(stack)).toContain("\nECS_ENABLE_SPOT_INSTANCE_DRAINING=true\n");
    });
  });

  test("with no instance types, Spot uses the cluster's instance type", () => {
    // GIVEN / WHEN
    const group = soleResource(synthCluster({ spot: { onDemandBaseCapacity: 0 } }), "aws_autoscaling_group");
    // THEN
    expect(group.mixed_instances_policy.launch_template.override).toEqual([{ instance_type: "t3.small" }]);
  });

  test("refuses a negative on-demand base, naming it", () => {
    expect(() => synthCluster({ spot: { onDemandBaseCapacity: -1 } })).toThrow(/spot.onDemandBaseCapacity must be a whole number of at least 0, got -1/);
  });
});
