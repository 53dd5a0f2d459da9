import { Token, Tokenization } from "cdktf";

/**
 * A JSON document (an IAM policy, ECS container definitions) as a Terraform
 * string whose values may be references:
 *
 *     jsonDocument({ Resource: [fileSystem.arn] })
 *
 * renders as `"{\"Resource\":[\"${aws_efs_file_system.x.arn}\"]}"`, which
 * Terraform interpolates like any other string argument.
 *
 * Why not `Fn.jsonencode`: cdktf resolves a function argument again at every
 * level of nesting, so the policies and container definitions cost about a
 * quarter of a 50-container synth (1.24 s against 0.92 s as strings,
 * interleaved runs). A string is resolved once.
 *
 * A literal `${` or `%{` (an environment variable value such as `${HOME}`)
 * is escaped as `$${` / `%%{`, so it reaches AWS unchanged. Only string
 * references can sit inside a string: a number, list or map reference is
 * refused rather than written as its placeholder.
 */
export function jsonDocument(value: unknown): string {
  return JSON.stringify(value, (key, item: unknown) => {
    if (typeof item === "string") return escapeLiterals(key, item);
    if (typeof item === "number" && Token.isUnresolved(item)) throw notAString(key);
    if (typeof item === "object" && item !== null && (Tokenization.isResolvable(item) || Object.keys(item).some(isListOrMapReference))) {
      throw notAString(key);
    }
    return item;
  });
}

// cdktf's placeholder for a string reference, e.g. `${TfToken[TOKEN.42]}`.
const STRING_REFERENCE = /(\$\{TfToken\[TOKEN\.\d+\]\})/;
const LIST_OR_MAP_REFERENCE = /[#&]\{TfToken\[/;

function escapeLiterals(key: string, text: string): string {
  if (isListOrMapReference(text)) throw notAString(key);
  return text
    .split(STRING_REFERENCE)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/([$%])\{/g, "$1$1{")))
    .join("");
}

function isListOrMapReference(text: string): boolean {
  return LIST_OR_MAP_REFERENCE.test(text);
}

function notAString(key: string): Error {
  return new Error(`jsonDocument: "${key}" is a number, list or map reference; only string references can be embedded in a JSON document`);
}
