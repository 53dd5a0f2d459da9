import { jsonDocument } from "./json-document";

/** One statement of an IAM policy, in the shape our constructs need. */
export interface PolicyStatement {
  /** @default "Allow" */
  readonly effect?: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** IAM conditions, e.g. `{ StringEquals: { "aws:SourceAccount": "123456789012" } }`. */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
  /** Only for resource policies. */
  readonly principals?: Readonly<Record<string, string | readonly string[]>>;
}

/** An identity or resource policy document; values may be references ({@link jsonDocument}). */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return jsonDocument({
    Version: "2012-10-17",
    Statement: statements.map((s) => ({
      Effect: s.effect ?? "Allow",
      ...(s.principals ? { Principal: s.principals } : {}),
      Action: s.actions,
      Resource: s.resources,
      ...(s.conditions ? { Condition: s.conditions } : {}),
    })),
  });
}

/** A trust policy letting `service` (e.g. `ecs-tasks.amazonaws.com`) assume the role. */
export function assumeRolePolicy(
  service: string,
  conditions?: PolicyStatement["conditions"],
): string {
  return jsonDocument({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(conditions ? { Condition: conditions } : {}),
      },
    ],
  });
}

/** `arn:<partition>:iam::aws:policy/<name>` for an AWS-managed policy name; an ARN is kept as is. */
export function managedPolicyArn(partition: string, nameOrArn: string): string {
  return nameOrArn.startsWith("arn:") ? nameOrArn : `arn:${partition}:iam::aws:policy/${nameOrArn.replace(/^\//, "")}`;
}
