/**
 * How an Application Load Balancer's listener picks the rule for a request,
 * as AWS documents it: rules in priority order (lowest first), the default
 * rule last; a rule matches when each of its conditions does, and a
 * condition when any of its values does. A path pattern is matched against
 * the URL's path only (not the query string), case-sensitively, as a whole,
 * with `*` for any run of characters and `?` for exactly one.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html#path-conditions
 *
 * Pure: the local ALB (local-alb.ts) reads the rules from the emulator and
 * asks this which one a request takes.
 */

/** What a rule does with a request it matches. */
export type AlbAction =
  | { readonly type: "forward"; readonly targetGroupArns: readonly string[] }
  | { readonly type: "fixed-response"; readonly statusCode: number; readonly contentType?: string; readonly body?: string }
  | { readonly type: "redirect"; readonly statusCode: 301 | 302; readonly location: RedirectParts }
  | { readonly type: "unsupported"; readonly what: string };

/** A redirect's parts, each possibly with `#{protocol}`, `#{host}`, `#{port}`, `#{path}`, `#{query}`. */
export interface RedirectParts {
  readonly protocol: string;
  readonly host: string;
  readonly port: string;
  readonly path: string;
  readonly query: string;
}

/** One listener rule, reduced to what routing needs. */
export interface AlbRule {
  /** `undefined` for the listener's default rule (it matches everything and comes last). */
  readonly priority?: number;
  /** Conditions, all of which must match; each is a list of path patterns of which one must. */
  readonly pathConditions: readonly (readonly string[])[];
  /** Conditions of other kinds (host-header, http-header, ...): a rule with one never matches here. */
  readonly unsupportedConditions: readonly string[];
  readonly action: AlbAction;
}

/** Whether an ALB path pattern matches `path` (the URL's path, without the query string). */
export function pathPatternMatches(pattern: string, path: string): boolean {
  // Iterative glob match with backtracking on the last `*`: linear in practice, no regex built per request.
  let p = 0;
  let s = 0;
  let star = -1;
  let starMatch = 0;
  while (s < path.length) {
    if (p < pattern.length && (pattern[p] === "?" || pattern[p] === path[s])) {
      p++;
      s++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      starMatch = s;
    } else if (star >= 0) {
      p = star + 1;
      s = ++starMatch;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

/** The rule a request for `path` takes: the first by priority whose conditions all match, else the default. */
export function selectRule(rules: readonly AlbRule[], path: string): AlbRule | undefined {
  const ordered = [...rules].sort((a, b) => (a.priority ?? Infinity) - (b.priority ?? Infinity));
  return ordered.find(
    (rule) =>
      rule.priority === undefined ||
      (rule.unsupportedConditions.length === 0 && rule.pathConditions.every((values) => values.some((v) => pathPatternMatches(v, path)))),
  );
}

/**
 * A path that `rule` routes, to show and to try: `/` for the default rule;
 * else, from its first path condition, a pattern's directory (`/api/*` →
 * `/api/`) before the pattern with its wildcards dropped.
 */
export function samplePath(rule: AlbRule): string {
  if (rule.priority === undefined) return "/";
  const patterns = rule.pathConditions[0] ?? [];
  const candidates = [
    ...patterns.filter((p) => p.endsWith("/*")).map((p) => p.slice(0, -1)),
    ...patterns.map((p) => p.replace(/\*/g, "").replace(/\?/g, "a")),
  ];
  const routed = candidates.find((path) => selectRule([rule], path) === rule);
  return routed ?? candidates[0] ?? "/";
}
