import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { PrivateVpc, type PrivateVpcProps } from "../modules/private-vpc";
import { VpcEndpoints } from "../modules/vpc-endpoints";
import { PlatformStack, type PlatformStackProps } from "./platform-stack";

/** The network the other stacks are given: built here, or an existing VPC's ids. */
export interface NetworkRefs {
  readonly vpcId: string;
  readonly publicSubnetIds: readonly string[];
  readonly privateSubnetIds: readonly string[];
}

/** Properties of {@link NetworkStack}. */
export interface NetworkStackProps extends PlatformStackProps {
  readonly vpc: Omit<PrivateVpcProps, "accountId">;
  /** VPC endpoints for ECR, S3, CloudWatch Logs and SSM ({@link VpcEndpoints}). @default false */
  readonly vpcEndpoints?: boolean;
}

/** `<env>-network`: the VPC, public and private subnets, NAT. */
export class NetworkStack extends PlatformStack {
  readonly network: NetworkRefs;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const vpc = new PrivateVpc(this, "vpc", {
      ...props.vpc,
      // Only flow logs need the account: without them the stack reads none.
      accountId: props.vpc.flowLogRetentionDays === undefined ? undefined : this.accountId,
    });
    this.network = vpc;
    if (props.vpcEndpoints) {
      new VpcEndpoints(this, "vpc-endpoints", {
        namePrefix: props.vpc.namePrefix,
        region: props.target.region,
        vpcId: vpc.vpcId,
        vpcCidrBlock: vpc.cidrBlock,
        privateSubnetIds: vpc.privateSubnetIds,
        privateRouteTableIds: vpc.privateRouteTableIds,
      });
    }
    new TerraformOutput(this, "vpc_id", { value: vpc.vpcId });
    new TerraformOutput(this, "public_subnet_ids", { value: vpc.publicSubnetIds });
    new TerraformOutput(this, "private_subnet_ids", { value: vpc.privateSubnetIds });
  }
}
