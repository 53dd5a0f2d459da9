import { configFrom, dataSources, synthPlatform, type StackJson } from "../helpers/synth";

const containers = { TF_VAR_container_name: "web,api,admin", TF_VAR_container_port: "8000,8001,8002" };
const synth = (env: Record<string, string> = {}) => synthPlatform(configFrom({ ...containers, ...env })).stacks;

/** How many times a stack reads the partition and the account. */
const reads = (stack: StackJson) => ({
  partition: dataSources(stack, "aws_partition").length,
  account: dataSources(stack, "aws_caller_identity").length,
});

/** Every reference to a partition or caller-identity data source in a stack's resources. */
const references = (stack: StackJson) => [
  ...new Set(JSON.stringify(stack.resource).match(/data\.aws_(partition|caller_identity)\.[\w-]+/g) ?? []),
];

describe("the partition and the account, read once per stack", () => {
  test("each stack that needs them reads each exactly once; the others read neither", () => {
    // GIVEN / WHEN
    const stacks = synth({ TF_VAR_flow_logs: "true" });
    // THEN
    expect(Object.fromEntries(Object.entries(stacks).map(([name, stack]) => [name, reads(stack)]))).toEqual({
      // Only the flow logs' role needs the account; no ARN there needs the partition.
      "dev-network": { partition: 0, account: 1 },
      "dev-discovery": { partition: 1, account: 1 },
      "dev-cluster": { partition: 1, account: 0 },
      "dev-services": { partition: 1, account: 1 },
    });
  });

  test("the network stack without flow logs reads no account", () => {
    // GIVEN / WHEN
    const network = synth()["dev-network"];
    // THEN
    expect(reads(network)).toEqual({ partition: 0, account: 0 });
  });

  test("every resource refers to the stack's own data.aws_partition.partition and data.aws_caller_identity.account", () => {
    // GIVEN / WHEN
    const stacks = synth({ TF_VAR_flow_logs: "true", TF_VAR_janitor_health_checks: "true" });
    // THEN
    expect(Object.fromEntries(Object.entries(stacks).map(([name, stack]) => [name, references(stack).sort()]))).toEqual({
      "dev-network": ["data.aws_caller_identity.account"],
      "dev-discovery": ["data.aws_caller_identity.account", "data.aws_partition.partition"],
      "dev-cluster": ["data.aws_partition.partition"],
      "dev-services": ["data.aws_caller_identity.account", "data.aws_partition.partition"],
    });
  });
});
