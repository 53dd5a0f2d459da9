import { EncryptedFileSystem, type EncryptedFileSystemProps } from "../../modules/encrypted-file-system";
import { jsonDocumentOf, ref, resources, soleResource, synthConstruct, type StackJson } from "../helpers/synth";

const baseProps: EncryptedFileSystemProps = {
  namePrefix: "shop-dev",
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-0ccc3333", "subnet-0ddd4444", "subnet-0eee5555"],
  clientSecurityGroupId: "sg-0instances000000",
};

const synthEfs = (props: Partial<EncryptedFileSystemProps> = {}): StackJson =>
  synthConstruct((scope) => new EncryptedFileSystem(scope, "efs", { ...baseProps, ...props }));

describe("EncryptedFileSystem", () => {
  test("is encrypted at rest (the seed's was not)", () => {
    // GIVEN / WHEN
    const stack = synthEfs();
    // THEN
    expect(soleResource(stack, "aws_efs_file_system")).toMatchObject({ encrypted: true, creation_token: "shop-dev-efs" });
  });

  test("has one mount target per subnet, each behind the file system's own security group", () => {
    // GIVEN / WHEN
    const stack = synthEfs();
    // THEN
    const fileSystem = resources(stack, "aws_efs_file_system")[0];
    const group = resources(stack, "aws_security_group")[0];
    const targets = resources(stack, "aws_efs_mount_target").map((t) => t.values);
    expect(targets.map((t) => t.subnet_id).sort()).toEqual(["subnet-0ccc3333", "subnet-0ddd4444", "subnet-0eee5555"]);
    for (const t of targets) {
      expect(t.file_system_id).toBe(ref("aws_efs_file_system", fileSystem, "id"));
      expect(t.security_groups).toEqual([ref("aws_security_group", group, "id")]);
    }
  });

  test("accepts NFS (2049) only, and only from the client security group", () => {
    // GIVEN / WHEN
    const stack = synthEfs();
    // THEN
    const group = resources(stack, "aws_security_group")[0];
    expect(group.values.vpc_id).toBe("vpc-0123456789abcdef0");
    expect(group.values.ingress).toBeUndefined();
    const rule = soleResource(stack, "aws_vpc_security_group_ingress_rule");
    expect(rule).toMatchObject({
      security_group_id: ref("aws_security_group", group, "id"),
      ip_protocol: "tcp",
      from_port: 2049,
      to_port: 2049,
      referenced_security_group_id: "sg-0instances000000",
    });
    expect(rule.cidr_ipv4).toBeUndefined();
    expect(resources(stack, "aws_vpc_security_group_egress_rule")).toHaveLength(0);
  });

  test("refuses every request that is not over TLS, by a file system policy", () => {
    // GIVEN / WHEN
    const stack = synthEfs();
    // THEN
    const fileSystem = resources(stack, "aws_efs_file_system")[0];
    const policy = soleResource(stack, "aws_efs_file_system_policy");
    expect(policy.file_system_id).toBe(ref("aws_efs_file_system", fileSystem, "id"));
    expect(jsonDocumentOf(policy.policy).Statement).toEqual([
      {
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: ["*"],
        Resource: [ref("aws_efs_file_system", fileSystem, "arn")],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  test("grants nothing itself: its policy has no Allow statement", () => {
    // GIVEN / WHEN
    const stack = synthEfs();
    // THEN
    const statements = jsonDocumentOf(soleResource(stack, "aws_efs_file_system_policy").policy).Statement;
    expect(statements.filter((s: { Effect: string }) => s.Effect === "Allow")).toEqual([]);
  });
});
