import type { z } from "zod";
import { containerConfigSchema, platformConfigSchema } from "./schema";
import { CONTAINER_LIST_VARIABLES } from "./tf-vars";

/**
 * README.md's variables tables, rendered from the schema (descriptions and
 * defaults), so the documentation cannot drift from the code: a test checks
 * that README.md contains exactly this text.
 */
export function variablesMarkdown(): string {
  const global = Object.entries(platformConfigSchema.shape)
    .filter(([key]) => key !== "containers")
    .map(([key, schema]) => row([`\`${key}\``, `\`TF_VAR_${key}\``, defaultOf(schema as z.ZodType), describe(schema as z.ZodType)]));
  const perContainer = Object.entries(containerConfigSchema.shape).map(([field, schema]) =>
    row([`\`${field}\``, tfVarsOf(field), defaultOf(schema as z.ZodType), describe(schema as z.ZodType)]),
  );
  return [
    "| Variable (JSON key) | Environment | Default | What it does |",
    "| --- | --- | --- | --- |",
    ...global,
    "",
    "Per container (`containers[i].<field>` in the JSON file; comma-separated `TF_VAR_` lists, one value for all or one per container):",
    "",
    "| Field | Environment | Default | What it does |",
    "| --- | --- | --- | --- |",
    ...perContainer,
  ].join("\n");
}

function tfVarsOf(field: string): string {
  if (field === "name") return "`TF_VAR_container_name`";
  const names = Object.entries(CONTAINER_LIST_VARIABLES)
    .filter(([, f]) => f === field)
    .map(([name]) => `\`TF_VAR_${name}\``);
  return names.length > 0 ? names.join(" + ") : "(file only)";
}

function defaultOf(schema: z.ZodType): string {
  const result = schema.safeParse(undefined);
  if (!result.success) return "required";
  const value = result.data;
  if (value === undefined) return "derived";
  if (value === "" || (Array.isArray(value) && value.length === 0)) return "empty";
  if (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) return "empty";
  return `\`${Array.isArray(value) ? value.join(",") : String(value)}\``;
}

function describe(schema: z.ZodType): string {
  return schema.description ?? "";
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
}
