import { readFileSync } from "node:fs";
import type { z } from "zod";
import { ConfigError, type ConfigProblem } from "./config-error";
import { platformConfigSchema, type PlatformConfig } from "./schema";
import {
  applyContainerLists,
  CONTAINER_LIST_VARIABLES,
  containersFromNames,
  readScalar,
  type Provenance,
  type ScalarKind,
} from "./tf-vars";

/** Names the JSON config file; unset means defaults and `TF_VAR_*` only. */
export const CONFIG_FILE_VARIABLE = "PLATFORM_CONFIG";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Load the platform's configuration. Sources, later wins: the schema's
 * defaults → the JSON file named by `PLATFORM_CONFIG` → `TF_VAR_<name>`.
 *
 * @throws ConfigError listing every problem at once, each naming the variable
 *   (or file and key) and the value.
 */
export function loadConfig(env: Env, readFile: (path: string) => string = (p) => readFileSync(p, "utf8")): PlatformConfig {
  const problems: ConfigProblem[] = [];
  const provenance: Provenance = new Map();
  const filePath = env[CONFIG_FILE_VARIABLE];
  const file = filePath ? readConfigFile(filePath, readFile, problems) : {};
  const raw: Record<string, unknown> = { ...file };

  for (const [key, kind] of Object.entries(scalarKinds())) {
    const text = env[`TF_VAR_${key}`];
    if (text === undefined) continue;
    const value = readScalar(`TF_VAR_${key}`, text, kind, problems);
    if (value === undefined) continue;
    raw[key] = value;
    provenance.set(key, `TF_VAR_${key}`);
  }
  problems.push(...unknownTfVars(env));

  const fileContainers = Array.isArray(file.containers) ? (structuredClone(file.containers) as Record<string, unknown>[]) : [];
  const namesVar = env.TF_VAR_container_name;
  const containers = namesVar !== undefined ? containersFromNames(namesVar, fileContainers, provenance, problems) : fileContainers;
  if (namesVar !== undefined) provenance.set("containers", "TF_VAR_container_name");
  applyContainerLists(env, containers, provenance, problems);
  raw.containers = containers;

  const parsed = platformConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const describe = (path: readonly PropertyKey[]) => describePath(path, provenance, filePath, file);
    for (const issue of parsed.error.issues) {
      const problem = toProblem(issue, describe);
      // A problem with the whole list shows the string the user typed, not the parsed list.
      const isWholeList = issue.path.length === 1 && issue.path[0] === "containers" && namesVar !== undefined;
      problems.push(isWholeList ? { ...problem, value: namesVar } : problem);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(uniqueProblems(problems));
  return deepFreeze(parsed.data);
}

function readConfigFile(path: string, readFile: (path: string) => string, problems: ConfigProblem[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFile(path);
  } catch (e) {
    problems.push({ variable: CONFIG_FILE_VARIABLE, value: path, message: `cannot be read: ${(e as Error).message}` });
    return {};
  }
  try {
    const json: unknown = JSON.parse(text);
    if (json !== null && typeof json === "object" && !Array.isArray(json)) return json as Record<string, unknown>;
    problems.push({ variable: CONFIG_FILE_VARIABLE, value: path, message: "must contain a JSON object" });
  } catch (e) {
    problems.push({ variable: CONFIG_FILE_VARIABLE, value: path, message: `is not valid JSON: ${(e as Error).message}` });
  }
  return {};
}

/** Every top-level variable but `containers`, with how its `TF_VAR_` string is read. */
export function scalarKinds(): Record<string, ScalarKind> {
  const kinds: Record<string, ScalarKind> = {};
  for (const [key, schema] of Object.entries(platformConfigSchema.shape)) {
    if (key === "containers") continue;
    kinds[key] = kindOf(schema as z.ZodType);
  }
  return kinds;
}

function kindOf(schema: z.ZodType): ScalarKind {
  let s = schema;
  while (s._zod.def.type === "default" || s._zod.def.type === "optional") {
    s = (s._zod.def as unknown as { innerType: z.ZodType }).innerType;
  }
  switch (s._zod.def.type) {
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "array":
      return "list";
    default:
      return "string";
  }
}

/** Every `TF_VAR_*` the platform accepts. */
export function knownTfVarNames(): string[] {
  return [...Object.keys(scalarKinds()), "container_name", ...Object.keys(CONTAINER_LIST_VARIABLES)].map((n) => `TF_VAR_${n}`);
}

/** Variables that were replaced, and what to set instead: refused with that advice rather than silently ignored. */
const REPLACED_TF_VARS: Readonly<Record<string, string>> = {
  TF_VAR_janitor_health_check_path:
    "was replaced by TF_VAR_janitor_health_checks=true: the janitor now probes only the services that ask for it, each at its own path (SERVICE_CHECK_HTTP; the platform's containers at their health_check)",
};

function unknownTfVars(env: Env): ConfigProblem[] {
  const known = knownTfVarNames();
  return Object.keys(env)
    .filter((name) => name.startsWith("TF_VAR_") && !known.includes(name))
    .sort()
    .map((name) => {
      const replaced = REPLACED_TF_VARS[name];
      if (replaced) return { variable: name, value: env[name], message: replaced };
      const guess = closest(name, known);
      return {
        variable: name,
        value: env[name],
        message: `is not a variable of this platform${guess ? `; did you mean ${guess}?` : ""}`,
      };
    });
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/** `containers.1.port` → `TF_VAR_container_port (value 2 of 3)`, `cfg.json: containers[1].port` or `containers[1].port`. */
function describePath(path: readonly PropertyKey[], provenance: Provenance, filePath: string | undefined, file: Record<string, unknown>): string {
  for (let n = path.length; n > 0; n--) {
    const source = provenance.get(path.slice(0, n).join("."));
    if (source) return source;
  }
  const jsonPath = path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), "");
  const top = path[0];
  if (filePath && typeof top === "string" && top in file) return `${filePath}: ${jsonPath}`;
  if (path.length === 0) return filePath ?? "configuration";
  return path.length === 1 ? `${jsonPath} (default)` : jsonPath;
}

function toProblem(issue: z.core.$ZodIssue, describe: (path: readonly PropertyKey[]) => string): ConfigProblem {
  if (issue.code === "unrecognized_keys") {
    return {
      variable: describe(issue.path),
      value: issue.keys,
      message: `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}; see the variables table in README.md`,
    };
  }
  return { variable: describe(issue.path), value: issue.input, message: issue.message };
}

/** One value given for every container fails once, not once per container. */
function uniqueProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = JSON.stringify([p.variable, p.value, p.message]);
    return !seen.has(key) && (seen.add(key), true);
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
