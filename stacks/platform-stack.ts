import { Aspects, LocalBackend, S3Backend, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AwsProvider, type AwsProviderEndpoints } from "@cdktf/provider-aws/lib/provider";
import { PolicyChecks } from "../modules/policy-checks";

/** Where the stacks are deployed: real AWS, or the local emulator (never by accident). */
export interface DeployTarget {
  readonly kind: "aws" | "local";
  readonly region: string;
  /** Named AWS CLI profile. @default - the SDK's standard chain */
  readonly profile?: string;
  /** The emulator's URL; only with `kind: "local"`. */
  readonly localEndpoint?: string;
}

/** Remote state: an S3 bucket, or local state files when no bucket is set. */
export interface StateBackendProps {
  /** @default - local state files */
  readonly bucket?: string;
  /** @default - the deploy region */
  readonly region?: string;
  /** Keys are `<keyPrefix>/<stack name>.tfstate`. */
  readonly keyPrefix: string;
  /**
   * Absolute directory for local state files (`<stack name>.tfstate`), used
   * without a bucket. The local target keeps its state apart from a real
   * deploy's, so switching targets in one checkout can never mix them.
   * @default - cdktf's default, `terraform.<stack name>.tfstate` in the project
   */
  readonly localDirectory?: string;
}

/** What every stack of the platform is given. */
export interface PlatformStackProps {
  readonly target: DeployTarget;
  readonly state: StateBackendProps;
  /** Tags on every resource that supports them. */
  readonly tags: Readonly<Record<string, string>>;
}

/** Services the stacks call, pointed at the emulator for the local target. */
const EMULATED_SERVICES = [
  "acm", "applicationautoscaling", "autoscaling", "cloudwatch", "cloudwatchlogs", "ec2", "ecs", "efs", "elbv2", "events",
  "iam", "lambda", "route53", "s3", "scheduler", "sqs", "ssm", "sts", "wafv2",
] as const;

/**
 * A Terraform stack (one state) with the AWS provider and the backend set up.
 * The local target is only ever chosen explicitly (`target: local`), and only
 * then are endpoints and fake credentials set, so a real deploy cannot reach
 * the emulator and an emulator run cannot touch a real account.
 *
 * Every stack is checked against the platform's policy rules at synth
 * (modules/policy-checks.ts): a violation that is not suppressed with a
 * reason fails the synth.
 *
 * The stack reads the partition and the account once, on first use, and
 * passes them down: its constructs take them as props and never read them
 * themselves.
 */
export class PlatformStack extends TerraformStack {
  private partitionSource?: DataAwsPartition;
  private callerIdentity?: DataAwsCallerIdentity;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    Aspects.of(this).add(new PolicyChecks());
    const { target } = props;
    const local = target.kind === "local" ? localProviderSettings(target) : {};
    new AwsProvider(this, "aws", {
      region: target.region,
      profile: target.kind === "aws" && target.profile ? target.profile : undefined,
      defaultTags: [{ tags: { ...props.tags } }],
      ...local,
    });
    if (props.state.bucket) {
      new S3Backend(this, {
        bucket: props.state.bucket,
        key: `${props.state.keyPrefix}/${id}.tfstate`,
        region: props.state.region || target.region,
        // The state is read with the provider's credentials (as the seed's backend config did).
        profile: target.kind === "aws" && target.profile ? target.profile : undefined,
        encrypt: true,
        ...(target.kind === "local" ? localBackendSettings(target) : {}),
      });
      // Terraform's native S3 lock file (1.10+); cdktf 0.21's S3BackendConfig predates it.
      this.addOverride("terraform.backend.s3.use_lockfile", true);
    } else if (props.state.localDirectory) {
      new LocalBackend(this, { path: `${props.state.localDirectory}/${id}.tfstate` });
    }
  }

  /**
   * The partition deployed into (`aws`, `aws-cn`, ...), for ARNs: a token of
   * the stack's one `data.aws_partition.partition`, added on first use.
   */
  get partition(): string {
    this.partitionSource ??= new DataAwsPartition(this, "partition");
    return this.partitionSource.partition;
  }

  /**
   * The account deployed into, for ARNs and trust conditions: a token of the
   * stack's one `data.aws_caller_identity.account`, added on first use.
   */
  get accountId(): string {
    this.callerIdentity ??= new DataAwsCallerIdentity(this, "account");
    return this.callerIdentity.accountId;
  }
}

function localProviderSettings(target: DeployTarget) {
  if (!target.localEndpoint) throw new Error("PlatformStack: the local target needs localEndpoint");
  const endpoints: AwsProviderEndpoints = Object.fromEntries(EMULATED_SERVICES.map((s) => [s, target.localEndpoint]));
  // Never skip_requesting_account_id: without an account id the provider takes
  // same-account security groups for foreign ones and every plan shows drift
  // (scripts/emulator/README.md). STS is the emulator's, which answers one.
  return {
    accessKey: "test",
    secretKey: "test",
    skipCredentialsValidation: true,
    skipMetadataApiCheck: "true",
    s3UsePathStyle: true,
    endpoints: [endpoints],
  };
}

function localBackendSettings(target: DeployTarget) {
  return {
    accessKey: "test",
    secretKey: "test",
    endpoints: { s3: target.localEndpoint, sts: target.localEndpoint },
    usePathStyle: true,
    skipMetadataApiCheck: true,
    skipRegionValidation: true,
  };
}
