/**
 * The command-line toolkit of both programs (the agent and the janitor).
 *
 * A program is a table of options. One table drives parsing, `--help` and
 * the README checks, so they cannot drift apart. Each value comes from, in
 * order: the command line (`util.parseArgs`), the environment variable
 * `ECSDNS_<OPTION>` (how systemd and Lambda pass settings), the option's
 * default. Each option's zod/mini schema then checks and converts it, and
 * every problem is reported at once, naming the flag or variable and the bad
 * value, before the program touches AWS or Docker.
 */
import { parseArgs } from "node:util";
import * as z from "zod/mini";

/** One option: a `--flag` and its `ECSDNS_*` variable. */
export interface OptionSpec<S extends z.ZodMiniType = z.ZodMiniType> {
  readonly kind: "string" | "boolean";
  /** Placeholder in `--help`, e.g. `<id>`. */
  readonly valueName?: string;
  /** The default, as it would be typed. @default - none: the schema sees `undefined` */
  readonly defaultText?: string;
  readonly description: string;
  /** Checks the text (or `true`/`false` for a boolean) and converts it; its messages say what was expected. */
  readonly schema: S;
}

/** A program's options by long name (`zone-id`), in `--help` order. */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** The converted value of every option of a table. */
export type OptionValues<T extends OptionTable> = { readonly [K in keyof T]: z.output<T[K]["schema"]> };

/** A problem that involves more than one option, reported under `option`. */
export interface CrossProblem<T extends OptionTable> {
  readonly option: keyof T & string;
  readonly message: string;
}

/** A command-line program: its options and its help text. */
export interface Program<T extends OptionTable> {
  /** First line of `--help`. */
  readonly summary: string;
  /** `Usage:` lines. */
  readonly usage: readonly string[];
  readonly options: T;
  /** Lines after the options in `--help`. */
  readonly notes?: readonly string[];
  /** Rules across options, checked once every option is valid. */
  readonly crossChecks?: (values: OptionValues<T>) => readonly CrossProblem<T>[];
}

/** What {@link parseCommandLine} found. */
export type ParseResult<T extends OptionTable> =
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "ok"; readonly values: OptionValues<T> }
  | { readonly kind: "error"; readonly problems: readonly string[] };

/** `--help`, which every program has. */
const HELP_OPTION: OptionSpec = { kind: "boolean", description: "Print this help and exit.", schema: z.boolean() };

/** The environment variable of an option: `zone-id` → `ECSDNS_ZONE_ID`. */
export function envName(option: string): string {
  return `ECSDNS_${option.toUpperCase().replace(/-/g, "_")}`;
}

/** Every option of a program, `--help` included, in `--help` order. */
export function optionsOf<T extends OptionTable>(program: Program<T>): [string, OptionSpec][] {
  return [...Object.entries(program.options), ["help", HELP_OPTION]];
}

/** The `--help` text. */
export function helpText<T extends OptionTable>(program: Program<T>): string {
  const lines = [program.summary, "", ...program.usage.map((u, i) => `${i === 0 ? "Usage: " : "       "}${u}`), "", "Options (each also from the environment variable shown):"];
  for (const [name, spec] of optionsOf(program)) {
    const def = spec.defaultText ? ` [default: ${spec.defaultText}]` : "";
    lines.push(`  --${name}${spec.valueName ? ` ${spec.valueName}` : ""}`, `      ${spec.description}${def}`, `      env: ${envName(name)}`);
  }
  if (program.notes?.length) lines.push("", ...program.notes);
  return lines.join("\n");
}

/**
 * Parses the command line (without `node` and the script) and the
 * environment into the program's option values, or every problem.
 */
export function parseCommandLine<T extends OptionTable>(
  program: Program<T>,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParseResult<T> {
  const specs = optionsOf(program);
  const problems: string[] = [];
  // Not strict: node's strict mode stops at the first unknown flag, and every
  // problem is to be reported at once.
  const parsed = parseArgs({
    args: [...argv],
    options: Object.fromEntries(specs.map(([name, spec]) => [name, { type: spec.kind }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  if (parsed.values.help === true) return { kind: "help", text: helpText(program) };
  const known = new Map(specs);
  for (const token of parsed.tokens ?? []) {
    if (token.kind === "positional") problems.push(`unexpected argument ${JSON.stringify(token.value)}`);
    if (token.kind !== "option") continue;
    const spec = known.get(token.name);
    if (!spec) problems.push(`${token.rawName}: unknown flag (see --help)`);
    else if (spec.kind === "string" && token.value === undefined) problems.push(`${token.rawName}: needs a value ${spec.valueName ?? ""}`.trimEnd());
    else if (spec.kind === "boolean" && token.value !== undefined) problems.push(`${token.rawName}: takes no value (got ${JSON.stringify(token.value)})`);
  }

  const values: Record<string, unknown> = {};
  const given: Record<string, { origin: string; raw: string | boolean | undefined }> = {};
  for (const [name, spec] of Object.entries(program.options)) {
    const input = valueOf(name, spec, parsed.values[name], env, problems);
    given[name] = input;
    const result = spec.schema.safeParse(input.raw);
    if (result.success) values[name] = result.data;
    else for (const issue of result.error.issues) problems.push(`${input.origin}: ${issue.message}${got(input.raw)}`);
  }
  if (problems.length === 0 && program.crossChecks) {
    for (const { option, message } of program.crossChecks(values as OptionValues<T>)) problems.push(`${given[option].origin}: ${message}${got(given[option].raw)}`);
  }
  return problems.length > 0 ? { kind: "error", problems } : { kind: "ok", values: values as OptionValues<T> };
}

/** One option's input and where it came from: the flag, else its variable, else the default. */
function valueOf(
  name: string,
  spec: OptionSpec,
  fromFlag: string | boolean | undefined,
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
): { origin: string; raw: string | boolean | undefined } {
  // A flag of the wrong shape was reported already; fall back to the variable or the default.
  if (typeof fromFlag === (spec.kind === "boolean" ? "boolean" : "string")) return { origin: `--${name}`, raw: fromFlag };
  const variable = envName(name);
  const fromEnv = env[variable];
  if (fromEnv !== undefined && fromEnv !== "") {
    if (spec.kind === "string") return { origin: variable, raw: fromEnv };
    const b = parseBoolean(fromEnv);
    if (b === undefined) problems.push(`${variable}: expected true or false (got ${JSON.stringify(fromEnv)})`);
    return { origin: variable, raw: b ?? false };
  }
  // Neither given: name both ways to give it (the Lambda has no command line).
  if (spec.kind === "string" && spec.defaultText === undefined) return { origin: `--${name} (or ${variable})`, raw: undefined };
  return { origin: `--${name}`, raw: spec.kind === "boolean" ? false : spec.defaultText };
}

function got(raw: unknown): string {
  return raw === undefined ? "" : ` (got ${JSON.stringify(raw)})`;
}

function parseBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(t)) return true;
  if (["0", "false", "no", "off"].includes(t)) return false;
  return undefined;
}
