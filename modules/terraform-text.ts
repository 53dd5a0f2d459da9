import { Fn, Token } from "cdktf";

/**
 * Text for Terraform, written as a template literal: the literal parts are
 * kept verbatim (quotes, `$`, brackets: shell scripts need them all) and the
 * interpolations may be tokens (a bucket name, a zone id from another stack).
 *
 *     terraformText`aws s3 cp s3://${bucket.bucket}/agent.js /opt/agent.js`
 *
 * Renders as `join("", ["aws s3 cp s3://", aws_s3_bucket.x.bucket, ...])`.
 * cdktf refuses a plain string with double quotes as a function argument
 * (Fn.base64encode), and Fn.rawString alone cannot hold a token.
 */
export function terraformText(literals: TemplateStringsArray, ...values: readonly string[]): string {
  const parts: string[] = [];
  literals.forEach((literal, i) => {
    if (literal !== "") parts.push(raw(literal));
    if (i < values.length) parts.push(Token.isUnresolved(values[i]) ? values[i] : raw(values[i]));
  });
  return Fn.join("", parts);
}

/** Joins lines of {@link terraformText} (or plain strings) with newlines, ending with one. */
export function terraformLines(lines: readonly string[]): string {
  return Fn.join("", lines.flatMap((line) => [Token.isUnresolved(line) ? line : raw(line), raw("\n")]));
}

function raw(text: string): string {
  return Token.asString(Fn.rawString(text));
}
