/**
 * Equivalent mutants: changes that no test can tell from the original
 * because the program behaves the same. Each is disabled in the source with
 * `// Stryker disable next-line <mutator>: <reason>` and listed in
 * test/mutation/equivalent-mutants.md, one table row (file, mutator, reason)
 * each, so a reviewer sees every excluded mutant in one place. This module
 * checks that the two agree.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** Where the list lives, from the repository root. */
export const EQUIVALENT_MUTANTS_FILE = "test/mutation/equivalent-mutants.md";
/** The folders whose sources Stryker mutates. */
const SOURCE_FOLDERS = ["dns", "agent"];

/** One `file mutator` pair per disabled mutator (a comment may disable several, comma separated). */
export function disabledInSource(root: string): string[] {
  return SOURCE_FOLDERS.flatMap((folder) => tsFiles(root, join(root, folder))).flatMap((file) => {
    const path = relative(root, file);
    return [...readFileSync(file, "utf8").matchAll(/\/\/ Stryker disable next-line ([\w,]+):/g)].flatMap((m) => m[1].split(",").map((mutator) => `${path} ${mutator}`));
  });
}

/** One `file mutator` pair per row of the list's table (`| file | mutator | reason |`). */
export function listed(root: string): string[] {
  return readFileSync(join(root, EQUIVALENT_MUTANTS_FILE), "utf8")
    .split("\n")
    .map((line) => /^\|\s*`?([\w./-]+\.ts)`?\s*\|\s*`?(\w+)`?\s*\|\s*(.*?)\s*\|\s*$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && m[3].length > 0)
    .map((m) => `${m[1]} ${m[2]}`);
}

/** Every disabled mutator missing from the list and every listed one not disabled, as messages; empty when they agree. */
export function equivalentMutantMismatches(root: string): string[] {
  const inSource = disabledInSource(root).sort();
  const inList = listed(root).sort();
  const remove = (from: string[], item: string) => {
    const i = from.indexOf(item);
    if (i >= 0) from.splice(i, 1);
    return i >= 0;
  };
  const onlyInList = [...inList];
  const onlyInSource = inSource.filter((pair) => !remove(onlyInList, pair));
  return [
    ...onlyInSource.map((pair) => `${pair} is disabled in the source but not listed in ${EQUIVALENT_MUTANTS_FILE}`),
    ...onlyInList.map((pair) => `${pair} is listed in ${EQUIVALENT_MUTANTS_FILE} but not disabled in the source`),
  ];
}

function tsFiles(root: string, dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) return tsFiles(root, full);
    return entry.endsWith(".ts") ? [full] : [];
  });
}
