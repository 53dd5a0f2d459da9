import { INSTANCE_FAMILIES } from "./instance-types-table";

/**
 * What the platform knows of EC2 instance types at synth: vCPUs, memory and
 * CPU architecture of the common families (config/instance-types-table.ts,
 * generated from AWS's DescribeInstanceTypes). An instance type outside the
 * table is not checked at synth: its tasks' sizes are then only checked by
 * ECS, which leaves a task that fits no instance in PROVISIONING; its
 * architecture is read from its name (Graviton families carry a `g` after
 * the generation: t4g, m7g, c6gn, r8gd...).
 */

/** `[architecture, { size: [vCPUs, memory MiB] }]` per family. */
export type InstanceFamilyTable = Readonly<Record<string, readonly ["x86_64" | "arm64", Readonly<Record<string, readonly [number, number]>>]>>;

/** One instance type's capacity. */
export interface InstanceTypeInfo {
  readonly instanceType: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly architecture: "x86_64" | "arm64";
}

/** The table's entry for `instanceType`, or undefined when it is not in the table. */
export function instanceTypeInfo(instanceType: string): InstanceTypeInfo | undefined {
  const [family, size] = instanceType.split(".");
  const entry = INSTANCE_FAMILIES[family];
  const capacity = entry?.[1][size];
  if (!entry || !capacity) return undefined;
  return { instanceType, vcpus: capacity[0], memoryMiB: capacity[1], architecture: entry[0] };
}

/** The sizes of `instanceType`'s family, smallest first (empty when the family is not in the table). */
export function familySizes(instanceType: string): InstanceTypeInfo[] {
  const family = instanceType.split(".")[0];
  const entry = INSTANCE_FAMILIES[family];
  if (!entry) return [];
  return Object.entries(entry[1]).map(([size, [vcpus, memoryMiB]]) => ({ instanceType: `${family}.${size}`, vcpus, memoryMiB, architecture: entry[0] }));
}

/** The CPU architecture of `instanceType`: from the table, else from its name (a1 and `<letters><digit>g…` are Graviton). */
export function instanceArchitecture(instanceType: string): "x86_64" | "arm64" {
  const known = instanceTypeInfo(instanceType);
  if (known) return known.architecture;
  const family = instanceType.split(".")[0];
  return family === "a1" || /^[a-z]+\d+g[a-z]*$/.test(family) ? "arm64" : "x86_64";
}

/**
 * Memory ECS never offers to tasks on a host, in MiB:
 * - the kernel and platform: the agent registers the memory the OS reports,
 *   less than the installed amount (an m4.large's 8192 MiB registers as 7985,
 *   AWS's "Reserving Amazon ECS Linux container instance memory"); estimated
 *   here as 5% and at least 128 MiB, on the safe side;
 * - {@link ECS_RESERVED_MEMORY_MIB}, which the user data sets for the DNS agent and the system.
 */
export function kernelReservedMiB(installedMiB: number): number {
  return Math.max(128, Math.ceil(installedMiB * 0.05));
}

/**
 * `ECS_RESERVED_MEMORY` in the instances' ECS config: kept from tasks for the
 * DNS agent (its unit's MemoryMax, 128M) and the system's own daemons (the SSM
 * agent, journald, the failure handler), so tasks cannot starve them.
 */
export const ECS_RESERVED_MEMORY_MIB = 256;

/** CPU units and MiB one task may take on an instance of this type. */
export function taskCapacity(info: InstanceTypeInfo): { cpuUnits: number; memoryMiB: number } {
  return { cpuUnits: info.vcpus * 1024, memoryMiB: info.memoryMiB - kernelReservedMiB(info.memoryMiB) - ECS_RESERVED_MEMORY_MIB };
}
