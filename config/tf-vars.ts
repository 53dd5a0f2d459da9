import type { ConfigProblem } from "./config-error";

/**
 * The seed's Jenkins job passes its parameters as `TF_VAR_<name>` strings;
 * per-container values are comma-separated, position i for container i. This
 * file turns those strings into typed values and reports every string it
 * cannot read, naming the variable and the value.
 */

/** How a scalar variable's string is read. */
export type ScalarKind = "string" | "number" | "boolean" | "list";

/** Where each setting came from, by path (`containers.2.port`), for error messages. */
export type Provenance = Map<string, string>;

/** Per-container variables (besides `container_name`) and the container field each sets. */
export const CONTAINER_LIST_VARIABLES = {
  container_port: "port",
  desired_count: "desired_count",
  version_tag: "version_tag",
  namespace: "namespace",
  container_image: "image",
  health_check: "health_check",
  container_cpu: "cpu",
  container_memory: "memory",
  env_key: "env",
  env_value: "env",
  add_aws_policy: "aws_policies",
  aws_policy: "aws_policies",
  discovery: "discovery",
  discovery_name: "discovery_name",
} as const;

const NUMERIC_CONTAINER_FIELDS = new Set(["port", "desired_count", "cpu", "memory"]);
const BOOLEAN_CONTAINER_FIELDS = new Set(["discovery"]);

type RawContainer = Record<string, unknown> & { name?: unknown };

const tfVar = (name: string) => `TF_VAR_${name}`;

/** Read one scalar string as its kind; `undefined` (with a problem) when it cannot be read. */
export function readScalar(
  variable: string,
  raw: string,
  kind: ScalarKind,
  problems: ConfigProblem[],
): unknown {
  const text = raw.trim();
  switch (kind) {
    case "string":
      return text;
    case "list":
      return text === "" ? [] : text.split(",").map((s) => s.trim());
    case "boolean": {
      const b = parseBoolean(text);
      if (b === undefined) problems.push({ variable, value: raw, message: "must be true or false" });
      return b;
    }
    case "number": {
      const n = parseWholeNumber(text);
      if (n === undefined) problems.push({ variable, value: raw, message: "must be a whole number" });
      return n;
    }
  }
}

function parseBoolean(text: string): boolean | undefined {
  const t = text.toLowerCase();
  if (t === "true") return true;
  if (t === "false") return false;
  return undefined;
}

function parseWholeNumber(text: string): number | undefined {
  return /^-?\d+$/.test(text) ? Number(text) : undefined;
}

/** Split a comma-separated per-container list into trimmed items. */
export function splitList(raw: string): string[] {
  return raw.split(",").map((s) => s.trim());
}

/**
 * Build the container list from `TF_VAR_container_name`, keeping each named
 * container's structured settings from the config file (matched by name).
 */
export function containersFromNames(
  raw: string,
  fileContainers: readonly RawContainer[],
  provenance: Provenance,
  problems: ConfigProblem[],
): RawContainer[] {
  const variable = tfVar("container_name");
  const names = splitList(raw);
  return names.flatMap((name, i) => {
    if (name === "") {
      problems.push({ variable, value: raw, message: `value ${i + 1} is empty; every container needs a name` });
      return [];
    }
    provenance.set(`containers.${i}.name`, variable);
    const fromFile = fileContainers.find((c) => c.name === name);
    return [{ ...(fromFile ?? {}), name }];
  });
}

/**
 * Apply the per-container `TF_VAR_*` lists onto `containers` (in place). A list
 * must have one value (for every container) or exactly one per container: the
 * seed wrapped shorter lists around silently, which shifted values onto the
 * wrong containers; this refuses instead.
 */
export function applyContainerLists(
  env: Readonly<Record<string, string | undefined>>,
  containers: RawContainer[],
  provenance: Provenance,
  problems: ConfigProblem[],
): void {
  const lists = new Map<string, string[]>();
  for (const name of Object.keys(CONTAINER_LIST_VARIABLES)) {
    const raw = env[tfVar(name)];
    if (raw === undefined) continue;
    const items = splitList(raw);
    if (containers.length === 0) {
      problems.push({
        variable: tfVar(name),
        value: raw,
        message: "is set but no containers are named; set TF_VAR_container_name or containers in the config file",
      });
    } else if (items.length !== 1 && items.length !== containers.length) {
      problems.push({
        variable: tfVar(name),
        value: raw,
        message:
          `has ${items.length} values but there are ${containers.length} containers (${containers.map((c) => c.name).join(",")}); ` +
          `give one value for all containers or exactly ${containers.length}`,
      });
    } else {
      lists.set(name, items);
    }
  }
  const itemFor = (name: string, i: number) => {
    const items = lists.get(name);
    return items && (items.length === 1 ? items[0] : items[i]);
  };
  const where = (name: string, i: number) => {
    const items = lists.get(name) ?? [];
    return items.length <= 1 ? tfVar(name) : `${tfVar(name)} (value ${i + 1} of ${items.length}, container ${String(containers[i].name)})`;
  };

  containers.forEach((container, i) => {
    for (const [name, field] of Object.entries(CONTAINER_LIST_VARIABLES)) {
      if (field === "env" || field === "aws_policies") continue;
      const item = itemFor(name, i);
      if (item === undefined || item === "") continue; // empty item: keep the default, as the seed's `,products`
      if (NUMERIC_CONTAINER_FIELDS.has(field)) {
        const n = parseWholeNumber(item);
        if (n === undefined) {
          problems.push({ variable: where(name, i), value: item, message: "must be a whole number" });
          continue;
        }
        container[field] = n;
      } else if (BOOLEAN_CONTAINER_FIELDS.has(field)) {
        const b = parseBoolean(item);
        if (b === undefined) {
          problems.push({ variable: where(name, i), value: item, message: "must be true or false" });
          continue;
        }
        container[field] = b;
      } else {
        container[field] = item;
      }
      provenance.set(`containers.${i}.${field}`, where(name, i));
    }
    applyEnvPair(container, i, itemFor, where, provenance, problems);
    applyManagedPolicy(container, i, itemFor, where, provenance, problems);
  });
}

type ItemFor = (name: string, i: number) => string | undefined;
type Where = (name: string, i: number) => string;

/** `env_key[i]=env_value[i]` adds one environment variable; an empty key adds none. */
function applyEnvPair(container: RawContainer, i: number, itemFor: ItemFor, where: Where, provenance: Provenance, problems: ConfigProblem[]): void {
  const key = itemFor("env_key", i);
  const value = itemFor("env_value", i);
  if (key === undefined || key === "") {
    if (value !== undefined && value !== "") {
      problems.push({ variable: where("env_value", i), value, message: "has no env_key to go with it" });
    }
    return;
  }
  container.env = { ...(container.env as Record<string, string> | undefined), [key]: value ?? "" };
  provenance.set(`containers.${i}.env`, where("env_key", i));
}

/**
 * As in the seed, `aws_policy[i]` is attached only when `add_aws_policy[i]` is
 * true; when `add_aws_policy` is given it decides the container's managed policies.
 */
function applyManagedPolicy(container: RawContainer, i: number, itemFor: ItemFor, where: Where, provenance: Provenance, problems: ConfigProblem[]): void {
  const addRaw = itemFor("add_aws_policy", i);
  if (addRaw === undefined || addRaw === "") return;
  const add = parseBoolean(addRaw);
  if (add === undefined) {
    problems.push({ variable: where("add_aws_policy", i), value: addRaw, message: "must be true or false" });
    return;
  }
  const policy = itemFor("aws_policy", i) ?? "";
  if (add && policy === "") {
    problems.push({
      variable: where("aws_policy", i),
      value: policy,
      message: "is empty while add_aws_policy is true; name a managed policy such as AmazonDynamoDBReadOnlyAccess",
    });
    return;
  }
  container.aws_policies = add ? [policy] : [];
  provenance.set(`containers.${i}.aws_policies`, add ? where("aws_policy", i) : where("add_aws_policy", i));
}
