import { readFileSync } from "node:fs";
import { join } from "node:path";
import { instanceArchitecture, instanceTypeInfo, taskCapacity } from "../../config/instance-types";
import { awsInstanceTypes, tableSource, TABLE_FAMILIES } from "../../scripts/docs/instance-types";

/** The instance-type table is AWS's DescribeInstanceTypes (moto's copy), regenerated, never edited. */

const aws = awsInstanceTypes();

test("config/instance-types-table.ts is what scripts/docs/instance-types.ts writes from AWS's data", () => {
  const committed = readFileSync(join(__dirname, "..", "..", "config", "instance-types-table.ts"), "utf8");
  expect(committed).toBe(tableSource(aws));
});

test.each(TABLE_FAMILIES.map((f) => [f]))("every %s size matches AWS's vCPUs, memory and architecture", (family) => {
  const types = Object.values(aws).filter((t) => t.InstanceType.split(".")[0] === family && !t.InstanceType.includes(".metal"));
  expect(types.length).toBeGreaterThan(0);
  for (const t of types) {
    expect(instanceTypeInfo(t.InstanceType)).toEqual({
      instanceType: t.InstanceType,
      vcpus: t.VCpuInfo.DefaultVCpus,
      memoryMiB: t.MemoryInfo.SizeInMiB,
      architecture: t.ProcessorInfo.SupportedArchitectures.includes("arm64") ? "arm64" : "x86_64",
    });
  }
});

test("outside the table, the architecture is read from the name, as AWS names Graviton families", () => {
  const outside = Object.values(aws).filter((t) => instanceTypeInfo(t.InstanceType) === undefined);
  const wrong = outside.filter((t) => {
    const arch = t.ProcessorInfo.SupportedArchitectures.includes("arm64") ? "arm64" : "x86_64";
    return instanceArchitecture(t.InstanceType) !== arch;
  });
  expect(outside.length).toBeGreaterThan(500);
  expect(wrong.map((t) => t.InstanceType)).toEqual([]);
});

test("a task may take the vCPUs and the memory less what the kernel and ECS_RESERVED_MEMORY keep", () => {
  expect(taskCapacity(instanceTypeInfo("t3.small")!)).toEqual({ cpuUnits: 2048, memoryMiB: 2048 - 128 - 256 });
  expect(taskCapacity(instanceTypeInfo("m7g.xlarge")!)).toEqual({ cpuUnits: 4096, memoryMiB: 16384 - 820 - 256 });
});
