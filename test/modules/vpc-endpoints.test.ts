import { INTERFACE_ENDPOINT_SERVICES, VpcEndpoints, type VpcEndpointsProps } from "../../modules/vpc-endpoints";
import { ref, resources, soleResource, synthConstruct, type StackJson } from "../helpers/synth";

const props: VpcEndpointsProps = {
  namePrefix: "shop-dev",
  region: "eu-west-1",
  vpcId: "vpc-0123456789abcdef0",
  vpcCidrBlock: "10.10.0.0/16",
  privateSubnetIds: ["subnet-0ccc3333", "subnet-0ddd4444"],
  privateRouteTableIds: ["rtb-0aaa1111", "rtb-0bbb2222"],
};
const synthEndpoints = (): StackJson => synthConstruct((scope) => new VpcEndpoints(scope, "vpc-endpoints", props));

describe("VpcEndpoints", () => {
  // GIVEN / WHEN
  const stack = synthEndpoints();
  const endpoints = resources(stack, "aws_vpc_endpoint").map((e) => e.values);
  const securityGroup = resources(stack, "aws_security_group")[0];

  test("routes S3 from the private route tables through a gateway endpoint (ECR's image layers come from S3)", () => {
    expect(endpoints.filter((e) => e.vpc_endpoint_type === "Gateway")).toEqual([
      expect.objectContaining({ vpc_id: props.vpcId, service_name: "com.amazonaws.eu-west-1.s3", route_table_ids: props.privateRouteTableIds }),
    ]);
  });

  test("has an interface endpoint with private DNS in every private subnet for ECR api and dkr, CloudWatch Logs and SSM", () => {
    const interfaces = endpoints.filter((e) => e.vpc_endpoint_type === "Interface");
    expect(interfaces.map((e) => e.service_name).sort()).toEqual(
      ["com.amazonaws.eu-west-1.ecr.api", "com.amazonaws.eu-west-1.ecr.dkr", "com.amazonaws.eu-west-1.logs", "com.amazonaws.eu-west-1.ssm"],
    );
    expect(INTERFACE_ENDPOINT_SERVICES).toHaveLength(4);
    for (const endpoint of interfaces) {
      expect(endpoint).toMatchObject({
        vpc_id: props.vpcId,
        private_dns_enabled: true,
        subnet_ids: props.privateSubnetIds,
        security_group_ids: [ref("aws_security_group", securityGroup, "id")],
      });
    }
  });

  test("the interface endpoints accept HTTPS from the VPC's range only, and nothing else", () => {
    expect(soleResource(stack, "aws_vpc_security_group_ingress_rule")).toMatchObject({
      security_group_id: ref("aws_security_group", securityGroup, "id"),
      ip_protocol: "tcp",
      from_port: 443,
      to_port: 443,
      cidr_ipv4: "10.10.0.0/16",
    });
    expect(resources(stack, "aws_vpc_security_group_egress_rule")).toEqual([]);
    expect(securityGroup.values).not.toHaveProperty("ingress");
  });
});
