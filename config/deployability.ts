import { instanceArchitecture, familySizes, instanceTypeInfo, taskCapacity, ECS_RESERVED_MEMORY_MIB, kernelReservedMiB } from "./instance-types";

/**
 * Cross-field checks that make "synth accepts it" mean "it deploys": each
 * one refuses a configuration that Terraform, AWS or ECS would refuse (or
 * accept and never run), naming the variable, the value and the fix.
 */

/** The ECS-optimized Amazon Linux 2023 AMI for x86_64 hosts, published by AWS in SSM. */
export const X86_AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";
/** The same AMI for arm64 (Graviton) hosts. */
export const ARM64_AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id";

/** The AMI parameter for `instanceType`'s architecture, unless `amiParameter` names one. */
export function amiParameterFor(instanceType: string, amiParameter: string): string {
  if (amiParameter !== "") return amiParameter;
  return instanceArchitecture(instanceType) === "arm64" ? ARM64_AMI_PARAMETER : X86_AMI_PARAMETER;
}

/** What these checks read of the configuration. */
export interface DeployabilityInput {
  readonly aws_region: string;
  readonly target: string;
  readonly certificate_arn: string;
  readonly instance_type: string;
  readonly ami_parameter: string;
  readonly vpc_id: string;
  readonly discovery_zone_id: string;
  readonly discovery_zone_associated: boolean;
  readonly wait_for_steady_state?: boolean;
  readonly containers: readonly { readonly name: string; readonly cpu: number; readonly memory: number }[];
}

type Report = (path: (string | number)[], message: string, input: unknown) => void;

/** Report every problem of `c` that would fail at deploy time or leave a service that never runs. */
export function checkDeployability(c: DeployabilityInput, issue: Report): void {
  checkCertificateRegion(c, issue);
  checkAmiArchitecture(c, issue);
  checkTaskSizes(c, issue);
  checkZoneAssociation(c, issue);
  checkSteadyStateTarget(c, issue);
}

/** An HTTPS listener takes a certificate of its own region only (ACM certificates are regional). */
function checkCertificateRegion(c: DeployabilityInput, issue: Report): void {
  const region = /^arn:[^:]+:acm:([^:]+):/.exec(c.certificate_arn)?.[1];
  if (region && region !== c.aws_region) {
    issue(
      ["certificate_arn"],
      `is a certificate in ${region}, but the load balancer is in aws_region ${c.aws_region} and can use only certificates of its own region; request or import the certificate in ACM in ${c.aws_region} and use its ARN`,
      c.certificate_arn,
    );
  }
}

/** AWS's ECS AMI parameters name their architecture; one for the other architecture never launches. */
function checkAmiArchitecture(c: DeployabilityInput, issue: Report): void {
  if (!c.ami_parameter.startsWith("/aws/service/ecs/optimized-ami/")) return;
  const parameterArch = /\/arm64\//.test(c.ami_parameter) ? "arm64" : "x86_64";
  const hostArch = instanceArchitecture(c.instance_type);
  if (parameterArch === hostArch) return;
  issue(
    ["ami_parameter"],
    `is an ${parameterArch} AMI, but instance_type ${c.instance_type} is an ${hostArch} type, so its instances would never launch; use ${hostArch === "arm64" ? ARM64_AMI_PARAMETER : X86_AMI_PARAMETER}, or leave ami_parameter empty to have it chosen for the instance type`,
    c.ami_parameter,
  );
}

/**
 * A task larger than what one instance offers ECS is never placed: its
 * service stays in PROVISIONING. Checked for the types in the table only
 * (config/instance-types.ts).
 */
function checkTaskSizes(c: DeployabilityInput, issue: Report): void {
  const info = instanceTypeInfo(c.instance_type);
  if (!info) return;
  const capacity = taskCapacity(info);
  const kept = `${info.memoryMiB} MiB less about ${kernelReservedMiB(info.memoryMiB)} MiB the kernel keeps and ECS_RESERVED_MEMORY=${ECS_RESERVED_MEMORY_MIB} for the DNS agent and the system`;
  c.containers.forEach((container, i) => {
    const biggerType = () => {
      const fits = familySizes(c.instance_type).find((t) => {
        const cap = taskCapacity(t);
        return cap.cpuUnits >= container.cpu && cap.memoryMiB >= container.memory;
      });
      return fits ? `, or instance_type ${fits.instanceType}` : ", or a larger instance_type";
    };
    if (container.memory > capacity.memoryMiB) {
      issue(
        ["containers", i, "memory"],
        `is more than a ${c.instance_type} host offers one task (${capacity.memoryMiB} MiB: ${kept}), so the task would never be placed and service ${container.name} would stay in PROVISIONING; use at most ${capacity.memoryMiB}${biggerType()}`,
        container.memory,
      );
    }
    if (container.cpu > capacity.cpuUnits) {
      issue(
        ["containers", i, "cpu"],
        `is more than a ${c.instance_type} host has (${info.vcpus} vCPU = ${capacity.cpuUnits} CPU units), so the task would never be placed and service ${container.name} would stay in PROVISIONING; use at most ${capacity.cpuUnits}${biggerType()}`,
        container.cpu,
      );
    }
  });
}

/** Only an existing zone can already be associated with the VPC, and only an existing VPC can already hold it. */
function checkZoneAssociation(c: DeployabilityInput, issue: Report): void {
  if (!c.discovery_zone_associated) return;
  if (c.discovery_zone_id === "") {
    issue(["discovery_zone_associated"], "is true but discovery_zone_id is empty; it says that an existing zone is already associated with the VPC: set discovery_zone_id too, or set this to false", true);
  } else if (c.vpc_id === "") {
    issue(["discovery_zone_associated"], "is true but vpc_id is empty: the stack creates the VPC, so no zone can be associated with it yet; set it to false (the stack then associates the zone)", true);
  }
}

/** The emulator never reports a service's tasks as running, so a deploy that waits for it would wait for its timeout and fail. */
function checkSteadyStateTarget(c: DeployabilityInput, issue: Report): void {
  if (c.target === "local" && c.wait_for_steady_state === true) {
    issue(
      ["wait_for_steady_state"],
      "is true with target=local, but the emulator (moto) reports no ECS service's tasks as running, and local:up starts the tasks only after the deploy, so the deploy would wait 20 minutes per service and fail; leave it unset (off for target=local) or set it to false",
      true,
    );
  }
}
