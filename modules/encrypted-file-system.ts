import { Construct } from "constructs";
import { EfsFileSystem } from "@cdktf/provider-aws/lib/efs-file-system";
import { EfsFileSystemPolicy } from "@cdktf/provider-aws/lib/efs-file-system-policy";
import { EfsMountTarget } from "@cdktf/provider-aws/lib/efs-mount-target";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { policyDocument } from "./iam-documents";
import { boundedName } from "./naming";

/** Properties of {@link EncryptedFileSystem}. */
export interface EncryptedFileSystemProps {
  /** Prefix of every name, e.g. `ecs-platform-dev`. */
  readonly namePrefix: string;
  readonly vpcId: string;
  /** One mount target per subnet (one per availability zone). */
  readonly subnetIds: readonly string[];
  /** The only security group allowed to reach NFS (2049): the instances'. */
  readonly clientSecurityGroupId: string;
}

/**
 * An EFS file system encrypted at rest, reachable on NFS only from the
 * instances, and only over TLS (the file system policy refuses plain NFS). It
 * grants nothing itself: each task role is granted its own access point.
 */
export class EncryptedFileSystem extends Construct {
  readonly fileSystemId: string;
  readonly fileSystemArn: string;

  constructor(scope: Construct, id: string, props: EncryptedFileSystemProps) {
    super(scope, id);
    const fileSystem = new EfsFileSystem(this, "file-system", {
      encrypted: true,
      creationToken: boundedName([props.namePrefix, "efs"], 64),
      lifecyclePolicy: [{ transitionToIa: "AFTER_30_DAYS" }],
      tags: { Name: `${props.namePrefix}-efs` },
    });
    this.fileSystemId = fileSystem.id;
    this.fileSystemArn = fileSystem.arn;

    const securityGroup = new SecurityGroup(this, "security-group", {
      name: boundedName([props.namePrefix, "efs"], 255),
      description: "EFS mount targets: NFS from the ECS instances only",
      vpcId: props.vpcId,
      tags: { Name: `${props.namePrefix}-efs` },
    });
    new VpcSecurityGroupIngressRule(this, "ingress-nfs", {
      securityGroupId: securityGroup.id,
      description: "NFS from the ECS instances",
      ipProtocol: "tcp",
      fromPort: 2049,
      toPort: 2049,
      referencedSecurityGroupId: props.clientSecurityGroupId,
    });
    props.subnetIds.forEach((subnetId, i) => {
      new EfsMountTarget(this, `mount-target-${i}`, {
        fileSystemId: fileSystem.id,
        subnetId,
        securityGroups: [securityGroup.id],
      });
    });

    new EfsFileSystemPolicy(this, "policy", {
      fileSystemId: fileSystem.id,
      policy: policyDocument([
        {
          effect: "Deny",
          principals: { AWS: "*" },
          actions: ["*"],
          resources: [fileSystem.arn],
          conditions: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    });
  }
}
