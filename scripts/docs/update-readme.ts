/**
 * `npm run docs`: rewrite README.md's variables tables from the schema
 * (between the `variables:begin` and `variables:end` markers).
 * test/docs/readme.test.ts fails when README.md is out of date.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { variablesMarkdown } from "../../config/variables-doc";

const BEGIN = /<!-- variables:begin[^>]*-->/;
const END = "<!-- variables:end -->";

/** README text with the generated tables in place. */
export function withVariablesTable(readme: string): string {
  const begin = BEGIN.exec(readme);
  const end = readme.indexOf(END);
  if (!begin || end < begin.index) throw new Error("README.md lacks the variables:begin / variables:end markers");
  const head = readme.slice(0, begin.index + begin[0].length);
  return `${head}\n${variablesMarkdown()}\n${readme.slice(end)}`;
}

if (require.main === module) {
  const file = join(__dirname, "..", "..", "README.md");
  writeFileSync(file, withVariablesTable(readFileSync(file, "utf8")));
}
