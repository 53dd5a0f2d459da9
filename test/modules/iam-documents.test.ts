import { TerraformOutput } from "cdktf";
import { assumeRolePolicy, managedPolicyArn, policyDocument } from "../../modules/iam-documents";
import { jsonDocumentOf, synthConstruct } from "../helpers/synth";

/** A document as Terraform will render it: built in a stack, read back from an output. */
const rendered = (document: () => string) =>
  jsonDocumentOf(synthConstruct((scope) => new TerraformOutput(scope, "doc", { value: document() })).output?.doc.value);

describe("managedPolicyArn", () => {
  test("turns an AWS-managed policy name into its ARN in the partition", () => {
    // GIVEN / WHEN / THEN
    expect(managedPolicyArn("aws", "AmazonDynamoDBReadOnlyAccess")).toBe("arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess");
    expect(managedPolicyArn("aws-cn", "service-role/AmazonEC2ContainerServiceforEC2Role")).toBe(
      "arn:aws-cn:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
    );
  });

  test("drops a leading slash of a policy path", () => {
    // GIVEN / WHEN / THEN
    expect(managedPolicyArn("aws", "/AmazonS3ReadOnlyAccess")).toBe("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess");
  });

  test("keeps an ARN (e.g. a customer-managed policy) as it is", () => {
    // GIVEN / WHEN / THEN
    expect(managedPolicyArn("aws", "arn:aws:iam::123456789012:policy/orders-table")).toBe("arn:aws:iam::123456789012:policy/orders-table");
  });
});

describe("policyDocument", () => {
  test("writes Allow statements by default, with Principal and Condition only when given", () => {
    // GIVEN / WHEN
    const doc = rendered(() =>
      policyDocument([
        { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] },
        { effect: "Deny", principals: { AWS: "*" }, actions: ["*"], resources: ["*"], conditions: { Bool: { "aws:SecureTransport": "false" } } },
      ]),
    );
    // THEN
    expect(doc).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b/*"] },
        { Effect: "Deny", Principal: { AWS: "*" }, Action: ["*"], Resource: ["*"], Condition: { Bool: { "aws:SecureTransport": "false" } } },
      ],
    });
  });
});

describe("assumeRolePolicy", () => {
  test("lets the service assume the role, with the conditions when given", () => {
    // GIVEN / WHEN
    const plain = rendered(() => assumeRolePolicy("ec2.amazonaws.com"));
    const conditioned = rendered(() => assumeRolePolicy("ecs-tasks.amazonaws.com", { StringEquals: { "aws:SourceAccount": "123456789012" } }));
    // THEN
    expect(plain.Statement).toEqual([{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    expect(conditioned.Statement[0].Condition).toEqual({ StringEquals: { "aws:SourceAccount": "123456789012" } });
  });
});
