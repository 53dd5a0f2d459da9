import { TaskExecutionRole, type TaskExecutionRoleProps } from "../../modules/task-execution-role";
import { jsonDocumentOf, resources, synthConstruct, type StackJson } from "../helpers/synth";

const baseProps: TaskExecutionRoleProps = {
  namePrefix: "shop-dev",
  logGroupArnPrefix: "arn:aws:logs:us-west-2:123456789012:log-group:/ecs/shop-dev/",
  trustConditions: { StringEquals: { "aws:SourceAccount": "123456789012" } },
};
const synthRole = (props: Partial<TaskExecutionRoleProps> = {}): StackJson =>
  synthConstruct((scope) => new TaskExecutionRole(scope, "task-execution-role", { ...baseProps, ...props }));
const secretsPolicy = (stack: StackJson) => resources(stack, "aws_iam_role_policy").find((p) => p.values.name === "read-container-secrets");

describe("TaskExecutionRole secrets", () => {
  test("without secrets, the role may read none (no secrets policy at all)", () => {
    // GIVEN / WHEN
    const stack = synthRole();
    // THEN
    expect(secretsPolicy(stack)).toBeUndefined();
    const actions = resources(stack, "aws_iam_role_policy").flatMap((p) => jsonDocumentOf(p.values.policy).Statement.flatMap((s: { Action: string[] }) => s.Action));
    expect(actions.filter((a: string) => /^(secretsmanager|ssm|kms):/.test(a))).toEqual([]);
  });

  test("may read exactly the secrets and parameters named: GetSecretValue on each secret (JSON key suffix dropped), GetParameters on each parameter", () => {
    // GIVEN
    const secretArns = [
      "arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/db-AbCdEf:password::",
      "arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/db-AbCdEf:username::",
      "arn:aws:ssm:us-west-2:123456789012:parameter/prod/api-key",
      "arn:aws:ssm:eu-west-1:123456789012:parameter/shared/flag",
    ];
    // WHEN
    const policy = secretsPolicy(synthRole({ secretArns }));
    // THEN
    expect(jsonDocumentOf(policy!.values.policy).Statement).toEqual([
      { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: ["arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/db-AbCdEf"] },
      {
        Effect: "Allow",
        Action: ["ssm:GetParameters"],
        Resource: ["arn:aws:ssm:eu-west-1:123456789012:parameter/shared/flag", "arn:aws:ssm:us-west-2:123456789012:parameter/prod/api-key"],
      },
    ]);
  });

  test("refuses a value that is neither a secret's full ARN nor a parameter's ARN, naming it", () => {
    // GIVEN / WHEN / THEN
    expect(() => synthRole({ secretArns: ["arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/db"] })).toThrow(
      /secretArns holds "arn:aws:secretsmanager:us-west-2:123456789012:secret:prod\/db", which is neither/,
    );
  });
});
