import { readFileSync } from "node:fs";
import { join } from "node:path";
import { withVariablesTable } from "../../scripts/docs/update-readme";

const root = join(__dirname, "..", "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const scripts = Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts as Record<string, string>);

test("README.md documents every variable with its current default (run `npm run docs` after changing config/schema.ts)", () => {
  expect(readme).toBe(withVariablesTable(readme));
});

test("every `npm run <script>` the README names exists", () => {
  const named = [...readme.matchAll(/npm run ([a-z:_-]+)/g)].map((m) => m[1]);
  expect(named.length).toBeGreaterThan(0);
  for (const name of named) expect(scripts).toContain(name);
});
