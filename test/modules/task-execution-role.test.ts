import { TaskExecutionRole, type TaskExecutionRoleProps } from "../../modules/task-execution-role";
import { jsonDocumentOf, ref, resources, soleResource, synthConstruct, type StackJson } from "../helpers/synth";

const trustConditions = {
  StringEquals: { "aws:SourceAccount": "123456789012" },
  ArnLike: { "aws:SourceArn": "arn:aws:ecs:us-west-2:123456789012:*" },
};
const baseProps: TaskExecutionRoleProps = {
  namePrefix: "shop-dev",
  logGroupArnPrefix: "arn:aws:logs:us-west-2:123456789012:log-group:/ecs/shop-dev/",
  trustConditions,
};

const synthRole = (props: Partial<TaskExecutionRoleProps> = {}): StackJson =>
  synthConstruct((scope) => new TaskExecutionRole(scope, "task-execution-role", { ...baseProps, ...props }));

type Statement = { Effect: string; Action: string[]; Resource: string[] };
const statements = (stack: StackJson): Statement[] => jsonDocumentOf(soleResource(stack, "aws_iam_role_policy").policy).Statement;

describe("TaskExecutionRole", () => {
  test("can be assumed only by ECS tasks of this account (source-account and source-ARN conditions)", () => {
    // GIVEN / WHEN
    const role = soleResource(synthRole(), "aws_iam_role");
    // THEN
    expect(role.name).toBe("shop-dev-task-execution");
    expect(jsonDocumentOf(role.assume_role_policy).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole", Condition: trustConditions },
    ]);
  });

  test("may pull images from ECR", () => {
    // GIVEN / WHEN
    const all = statements(synthRole());
    // THEN
    const actions = all.flatMap((s) => s.Action);
    expect(actions).toEqual(
      expect.arrayContaining(["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]),
    );
  });

  test("may write logs only to the services' log groups", () => {
    // GIVEN / WHEN
    const all = statements(synthRole());
    // THEN
    const logs = all.filter((s) => s.Action.some((a) => a.startsWith("logs:")));
    expect(logs).toEqual([
      { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: ["arn:aws:logs:us-west-2:123456789012:log-group:/ecs/shop-dev/*"] },
    ]);
  });

  test("may do nothing but pull images and write logs", () => {
    // GIVEN / WHEN
    const stack = synthRole();
    // THEN
    const actions = statements(stack).flatMap((s) => s.Action);
    for (const action of actions) expect(action).toMatch(/^(ecr:(GetAuthorizationToken|BatchCheckLayerAvailability|GetDownloadUrlForLayer|BatchGetImage)|logs:(CreateLogStream|PutLogEvents))$/);
    for (const s of statements(stack)) expect(s.Effect).toBe("Allow");
    expect(resources(stack, "aws_iam_role_policy_attachment")).toHaveLength(0);
    expect(soleResource(stack, "aws_iam_role_policy").role).toBe(ref("aws_iam_role", resources(stack, "aws_iam_role")[0], "id"));
  });
});
