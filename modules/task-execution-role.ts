import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { parseSecretArn } from "../config/feature-schema";
import { assumeRolePolicy, policyDocument, type PolicyStatement } from "./iam-documents";
import { boundedName } from "./naming";
import { suppressPolicyRule } from "./policy-checks";

/** Properties of {@link TaskExecutionRole}. */
export interface TaskExecutionRoleProps {
  readonly namePrefix: string;
  /** ARN prefix of the services' log groups, e.g. `arn:aws:logs:us-west-2:123456789012:log-group:/ecs/ecs-platform-dev/`. */
  readonly logGroupArnPrefix: string;
  /** Conditions on the trust policy (source account and ARN). */
  readonly trustConditions: NonNullable<Parameters<typeof assumeRolePolicy>[1]>;
  /**
   * The services' container `secrets` values (`valueFrom`): ARNs of Secrets
   * Manager secrets (optionally with ECS's JSON key suffix) or SSM parameters.
   * The role may read exactly these, and nothing else.
   * @default [] (no secret read permission at all)
   */
  readonly secretArns?: readonly string[];
}

/**
 * The role ECS itself uses to start tasks: pull images and write to the
 * services' log groups. Shared by all services; nothing a container runs
 * gets these permissions (that is the task role's job).
 */
export class TaskExecutionRole extends Construct {
  readonly arn: string;

  constructor(scope: Construct, id: string, props: TaskExecutionRoleProps) {
    super(scope, id);
    const role = new IamRole(this, "role", {
      name: boundedName([props.namePrefix, "task-execution"], 64),
      assumeRolePolicy: assumeRolePolicy("ecs-tasks.amazonaws.com", props.trustConditions),
    });
    const policy = new IamRolePolicy(this, "pull-images-and-log", {
      role: role.id,
      name: "pull-images-and-log",
      policy: policyDocument([
        { actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
        {
          actions: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
          resources: ["*"],
        },
        {
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [`${props.logGroupArnPrefix}*`],
        },
      ]),
    });
    const secretStatements = readSecretsStatements(props.secretArns ?? []);
    if (secretStatements.length > 0) {
      new IamRolePolicy(this, "read-secrets", { role: role.id, name: "read-container-secrets", policy: policyDocument(secretStatements) });
    }
    suppressPolicyRule(
      policy,
      "iam-wildcard",
      'ecr:GetAuthorizationToken supports no resource-level permissions, and images may come from any ECR repository registry_url names (as in AWS\'s AmazonECSTaskExecutionRolePolicy); the log actions name the services\' log groups',
    );
    this.arn = role.arn;
  }
}

/** GetSecretValue on the secrets and GetParameters on the parameters that `valueFroms` name. */
function readSecretsStatements(valueFroms: readonly string[]): PolicyStatement[] {
  const secrets = new Set<string>();
  const parameters = new Set<string>();
  for (const valueFrom of valueFroms) {
    const ref = parseSecretArn(valueFrom);
    if (!ref) throw new Error(`TaskExecutionRole: secretArns holds ${JSON.stringify(valueFrom)}, which is neither a Secrets Manager secret's full ARN nor an SSM parameter's ARN`);
    (ref.kind === "secretsmanager" ? secrets : parameters).add(ref.resourceArn);
  }
  const sorted = (set: Set<string>) => [...set].sort();
  return [
    ...(secrets.size > 0 ? [{ actions: ["secretsmanager:GetSecretValue"], resources: sorted(secrets) }] : []),
    ...(parameters.size > 0 ? [{ actions: ["ssm:GetParameters"], resources: sorted(parameters) }] : []),
  ];
}
