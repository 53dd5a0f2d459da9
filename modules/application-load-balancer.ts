import { Construct } from "constructs";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { AlbAccessLogsBucket, type AlbAccessLogsBucketProps } from "./alb-access-logs-bucket";
import { boundedName } from "./naming";

/** Properties of {@link ApplicationLoadBalancer}. */
export interface ApplicationLoadBalancerProps {
  /** Prefix of every name, e.g. `ecs-platform-dev`. */
  readonly namePrefix: string;
  readonly vpcId: string;
  /** At least two, in different availability zones. */
  readonly subnetIds: readonly string[];
  /**
   * An internal load balancer has only private addresses.
   * @default false
   */
  readonly internal?: boolean;
  /**
   * Networks allowed to reach the listeners.
   * @default ["0.0.0.0/0"]
   */
  readonly ingressCidrs?: readonly string[];
  /**
   * Listener ports opened in the security group.
   * @default [80]
   */
  readonly listenerPorts?: readonly number[];
  /** @default false */
  readonly deletionProtection?: boolean;
  /**
   * Access logs to a bucket made for them ({@link AlbAccessLogsBucket}).
   * @default - no access logs
   */
  readonly accessLogs?: Omit<AlbAccessLogsBucketProps, "namePrefix">;
  /**
   * A regional WAFv2 web ACL to associate with the load balancer.
   * @default - none
   */
  readonly webAclArn?: string;
}

/**
 * An Application Load Balancer and its security group. Listeners and routing
 * belong to the services (see {@link AlbListeners}), so that adding a service
 * never touches this stack.
 */
export class ApplicationLoadBalancer extends Construct {
  readonly arn: string;
  readonly dnsName: string;
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: ApplicationLoadBalancerProps) {
    super(scope, id);
    if (props.subnetIds.length < 2) {
      throw new Error(`ApplicationLoadBalancer: subnetIds needs subnets in at least 2 availability zones, got ${props.subnetIds.length}`);
    }
    const ingressCidrs = props.ingressCidrs ?? ["0.0.0.0/0"];
    const listenerPorts = props.listenerPorts ?? [80];

    const securityGroup = new SecurityGroup(this, "security-group", {
      name: boundedName([props.namePrefix, "alb"], 255),
      description: "Load balancer: listener ports in, dynamic host ports of the instances out",
      vpcId: props.vpcId,
      tags: { Name: `${props.namePrefix}-alb` },
    });
    this.securityGroupId = securityGroup.id;
    for (const port of listenerPorts) {
      // Keyed by value, not position: reordering the CIDRs replaces no rule.
      ingressCidrs.forEach((cidr) => {
        new VpcSecurityGroupIngressRule(this, `ingress-${port}-${cidr.replace(/[./]/g, "-")}`, {
          securityGroupId: securityGroup.id,
          description: `Listener port ${port}`,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
        });
      });
    }

    const logs = props.accessLogs && new AlbAccessLogsBucket(this, "access-logs", { ...props.accessLogs, namePrefix: props.namePrefix });
    const lb = new Lb(this, "load-balancer", {
      name: boundedName([props.namePrefix], 32),
      loadBalancerType: "application",
      internal: props.internal ?? false,
      subnets: [...props.subnetIds],
      securityGroups: [securityGroup.id],
      dropInvalidHeaderFields: true,
      enableDeletionProtection: props.deletionProtection ?? false,
      accessLogs: logs ? { bucket: logs.bucketName, enabled: true } : undefined,
      // Switching logging on checks that the bucket policy lets delivery write.
      dependsOn: logs ? [logs.policy] : undefined,
    });
    if (props.webAclArn) new Wafv2WebAclAssociation(this, "web-acl", { resourceArn: lb.arn, webAclArn: props.webAclArn });
    this.arn = lb.arn;
    this.dnsName = lb.dnsName;
  }

  /** Let the load balancer reach `securityGroupId` on a port range (its only egress). */
  allowEgressTo(id: string, securityGroupId: string, fromPort: number, toPort: number): void {
    new VpcSecurityGroupEgressRule(this, id, {
      securityGroupId: this.securityGroupId,
      description: `Targets, ports ${fromPort}-${toPort}`,
      ipProtocol: "tcp",
      fromPort,
      toPort,
      referencedSecurityGroupId: securityGroupId,
    });
  }
}
