import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { loadConfig } from "../../config/load-config";
import type { PlatformConfig } from "../../config/schema";
import { buildPlatform, type Platform } from "../../stacks/platform";

/** A synthesized stack: its Terraform JSON (`cdk.tf.json`). */
export interface StackJson {
  readonly terraform?: Record<string, any>;
  readonly provider?: Record<string, any[]>;
  readonly resource?: Record<string, Record<string, Record<string, any>>>;
  readonly data?: Record<string, Record<string, Record<string, any>>>;
  readonly output?: Record<string, { value: any; sensitive?: boolean }>;
}

/** A resource (or data source) of one type: its logical name and its arguments. */
export interface Found {
  readonly name: string;
  readonly values: Record<string, any>;
}

/**
 * Stand-ins for the agent and janitor bundles: the stacks only publish the
 * files. janitor.zip holds a two-line index.js (scripts/build/bundles.js writeZip).
 */
export const TEST_BUNDLES = {
  agent: join(__dirname, "..", "fixtures", "bundles", "agent.js"),
  janitorZip: join(__dirname, "..", "fixtures", "bundles", "janitor.zip"),
} as const;

/**
 * Variables of a platform that brings its own VPC (two public, two private
 * subnets) and discovery zone, with an internal ALB, for the local target:
 * the shape with the fewest resources of our own.
 */
export const EXISTING_NETWORK_LOCAL_TARGET: Readonly<Record<string, string>> = {
  TF_VAR_container_name: "a,b",
  TF_VAR_vpc_id: "vpc-0abc12345def67890",
  TF_VAR_public_subnet_ids: "subnet-0aaa1111,subnet-0bbb2222",
  TF_VAR_private_subnet_ids: "subnet-0ccc3333,subnet-0ddd4444",
  TF_VAR_discovery_zone_id: "Z0123456789ABCDEFGHIJ",
  TF_VAR_internal_elb: "true",
  TF_VAR_target: "local",
};

/** Configuration from `TF_VAR_*`-style variables and an optional config-file object. */
export function configFrom(env: Record<string, string> = {}, file?: object): PlatformConfig {
  const fullEnv = file ? { ...env, PLATFORM_CONFIG: "test-config.json" } : env;
  return loadConfig(fullEnv, () => JSON.stringify(file));
}

/** Build and synthesize the whole platform (all stacks, cross-stack wiring included). */
export function synthPlatform(config: PlatformConfig): { platform: Platform; stacks: Record<string, StackJson> } {
  const app = Testing.app();
  const platform = buildPlatform(app, config, { bundles: TEST_BUNDLES });
  try {
    return { platform, stacks: synthApp(app) };
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

/**
 * Synthesize the platform into a fresh temporary folder, as `cdktf synth`
 * would (`<outdir>/stacks/<stack>/cdk.tf.json`), for running `terraform` on
 * it. The caller removes `outdir`.
 */
export function synthPlatformToDir(config: PlatformConfig): { outdir: string; stackNames: string[] } {
  const outdir = mkdtempSync(join(tmpdir(), "platform-synth-"));
  const app = new App({ outdir, stackTraces: false });
  buildPlatform(app, config, { bundles: TEST_BUNDLES });
  app.synth();
  return { outdir, stackNames: app.node.children.map((c) => c.node.id) };
}

/** Synthesize `app` into its output folder and read back every stack's JSON. */
export function synthApp(app: App): Record<string, StackJson> {
  app.synth();
  const stacks: Record<string, StackJson> = {};
  for (const stack of app.node.children) {
    const id = (stack as TerraformStack).node.id;
    stacks[id] = JSON.parse(readFileSync(join(app.outdir, "stacks", id, "cdk.tf.json"), "utf8"));
  }
  return stacks;
}

/**
 * Synthesize one construct in a fresh stack (GIVEN/WHEN in one call). Like
 * `Testing.synthScope`, which also leaves an empty temporary folder behind per
 * call; this one writes nothing.
 */
export function synthConstruct(build: (scope: Construct) => void): StackJson {
  const app = Testing.app({ outdir: join(tmpdir(), "synth-construct-writes-nothing") });
  const stack = new TerraformStack(app, "stack");
  build(stack);
  return JSON.parse(Testing.synth(stack));
}

/** Every resource of `type` (e.g. `aws_subnet`). */
export function resources(stack: StackJson, type: string): Found[] {
  return Object.entries(stack.resource?.[type] ?? {}).map(([name, values]) => ({ name, values }));
}

/** The only resource of `type`; fails when there are none or several. */
export function soleResource(stack: StackJson, type: string): Record<string, any> {
  const found = resources(stack, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}: ${found.map((f) => f.name).join(", ")}`);
  return found[0].values;
}

/** Every data source of `type`. */
export function dataSources(stack: StackJson, type: string): Found[] {
  return Object.entries(stack.data?.[type] ?? {}).map(([name, values]) => ({ name, values }));
}

/**
 * The resource of `type` whose construct path ends with `pathSuffix` (e.g.
 * `service-b/target-group`). Construct ids are API (they become resource
 * addresses), so tests may name them; the hashed logical names they never see.
 */
export function resourceAt(stack: StackJson, type: string, pathSuffix: string): Found {
  const found = resources(stack, type).filter((r) => constructPath(r).endsWith(`/${pathSuffix}`));
  if (found.length !== 1) {
    const paths = resources(stack, type).map(constructPath);
    throw new Error(`expected one ${type} at */${pathSuffix}, found ${found.length} among: ${paths.join(", ")}`);
  }
  return found[0];
}

/**
 * The construct path of a resource, e.g. `dev-services/service-b/target-group`:
 * from cdktf's metadata, or (when `Testing.synthScope` removed it) from the
 * logical name, which is the path below the stack joined with `_` plus a hash.
 */
export function constructPath(found: Found): string {
  const recorded = found.values["//"]?.metadata?.path;
  if (typeof recorded === "string") return recorded;
  return `stack/${found.name.replace(/_[0-9A-F]{8}$/, "").split("_").join("/")}`;
}

/** The Terraform expression for an attribute of a resource: `${aws_lb.name.arn}`. */
export function ref(type: string, found: Found, attribute: string): string {
  return `\${${type}.${found.name}.${attribute}}`;
}

/** The remote-state data source through which a stack reads `fromStack`'s outputs. */
export function remoteStateOf(fromStack: string): string {
  return `data.terraform_remote_state.cross-stack-reference-input-${fromStack}.outputs.`;
}

/** Every resource type present in a stack. */
export function resourceTypes(stack: StackJson): string[] {
  return Object.keys(stack.resource ?? {});
}

/**
 * A JSON document written by modules/json-document.ts (a policy, container
 * definitions), parsed; references read `${...}` as in any other argument.
 */
export function jsonDocumentOf(value: unknown): any {
  if (typeof value !== "string") throw new Error(`expected a JSON document string, got ${JSON.stringify(value)}`);
  return JSON.parse(value);
}

/**
 * The text built by modules/terraform-text.ts: `join("", [...])` (nested
 * joins included) flattened back into one string, literal parts verbatim,
 * references as `${...}`. `value` may be wrapped in `${fn(...)}`, e.g. the
 * launch template's `${base64encode(join(...))}`.
 */
export function joinedText(value: unknown, wrapper?: string): string {
  let text = String(value);
  if (wrapper) {
    const prefix = `\${${wrapper}(`;
    if (!text.startsWith(prefix) || !text.endsWith(")}")) throw new Error(`expected \${${wrapper}(...)}, got ${text.slice(0, 80)}`);
    text = text.slice(prefix.length, -2);
  } else if (text.startsWith("${") && text.endsWith("}")) {
    text = text.slice(2, -1);
  }
  const join = /^join\("", (\[[\s\S]*\])\)$/.exec(text);
  if (!join) throw new Error(`expected join("", [...]), got ${text.slice(0, 80)}`);
  const parts = new HclExpression(join[1]).parseWhole() as unknown[];
  return parts.map((part) => (typeof part === "string" && part.startsWith('${join("", [') ? joinedText(part) : String(part))).join("");
}

/**
 * A reader for the HCL expressions cdktf writes inside `join(...)` and
 * friends: objects `{"k" = v}`, tuples, quoted strings (interpolations kept
 * verbatim), numbers, booleans, null, and bare references (returned as
 * `${reference}`, the same form cdktf uses for references in plain JSON).
 */
class HclExpression {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseWhole(): unknown {
    const value = this.value();
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail("end of expression");
    return value;
  }

  private value(): unknown {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === "{") return this.object();
    if (c === "[") return this.tuple();
    if (c === '"') return this.string();
    const rest = this.text.slice(this.pos);
    const literal = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null)(?![\w.])/.exec(rest);
    if (literal) {
      this.pos += literal[0].length;
      return JSON.parse(literal[0]);
    }
    return this.reference();
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++; // {
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === "}") return this.pos++, out;
      const key = this.value();
      this.skipSpace();
      if (this.text[this.pos] !== "=" && this.text[this.pos] !== ":") this.fail("= after an object key");
      this.pos++;
      out[String(key)] = this.value();
      this.separator("}");
    }
  }

  private tuple(): unknown[] {
    const out: unknown[] = [];
    this.pos++; // [
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === "]") return this.pos++, out;
      out.push(this.value());
      this.separator("]");
    }
  }

  private separator(close: string): void {
    this.skipSpace();
    if (this.text[this.pos] === ",") this.pos++;
    else if (this.text[this.pos] !== close) this.fail(`, or ${close}`);
  }

  private string(): string {
    let out = "";
    this.pos++; // opening quote
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail("closing quote");
      if (c === '"') return this.pos++, out;
      if (c === "\\") {
        const e = this.text[this.pos + 1];
        const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };
        if (e in simple) {
          out += simple[e];
          this.pos += 2;
        } else if (e === "u") {
          out += String.fromCharCode(parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16));
          this.pos += 6;
        } else this.fail("a known escape");
        continue;
      }
      if (this.text.startsWith("$${", this.pos) || this.text.startsWith("%%{", this.pos)) {
        out += this.text.slice(this.pos + 1, this.pos + 3);
        this.pos += 3;
        continue;
      }
      if (this.text.startsWith("${", this.pos)) {
        const end = this.matchingBrace(this.pos + 1);
        out += this.text.slice(this.pos, end + 1);
        this.pos = end + 1;
        continue;
      }
      out += c;
      this.pos++;
    }
  }

  /** A bare reference or function call, up to the next separator at depth 0. */
  private reference(): string {
    const start = this.pos;
    let depth = 0;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (depth === 0 && (c === "," || c === "}" || c === "]")) break;
      if (c === "(" || c === "[" || c === "{") depth++;
      if (c === ")" || c === "]" || c === "}") depth--;
      if (c === '"') {
        this.string();
        continue;
      }
      this.pos++;
    }
    const expression = this.text.slice(start, this.pos).trim();
    if (expression === "") this.fail("a value");
    return `\${${expression}}`;
  }

  private matchingBrace(open: number): number {
    let depth = 0;
    for (let i = open; i < this.text.length; i++) {
      if (this.text[i] === "{") depth++;
      if (this.text[i] === "}" && --depth === 0) return i;
    }
    return this.fail("closing } of an interpolation");
  }

  private skipSpace(): void {
    while (/\s/.test(this.text[this.pos] ?? "")) this.pos++;
  }

  private fail(expected: string): never {
    throw new Error(`HCL expression: expected ${expected} at ${this.pos}: ${this.text.slice(this.pos, this.pos + 40)}`);
  }
}
