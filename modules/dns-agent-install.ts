import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { policyDocument, type PolicyStatement } from "./iam-documents";
import { route53RecordStatements } from "./route53-record-statements";
import { terraformText } from "./terraform-text";

/** Where the agent is installed on the host. */
export const AGENT_PATH = "/opt/ecsdns/agent.js";
/** Its systemd unit. */
export const AGENT_UNIT = "ecsdns-agent.service";

/** Properties of {@link DnsAgentInstall}. */
export interface DnsAgentInstallProps {
  /** Prefix of every name, e.g. `ecs-platform-dev`. */
  readonly namePrefix: string;
  /** The agent's single-file bundle (dist/agent.js), built before synth. */
  readonly bundlePath: string;
  readonly zoneId: string;
  /** Without a trailing dot. */
  readonly zoneName: string;
  readonly region: string;
  readonly partition: string;
  /** @default "ecsdns" */
  readonly owner?: string;
  /** @default 10 */
  readonly ttlSeconds?: number;
  /** @default 60 */
  readonly resyncSeconds?: number;
  /**
   * Where the agent's AWS SDK sends its calls (`AWS_ENDPOINT_URL` in the
   * unit): the local emulator, for the local target.
   * @default - AWS's own endpoints
   */
  readonly awsEndpointUrl?: string;
}

/**
 * The DNS agent on every ECS instance: its bundle published content-addressed
 * (`agent/<hash>/agent.js`, so a new build changes the user data and rolls
 * out as a new launch template version), the first-boot script that installs
 * it as a hardened systemd service, and the permissions it needs (records of
 * one zone, A and SRV only; its own bundle). It runs on the host, not in a
 * container: with IMDSv2 and hop limit 1 only host processes reach the
 * instance role.
 */
export class DnsAgentInstall extends Construct {
  /** Shell lines for the instance user data (contains tokens). */
  readonly userData: string;
  /** S3 key of this build of the agent. */
  readonly bundleKey: string;
  private readonly statements: PolicyStatement[];

  constructor(scope: Construct, id: string, props: DnsAgentInstallProps) {
    super(scope, id);
    const bucket = new S3Bucket(this, "artifacts", {
      bucketPrefix: `${props.namePrefix.slice(0, 30)}-artifacts-`,
      // Holds only build outputs this stack put there.
      forceDestroy: true,
    });
    new S3BucketPublicAccessBlock(this, "artifacts-private", {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "artifacts-ownership", { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "artifacts-encryption", {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });

    const asset = new TerraformAsset(this, "bundle", { path: props.bundlePath, type: AssetType.FILE });
    this.bundleKey = `agent/${asset.assetHash}/agent.js`;
    new S3Object(this, "bundle-object", {
      bucket: bucket.id,
      key: this.bundleKey,
      source: asset.path,
      contentType: "application/javascript",
    });

    this.statements = [
      // The unit below always passes --zone-name, so the agent never reads the zone itself.
      ...route53RecordStatements({ partition: props.partition, zoneId: props.zoneId, readsZoneName: false }),
      { actions: ["s3:GetObject"], resources: [`${bucket.arn}/${this.bundleKey}`] },
    ];

    // The zone's id and name may be tokens (from the discovery stack): each one
    // an interpolation of its own, never inside a plain string (cdktf warns then).
    const settings = `--owner ${props.owner ?? "ecsdns"} --ttl ${props.ttlSeconds ?? 10} --resync-seconds ${props.resyncSeconds ?? 60}`;
    const flags = terraformText`--zone-id ${props.zoneId} --zone-name ${props.zoneName} ${settings} --deregister-on-exit --metrics-host 127.0.0.1`;
    this.userData = terraformText`
# --- ecsdns agent: Route53 A/SRV records for this host's containers ---
# Five tries, then fail: the user data then keeps this instance out of the cluster.
retry() { local attempt; for attempt in 1 2 3 4 5; do "$@" && return 0; echo "try $attempt of 5 failed: $*" >&2; sleep 10; done; return 1; }
retry dnf install -y nodejs22
command -v aws >/dev/null || retry dnf install -y awscli-2
install -d -m 0755 /opt/ecsdns
retry aws s3 cp --only-show-errors --region ${props.region} s3://${bucket.bucket}/${this.bundleKey} ${AGENT_PATH}
chmod 0644 ${AGENT_PATH}
cat > /etc/systemd/system/${AGENT_UNIT} <<'UNIT'
[Unit]
Description=ecsdns agent: Route53 A/SRV records for this host's containers
Wants=network-online.target docker.service
After=network-online.target docker.service

[Service]
Environment=AWS_REGION=${props.region}${props.awsEndpointUrl ? `\nEnvironment=AWS_ENDPOINT_URL=${props.awsEndpointUrl}` : ""}
# A small young generation keeps its memory down (bench/results/agent.md). No flag may
# turn off part of Node: --jitless, for one, turns off WebAssembly, which fetch needs.
ExecStart=/usr/bin/node-22 --max-semi-space-size=1 ${AGENT_PATH} ${flags}
Restart=always
RestartSec=2
TimeoutStopSec=30
DynamicUser=yes
SupplementaryGroups=docker
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
CapabilityBoundingSet=
MemoryMax=128M
TasksMax=64

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now ${AGENT_UNIT}
`;
  }

  /** Let the instances' role run the agent: records of the zone (A, SRV), and its bundle. */
  grantTo(roleName: string): void {
    new IamRolePolicy(this, "agent-permissions", { role: roleName, name: "ecsdns-agent", policy: policyDocument(this.statements) });
  }
}
