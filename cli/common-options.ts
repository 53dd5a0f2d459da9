/**
 * Options and value schemas that the agent and the janitor share, so that the
 * same setting is spelled, defaulted and checked the same way in both.
 */
import * as z from "zod/mini";
import { DEFAULT_OWNER, OWNER_PATTERN } from "../dns/set-identifier";
import { LOG_LEVELS } from "./logger";
import type { OptionSpec } from "./options";

/** A whole number from `min` to `max`, given as text. */
export function wholeNumber(min: number, max: number, what: string) {
  const message = `expected ${what}, a whole number ${min}-${max}`;
  return z.pipe(
    z.string().check(z.regex(/^\d{1,10}$/, message)),
    z.pipe(
      z.transform((s: string) => Number(s)),
      z.number().check(z.refine((n: number) => n >= min && n <= max, message)),
    ),
  );
}

/** A switch: off unless given. */
export function switchOption(description: string): OptionSpec<z.ZodMiniBoolean> {
  return { kind: "boolean", description, schema: z.boolean() };
}

/** `--zone-id`: required; the `/hostedzone/` prefix is dropped. */
export const ZONE_ID_OPTION = {
  kind: "string",
  valueName: "<id>",
  description: "Route53 hosted zone id (required), with or without the /hostedzone/ prefix.",
  schema: z.pipe(
    z.string({ error: "is required" }),
    z.pipe(
      z.transform((s: string) => s.replace(/^\/?hostedzone\//, "")),
      z.string().check(z.regex(/^[A-Z0-9]{1,32}$/, "expected a hosted zone id like Z0123456789ABCDEFGHIJ")),
    ),
  ),
} as const satisfies OptionSpec;

/** `--owner`: the set-identifier prefix that marks a record as this deployment's. */
export const OWNER_OPTION = {
  kind: "string",
  valueName: "<prefix>",
  defaultText: DEFAULT_OWNER,
  description: "Owner prefix of set identifiers ([a-z0-9-]{1,20}); agents and janitor of one deployment share it, and other records are never touched.",
  schema: z.string().check(z.regex(OWNER_PATTERN, "expected [a-z0-9-]{1,20}")),
} as const satisfies OptionSpec;

/** `--log-level`. */
export const LOG_LEVEL_OPTION = {
  kind: "string",
  valueName: "<level>",
  defaultText: "info",
  description: "fatal, error, warn, info, debug or trace.",
  schema: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` }),
} as const satisfies OptionSpec;
