import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { policyDocument, type PolicyStatement } from "./iam-documents";

/**
 * Elastic Load Balancing's log-delivery account in each Region available
 * before August 2022 (AWS: "Enable access logs for your Application Load
 * Balancer", step 2, bucket policy). Regions opened since write through the
 * service principal {@link ELB_LOG_DELIVERY_PRINCIPAL} instead.
 */
export const ELB_LOG_DELIVERY_ACCOUNTS: Readonly<Record<string, string>> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "af-south-1": "098369216593",
  "ap-east-1": "754344448648",
  "ap-southeast-3": "589379963580",
  "ap-south-1": "718504428378",
  "ap-northeast-3": "383597477331",
  "ap-northeast-2": "600734575887",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ap-northeast-1": "582318560864",
  "ca-central-1": "985666609251",
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-south-1": "635631232127",
  "eu-west-3": "009996457667",
  "eu-north-1": "897822967062",
  "me-south-1": "076674570225",
  "sa-east-1": "507241528517",
  "us-gov-west-1": "048591011584",
  "us-gov-east-1": "190560391635",
  "cn-north-1": "638102146993",
  "cn-northwest-1": "037604701340",
};

/** The service principal that delivers access logs in Regions opened since August 2022. */
export const ELB_LOG_DELIVERY_PRINCIPAL = "logdelivery.elasticloadbalancing.amazonaws.com";

/** Properties of {@link AlbAccessLogsBucket}. */
export interface AlbAccessLogsBucketProps {
  /** Prefix of the bucket's name, e.g. `ecs-platform-dev` (cut to fit S3's limits). */
  readonly namePrefix: string;
  /** The load balancer's Region: picks who delivers the logs. */
  readonly region: string;
  /** The partition deployed into, for the delivery account's ARN. */
  readonly partition: string;
  /** The load balancer's account: logs land under `AWSLogs/<accountId>/`, and only there may be written. */
  readonly accountId: string;
  /** Days after which a log object is deleted. */
  readonly expireAfterDays: number;
}

/**
 * The bucket an Application Load Balancer writes its access logs to:
 * private (public access blocked, owner-enforced), encrypted with SSE-S3
 * (the only encryption ALB log delivery supports), TLS-only, objects expired
 * after `expireAfterDays`, and writable only by Elastic Load Balancing's log
 * delivery for this account's prefix. `destroy` deletes it with its logs.
 */
export class AlbAccessLogsBucket extends Construct {
  /** The bucket's name, for the load balancer's `access_logs.bucket`. */
  readonly bucketName: string;
  /** The bucket policy: the load balancer checks it can write when logging is switched on. */
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: AlbAccessLogsBucketProps) {
    super(scope, id);
    if (!Number.isInteger(props.expireAfterDays) || props.expireAfterDays < 1) {
      throw new Error(`AlbAccessLogsBucket: expireAfterDays must be a whole number of at least 1, got ${props.expireAfterDays}`);
    }
    // S3 allows 37 characters of bucket_prefix (Terraform adds 26).
    const bucket = new S3Bucket(this, "bucket", { bucketPrefix: `${props.namePrefix.slice(0, 26).replace(/-+$/, "")}-alb-logs-`, forceDestroy: true });
    this.bucketName = bucket.bucket;
    new S3BucketPublicAccessBlock(this, "private", {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    new S3BucketLifecycleConfiguration(this, "expiry", {
      bucket: bucket.id,
      rule: [{ id: "expire-access-logs", status: "Enabled", filter: [{ prefix: "" }], expiration: [{ days: props.expireAfterDays }] }],
    });

    const account = ELB_LOG_DELIVERY_ACCOUNTS[props.region];
    const delivery: PolicyStatement = {
      principals: account ? { AWS: `arn:${props.partition}:iam::${account}:root` } : { Service: ELB_LOG_DELIVERY_PRINCIPAL },
      actions: ["s3:PutObject"],
      resources: [`${bucket.arn}/AWSLogs/${props.accountId}/*`],
    };
    this.policy = new S3BucketPolicy(this, "policy", {
      bucket: bucket.id,
      policy: policyDocument([
        delivery,
        {
          effect: "Deny",
          principals: { AWS: "*" },
          actions: ["s3:*"],
          resources: [bucket.arn, `${bucket.arn}/*`],
          conditions: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    });
  }
}
