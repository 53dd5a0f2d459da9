import { dirname, join } from "node:path";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { agentHeartbeatStatement } from "./agent-heartbeat-check";
import { policyDocument, type PolicyStatement } from "./iam-documents";
import { boundedName } from "./naming";
import { suppressPolicyRule } from "./policy-checks";
import { route53RecordStatements } from "./route53-record-statements";
import { terraformText } from "./terraform-text";

/** Where the agent is installed on the host. */
export const AGENT_PATH = "/opt/ecsdns/agent.js";
/** Its systemd unit. */
export const AGENT_UNIT = "ecsdns-agent.service";
/** The agent's read-only proxy to Docker (agent/docker-proxy/), installed next to it. */
export const DOCKER_PROXY_PATH = "/opt/ecsdns/docker-proxy.js";
/** Its service unit, started by {@link DOCKER_PROXY_SOCKET_UNIT} on the agent's first connection. */
export const DOCKER_PROXY_UNIT = "ecsdns-docker-proxy.service";
/** The socket unit that owns the proxy's socket. */
export const DOCKER_PROXY_SOCKET_UNIT = "ecsdns-docker-proxy.socket";
/** Where the agent reaches Docker (`DOCKER_HOST` in its unit): the proxy, never Docker's own socket. */
export const DOCKER_PROXY_SOCKET = "/run/ecsdns-docker.sock";
/** The group that may connect to {@link DOCKER_PROXY_SOCKET}: the agent's unit only. */
export const DOCKER_PROXY_GROUP = "ecsdns-docker";
/** The unit the agent's `OnFailure=` starts: it has the Auto Scaling group replace the instance. */
export const AGENT_FAILED_UNIT = "ecsdns-agent-failed.service";
/** The script that unit runs. */
export const AGENT_FAILED_SCRIPT_PATH = "/opt/ecsdns/agent-failed.sh";

/**
 * How systemd supervises the agent (the unit's own settings; see the README's
 * "When an agent hangs or dies"):
 * - hung: the agent pings the watchdog only while its loop makes progress
 *   (agent/watchdog.ts); without a ping for `watchdogSeconds` systemd kills
 *   and restarts it, and the new agent's first pass puts the records right;
 * - dead for good: more than `startLimitBurst` starts within
 *   `startLimitIntervalSeconds` (a crash loop) leave the unit failed, and
 *   {@link AGENT_FAILED_UNIT} marks the instance unhealthy.
 */
export const AGENT_SUPERVISION = {
  watchdogSeconds: 60,
  restartSeconds: 5,
  startLimitIntervalSeconds: 600,
  startLimitBurst: 5,
  /** Start-up ends at READY=1, after the first pass; one that takes longer is hung (agent/watchdog.ts DEFAULT_MAX_PASS_MS). */
  startTimeoutSeconds: 180,
} as const;

/** How long a replaced agent bundle (a noncurrent version in the artifacts bucket) is kept. */
export const ARTIFACTS_NONCURRENT_DAYS = 30;

/** A unit that failed at least this long after its last process ended had waited to restart (`RestartSec`, at least 2 s). */
export const REFUSED_RESTART_MIN_WAIT_MS = 1000;

/**
 * Run by {@link AGENT_FAILED_UNIT}. With `Restart=always` the agent's unit
 * ends failed in two ways only: a restart that its start limit refused (dead
 * for good: act), or a stop that failed, such as a deregistration during a
 * Route53 outage (leave the instance alone; during a shutdown the handler
 * does not even start). systemd does not say which: it keeps the last run's
 * result (`exit-code`, `watchdog`, ...) when it refuses the restart, so
 * `MONITOR_SERVICE_RESULT` is never `start-limit-hit` then (seen with
 * systemd 252, the version of Amazon Linux 2023). A refused restart has at
 * least `StartLimitBurst` automatic restarts behind it and fails a
 * `RestartSec` after its last process ended; a failed stop fails as its
 * process ends. Both figures are read from systemd, so the script holds no
 * copy of the unit's settings (test/agent/integration/systemd-supervision.test.ts
 * runs both cases under systemd). The instance id comes from IMDSv2 (its
 * endpoint overridable as for the AWS SDK, for tests); the group's grace
 * period is not respected, since an agent may die within its first 300 s.
 */
export const AGENT_FAILED_SCRIPT = `#!/bin/bash
# Started by ${AGENT_FAILED_UNIT} when ${AGENT_UNIT} ends in failed (OnFailure=).
set -euo pipefail
if ! shown=$(systemctl show --property=NRestarts,StartLimitBurst,ExecMainExitTimestampMonotonic,InactiveEnterTimestampMonotonic ${AGENT_UNIT}); then
  echo "cannot read the state of ${AGENT_UNIT} from systemd: this instance stays in service" >&2
  exit 1
fi
declare -A unit=()
while IFS='=' read -r key value; do unit[$key]=$value; done <<<"$shown"
restarts=\${unit[NRestarts]:-0}
burst=\${unit[StartLimitBurst]:-1}
# A refused restart waited RestartSec after the last process ended; a failed stop did not wait.
waited_ms=$(( (\${unit[InactiveEnterTimestampMonotonic]:-0} - \${unit[ExecMainExitTimestampMonotonic]:-0}) / 1000 ))
if (( restarts < burst || waited_ms < ${REFUSED_RESTART_MIN_WAIT_MS} )); then
  echo "${AGENT_UNIT} failed (\${MONITOR_SERVICE_RESULT:-unknown}; $restarts automatic restarts, failed $waited_ms ms after its process ended) without using up its start limit: this instance stays in service"
  exit 0
fi
imds=\${AWS_EC2_METADATA_SERVICE_ENDPOINT:-http://169.254.169.254}
token=$(curl -sSf --retry 5 --max-time 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$imds/latest/api/token")
instance_id=$(curl -sSf --retry 5 --max-time 5 -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/instance-id")
echo "${AGENT_UNIT} used up its start limit ($restarts automatic restarts; last result \${MONITOR_SERVICE_RESULT:-unknown}): marking $instance_id unhealthy so that its Auto Scaling group replaces it; the DNS janitor removes its records when it terminates"
aws autoscaling set-instance-health --region "$AWS_REGION" --instance-id "$instance_id" --health-status Unhealthy --no-should-respect-grace-period
`;

/**
 * The sandbox every unit of the install runs in (the agent's and the proxy's
 * add a dynamic user), with the socket families it may use; each unit is
 * rated at most 2.0 of 10 by `systemd-analyze security`
 * (test/modules/dns-agent-units.test.ts).
 * System calls: the set systemd keeps for services, less the privileged and
 * resource-control ones; a call outside it fails with EPERM instead of
 * killing the process (Node.js tries `setrlimit` at start and carries on when
 * refused). Not set: `MemoryDenyWriteExecute=` (V8's JIT writes code);
 * `PrivateNetwork=`/`IPAddressDeny=` here (the agent reaches Route53 and
 * instance metadata over the host's network; the proxy adds them);
 * `PrivateUsers=` (the sockets' groups must keep their meaning).
 */
function sandbox(addressFamilies = "AF_UNIX AF_INET AF_INET6"): string {
  return `NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
PrivateMounts=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
ProcSubset=pid
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
RestrictAddressFamilies=${addressFamilies}
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
SystemCallErrorNumber=EPERM
UMask=0077
CapabilityBoundingSet=`;
}

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
  /**
   * The agents' full pass period (`--resync-seconds`): each pass rewrites the
   * host's records in one call, so a fleet of N hosts spends N / this
   * requests/s of the account's 10 on it.
   * @default 500 (the agent's own default: a record deleted behind its back is back within 10 minutes)
   */
  readonly resyncSeconds?: number;
  /**
   * Where the agent's AWS SDK sends its calls (`AWS_ENDPOINT_URL` in the
   * unit): the local emulator, for the local target.
   * @default - AWS's own endpoints
   */
  readonly awsEndpointUrl?: string;
  /**
   * The Docker proxy's single-file bundle (dist/docker-proxy.js), built with the agent's.
   * @default - `docker-proxy.js` next to `bundlePath`
   */
  readonly dockerProxyBundlePath?: string;
}

/**
 * The DNS agent on every ECS instance: its bundle published content-addressed
 * (`agent/<hash>/agent.js`, so a new build changes the user data and rolls
 * out as a new launch template version), the first-boot script that installs
 * it as a hardened systemd service, and the permissions it needs (records of
 * one zone, A and SRV only; its own bundle). It runs on the host, not in a
 * container: with IMDSv2 and hop limit 1 only host processes reach the
 * instance role. It reads Docker through a proxy of its own
 * ({@link DOCKER_PROXY_UNIT}, published the same way) that lets through
 * listing and inspecting containers and the event stream, nothing else: the
 * agent's unit is not in the `docker` group, whose socket is root on the host.
 */
export class DnsAgentInstall extends Construct {
  /** Shell lines for the instance user data (contains tokens). */
  readonly userData: string;
  /** S3 key of this build of the agent. */
  readonly bundleKey: string;
  /** S3 key of this build of the Docker proxy. */
  readonly dockerProxyBundleKey: string;
  private readonly statements: PolicyStatement[];

  constructor(scope: Construct, id: string, props: DnsAgentInstallProps) {
    super(scope, id);
    const bucket = new S3Bucket(this, "artifacts", {
      // The provider allows a bucket_prefix of 37 characters (63 less its 26-character suffix).
      bucketPrefix: `${boundedName([props.namePrefix, "artifacts"], 36)}-`,
      // Holds only build outputs this stack put there.
      forceDestroy: true,
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, "artifacts-private", {
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

    if (props.awsEndpointUrl?.startsWith("http:")) {
      // The emulator serves S3 over plain http only: a TLS-only policy would refuse the local
      // hosts' download of the bundle (moto enforces it). Real AWS endpoints always get it.
      suppressPolicyRule(bucket, "bucket-tls-only", `the emulator at ${props.awsEndpointUrl} serves S3 over plain http, which a TLS-only policy refuses`);
    } else {
      new S3BucketPolicy(this, "artifacts-tls-only", {
        bucket: bucket.id,
        policy: policyDocument([
          {
            effect: "Deny",
            principals: { AWS: "*" },
            actions: ["s3:*"],
            resources: [bucket.arn, `${bucket.arn}/*`],
            conditions: { Bool: { "aws:SecureTransport": "false" } },
          },
        ]),
        // The public access block must exist first, or S3 may judge the policy before it applies.
        dependsOn: [publicAccess],
      });
    }
    // A new build is a new key: Terraform deletes the old object, which versioning keeps as a
    // noncurrent version (to restore by hand) until the rule below expires it. The bundle that
    // instances download is always a current version, which no rule expires.
    const versioning = new S3BucketVersioningA(this, "artifacts-versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
    new S3BucketLifecycleConfiguration(this, "artifacts-lifecycle", {
      bucket: bucket.id,
      rule: [
        {
          id: "expire-replaced-bundles",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: ARTIFACTS_NONCURRENT_DAYS }],
          expiration: [{ expiredObjectDeleteMarker: true }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
      dependsOn: [versioning],
    });

    const asset = new TerraformAsset(this, "bundle", { path: props.bundlePath, type: AssetType.FILE });
    this.bundleKey = `agent/${asset.assetHash}/agent.js`;
    new S3Object(this, "bundle-object", {
      bucket: bucket.id,
      key: this.bundleKey,
      source: asset.path,
      contentType: "application/javascript",
    });

    const proxyAsset = new TerraformAsset(this, "docker-proxy-bundle", {
      path: props.dockerProxyBundlePath ?? join(dirname(props.bundlePath), "docker-proxy.js"),
      type: AssetType.FILE,
    });
    this.dockerProxyBundleKey = `docker-proxy/${proxyAsset.assetHash}/docker-proxy.js`;
    new S3Object(this, "docker-proxy-bundle-object", {
      bucket: bucket.id,
      key: this.dockerProxyBundleKey,
      source: proxyAsset.path,
      contentType: "application/javascript",
    });

    this.statements = [
      // The unit below always passes --zone-name, so the agent never reads the zone itself.
      ...route53RecordStatements({ partition: props.partition, zoneId: props.zoneId, readsZoneName: false }),
      { actions: ["s3:GetObject"], resources: [`${bucket.arn}/${this.bundleKey}`, `${bucket.arn}/${this.dockerProxyBundleKey}`] },
    ];

    // The zone's id and name may be tokens (from the discovery stack): each one
    // an interpolation of its own, never inside a plain string (cdktf warns then).
    const settings = `--owner ${props.owner ?? "ecsdns"} --ttl ${props.ttlSeconds ?? 10} --resync-seconds ${props.resyncSeconds ?? 500}`;
    const environment = `Environment=AWS_REGION=${props.region}${props.awsEndpointUrl ? `\nEnvironment=AWS_ENDPOINT_URL=${props.awsEndpointUrl}` : ""}`;
    const sv = AGENT_SUPERVISION;
    const startLimit = `StartLimitIntervalSec=${sv.startLimitIntervalSeconds}\nStartLimitBurst=${sv.startLimitBurst}`;
    const watchdog = `WatchdogSec=${sv.watchdogSeconds}\nTimeoutStartSec=${sv.startTimeoutSeconds}`;
    const restartSeconds = String(sv.restartSeconds);
    const flags = terraformText`--zone-id ${props.zoneId} --zone-name ${props.zoneName} ${settings} --deregister-on-exit --metrics-host 127.0.0.1`;
    this.userData = terraformText`
# --- ecsdns agent: Route53 A/SRV records for this host's containers ---
# Five tries, then fail: the user data then keeps this instance out of the cluster.
retry() { local attempt; for attempt in 1 2 3 4 5; do "$@" && return 0; echo "try $attempt of 5 failed: $*" >&2; sleep 10; done; return 1; }
retry dnf install -y nodejs22
command -v aws >/dev/null || retry dnf install -y awscli-2
install -d -m 0755 /opt/ecsdns
retry aws s3 cp --only-show-errors --region ${props.region} s3://${bucket.bucket}/${this.bundleKey} ${AGENT_PATH}
retry aws s3 cp --only-show-errors --region ${props.region} s3://${bucket.bucket}/${this.dockerProxyBundleKey} ${DOCKER_PROXY_PATH}
chmod 0644 ${AGENT_PATH} ${DOCKER_PROXY_PATH}
getent group ${DOCKER_PROXY_GROUP} >/dev/null || groupadd --system ${DOCKER_PROXY_GROUP}
cat > ${AGENT_FAILED_SCRIPT_PATH} <<'SCRIPT'
${AGENT_FAILED_SCRIPT}SCRIPT
chmod 0755 ${AGENT_FAILED_SCRIPT_PATH}
cat > /etc/systemd/system/${DOCKER_PROXY_SOCKET_UNIT} <<'UNIT'
[Unit]
Description=ecsdns agent's read-only Docker API: its socket, for the agent's group only

[Socket]
ListenStream=${DOCKER_PROXY_SOCKET}
SocketMode=0660
SocketGroup=${DOCKER_PROXY_GROUP}

[Install]
WantedBy=sockets.target
UNIT
cat > /etc/systemd/system/${DOCKER_PROXY_UNIT} <<'UNIT'
[Unit]
Description=ecsdns agent's read-only Docker API: lists and inspects containers, follows events, refuses the rest
Requires=${DOCKER_PROXY_SOCKET_UNIT}
Wants=docker.service
After=docker.service

[Service]
ExecStart=/usr/bin/node-22 --max-semi-space-size=1 ${DOCKER_PROXY_PATH} --docker-socket /var/run/docker.sock
Restart=always
RestartSec=1
DynamicUser=yes
# The one process on this host, besides root's, that speaks to Docker for the agent.
SupplementaryGroups=docker
# Docker's socket and its own are all it uses: no network at all.
PrivateNetwork=yes
IPAddressDeny=any
${sandbox("AF_UNIX")}
MemoryMax=64M
TasksMax=16
UNIT
cat > /etc/systemd/system/${AGENT_UNIT} <<'UNIT'
[Unit]
Description=ecsdns agent: Route53 A/SRV records for this host's containers
Wants=network-online.target
Requires=${DOCKER_PROXY_SOCKET_UNIT}
After=network-online.target docker.service ${DOCKER_PROXY_SOCKET_UNIT}
# A crash loop uses up the start limit: the unit then ends failed, and
# ${AGENT_FAILED_UNIT} has the Auto Scaling group replace this instance.
${startLimit}
OnFailure=${AGENT_FAILED_UNIT}

[Service]
# READY=1 after the first pass; WATCHDOG=1 while the loop makes progress (agent/watchdog.ts).
# The pings come from systemd-notify, a child of the agent: hence NotifyAccess=all.
Type=notify
NotifyAccess=all
${watchdog}
${environment}
# Docker through the proxy, which only reads (${DOCKER_PROXY_UNIT}).
Environment=DOCKER_HOST=unix://${DOCKER_PROXY_SOCKET}
# A small young generation keeps its memory down (bench/results/agent.md). No flag may
# turn off part of Node: --jitless, for one, turns off WebAssembly, which fetch needs.
ExecStart=/usr/bin/node-22 --max-semi-space-size=1 ${AGENT_PATH} ${flags}
Restart=always
RestartSec=${restartSeconds}
TimeoutStopSec=30
DynamicUser=yes
${sandbox()}
SupplementaryGroups=${DOCKER_PROXY_GROUP}
MemoryMax=128M
TasksMax=64

[Install]
WantedBy=multi-user.target
UNIT
cat > /etc/systemd/system/${AGENT_FAILED_UNIT} <<'UNIT'
[Unit]
Description=ecsdns agent failed for good: have the Auto Scaling group replace this instance
After=network-online.target

[Service]
Type=oneshot
TimeoutStartSec=120
${environment}
ExecStart=${AGENT_FAILED_SCRIPT_PATH}
# Root without capabilities: systemctl then reaches systemd over its root-only private
# socket; a dynamic user's goes through D-Bus, which refused one in a systemd 252 test.
${sandbox()}
UNIT
systemctl daemon-reload
systemctl enable --now ${DOCKER_PROXY_SOCKET_UNIT}
systemctl enable --now ${AGENT_UNIT}
`;
  }

  /**
   * Let the instances' role run the agent: records of the zone (A, SRV), its
   * bundle, marking an instance of its Auto Scaling group unhealthy
   * ({@link AGENT_FAILED_UNIT}; the action takes the group as its resource),
   * and its heartbeat to CloudWatch (namespace `ECSDNS/Agent` only).
   */
  grantTo(roleName: string, autoScalingGroupArn: string): void {
    const statements = [...this.statements, { actions: ["autoscaling:SetInstanceHealth"], resources: [autoScalingGroupArn] }];
    new IamRolePolicy(this, "agent-permissions", { role: roleName, name: "ecsdns-agent", policy: policyDocument(statements) });
    // The heartbeat (agent/heartbeat.ts), in a policy of its own so that its one Resource "*" is all the suppression covers.
    const heartbeat = new IamRolePolicy(this, "agent-heartbeat-permissions", { role: roleName, name: "ecsdns-agent-heartbeat", policy: policyDocument([agentHeartbeatStatement()]) });
    suppressPolicyRule(heartbeat, "iam-wildcard", 'cloudwatch:PutMetricData supports no resource-level permissions, so it takes Resource "*"; the cloudwatch:namespace condition keeps it to ECSDNS/Agent');
  }
}
