import { ELB_LOG_DELIVERY_PRINCIPAL } from "../../modules/alb-access-logs-bucket";
import { ApplicationLoadBalancer, type ApplicationLoadBalancerProps } from "../../modules/application-load-balancer";
import { jsonDocumentOf, ref, resources, soleResource, synthConstruct, type StackJson } from "../helpers/synth";

const accessLogs = { region: "us-west-2", partition: "aws", accountId: "123456789012", expireAfterDays: 30 };
const baseProps: ApplicationLoadBalancerProps = {
  namePrefix: "shop-dev",
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"],
};
const synthAlb = (props: Partial<ApplicationLoadBalancerProps> = {}): StackJson =>
  synthConstruct((scope) => new ApplicationLoadBalancer(scope, "alb", { ...baseProps, ...props }));

const bucketPolicy = (stack: StackJson) => jsonDocumentOf(soleResource(stack, "aws_s3_bucket_policy").policy).Statement;

describe("ALB access logs (ApplicationLoadBalancer accessLogs, AlbAccessLogsBucket)", () => {
  test("off by default: no bucket, and the load balancer logs nothing", () => {
    // GIVEN / WHEN
    const stack = synthAlb();
    // THEN
    expect(resources(stack, "aws_s3_bucket")).toEqual([]);
    expect(soleResource(stack, "aws_lb")).not.toHaveProperty("access_logs");
  });

  describe("on, in a Region available before August 2022", () => {
    // GIVEN / WHEN
    const stack = synthAlb({ accessLogs });
    const bucket = resources(stack, "aws_s3_bucket")[0];
    const bucketRef = (attribute: string) => ref("aws_s3_bucket", bucket, attribute);

    test("the load balancer logs to the bucket, once its policy lets delivery write", () => {
      const lb = soleResource(stack, "aws_lb");
      expect(lb.access_logs).toEqual({ bucket: bucketRef("bucket"), enabled: true });
      expect(lb.depends_on).toEqual([`aws_s3_bucket_policy.${resources(stack, "aws_s3_bucket_policy")[0].name}`]);
    });

    test("the bucket is private, owner-enforced and encrypted with SSE-S3 (the only kind ALB delivery supports)", () => {
      expect(bucket.values.bucket_prefix.length).toBeLessThanOrEqual(37);
      expect(soleResource(stack, "aws_s3_bucket_public_access_block")).toMatchObject({
        bucket: bucketRef("id"),
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      expect(soleResource(stack, "aws_s3_bucket_ownership_controls").rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
      expect(soleResource(stack, "aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([
        { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
      ]);
    });

    test("expires log objects after expireAfterDays", () => {
      expect(soleResource(stack, "aws_s3_bucket_lifecycle_configuration").rule).toEqual([
        { id: "expire-access-logs", status: "Enabled", filter: [{ prefix: "" }], expiration: [{ days: 30 }] },
      ]);
    });

    test("only the Region's ELB account may write, and only under AWSLogs/<account>/; every non-TLS request is denied", () => {
      expect(bucketPolicy(stack)).toEqual([
        {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::797873946194:root" },
          Action: ["s3:PutObject"],
          Resource: [`${bucketRef("arn")}/AWSLogs/123456789012/*`],
        },
        {
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: ["s3:*"],
          Resource: [bucketRef("arn"), `${bucketRef("arn")}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]);
    });
  });

  test("in a Region opened since August 2022, the log delivery service principal writes instead of an account", () => {
    // GIVEN / WHEN
    const stack = synthAlb({ accessLogs: { ...accessLogs, region: "ap-southeast-5" } });
    // THEN
    expect(bucketPolicy(stack)[0].Principal).toEqual({ Service: ELB_LOG_DELIVERY_PRINCIPAL });
  });

  test("in GovCloud, the delivery account's ARN is in the stack's partition", () => {
    // GIVEN / WHEN
    const stack = synthAlb({ accessLogs: { ...accessLogs, region: "us-gov-west-1", partition: "aws-us-gov" } });
    // THEN
    expect(bucketPolicy(stack)[0].Principal).toEqual({ AWS: "arn:aws-us-gov:iam::048591011584:root" });
  });

  test("the longest name prefix still fits S3's bucket_prefix limit", () => {
    // GIVEN / WHEN
    const stack = synthAlb({ namePrefix: `${"r".repeat(24)}-${"e".repeat(16)}`, accessLogs });
    // THEN
    const prefix = soleResource(stack, "aws_s3_bucket").bucket_prefix as string;
    expect(prefix.length).toBeLessThanOrEqual(37);
    expect(prefix).toMatch(/^[a-z0-9][a-z0-9-]*-alb-logs-$/);
  });
});

describe("WAF (ApplicationLoadBalancer webAclArn)", () => {
  test("off by default: no association", () => {
    expect(resources(synthAlb(), "aws_wafv2_web_acl_association")).toEqual([]);
  });

  test("associates the web ACL with the load balancer", () => {
    // GIVEN
    const webAclArn = "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/prod/a1b2c3d4-5678-90ab-cdef-111122223333";
    // WHEN
    const stack = synthAlb({ webAclArn });
    // THEN
    expect(soleResource(stack, "aws_wafv2_web_acl_association")).toMatchObject({
      resource_arn: ref("aws_lb", resources(stack, "aws_lb")[0], "arn"),
      web_acl_arn: webAclArn,
    });
  });
});
