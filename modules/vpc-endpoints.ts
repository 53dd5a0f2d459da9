import { Construct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";

/** The interface endpoints: image pulls (ECR API and registry), logs, and SSM (parameters, Session Manager's control plane). */
export const INTERFACE_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "logs", "ssm"] as const;

/** Properties of {@link VpcEndpoints}. */
export interface VpcEndpointsProps {
  /** Prefix of every name, e.g. `ecs-platform-dev`. */
  readonly namePrefix: string;
  /** The Region, for the endpoint service names `com.amazonaws.<region>.<service>`. */
  readonly region: string;
  readonly vpcId: string;
  /** Only this range may reach the interface endpoints (HTTPS). */
  readonly vpcCidrBlock: string;
  /** The interface endpoints' network interfaces go here, one per zone. */
  readonly privateSubnetIds: readonly string[];
  /** The S3 gateway endpoint is routed from these (ECR serves image layers from S3). */
  readonly privateRouteTableIds: readonly string[];
}

/**
 * VPC endpoints so that the instances' image pulls, logs and SSM calls stay
 * inside AWS's network instead of paying for NAT: an S3 gateway endpoint on
 * the private route tables, and interface endpoints with private DNS for
 * {@link INTERFACE_ENDPOINT_SERVICES}, in a security group that accepts only
 * HTTPS from the VPC. Other AWS calls (ECS's own, Secrets Manager, Route53,
 * Session Manager's data channels) still go through NAT.
 */
export class VpcEndpoints extends Construct {
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    const service = (name: string) => `com.amazonaws.${props.region}.${name}`;
    const tags = (suffix: string) => ({ Name: `${props.namePrefix}-${suffix}` });

    new VpcEndpoint(this, "s3", {
      vpcId: props.vpcId,
      serviceName: service("s3"),
      vpcEndpointType: "Gateway",
      routeTableIds: [...props.privateRouteTableIds],
      tags: tags("s3"),
    });

    const securityGroup = new SecurityGroup(this, "security-group", {
      name: `${props.namePrefix}-vpc-endpoints`.slice(0, 255),
      description: "VPC interface endpoints: HTTPS from the VPC only",
      vpcId: props.vpcId,
      tags: tags("vpc-endpoints"),
    });
    this.securityGroupId = securityGroup.id;
    new VpcSecurityGroupIngressRule(this, "ingress-https-from-vpc", {
      securityGroupId: securityGroup.id,
      description: "HTTPS to the endpoints, from the VPC",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: props.vpcCidrBlock,
    });

    for (const name of INTERFACE_ENDPOINT_SERVICES) {
      new VpcEndpoint(this, name.replace(".", "-"), {
        vpcId: props.vpcId,
        serviceName: service(name),
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: [...props.privateSubnetIds],
        securityGroupIds: [securityGroup.id],
        tags: tags(name.replace(".", "-")),
      });
    }
  }
}
