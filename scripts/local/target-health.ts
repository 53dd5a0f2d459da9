/**
 * A target group's health checks as an ALB keeps them, pure: each target's
 * state from its results, and which targets a request may go to.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
 *
 * - A newly registered target is `initial`; it must pass one health check to
 *   be considered healthy.
 * - A healthy target becomes unhealthy after UnhealthyThresholdCount
 *   consecutive failures, and an unhealthy one healthy again after
 *   HealthyThresholdCount consecutive successes.
 * - Requests go to healthy targets only; if a target group contains only
 *   unhealthy registered targets, the load balancer fails open and routes to
 *   all of them.
 */

/** A target group's health check settings (DescribeTargetGroups). */
export interface HealthCheckSettings {
  readonly path: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  /** The success codes, e.g. `200`, `200-399`, `200,202`. */
  readonly matcher: string;
}

export type TargetState = "initial" | "healthy" | "unhealthy";

/** One target's health, from its check results. */
export class TargetHealth {
  private current: TargetState = "initial";
  private streak = 0; // consecutive results that argue against the current state

  constructor(private readonly settings: Pick<HealthCheckSettings, "healthyThreshold" | "unhealthyThreshold">) {}

  get state(): TargetState {
    return this.current;
  }

  /** Records one check's result. */
  record(passed: boolean): void {
    if (this.current === "initial" && passed) {
      this.current = "healthy";
      this.streak = 0;
      return;
    }
    const against = this.current === "healthy" ? !passed : this.current === "unhealthy" ? passed : !passed;
    this.streak = against ? this.streak + 1 : 0;
    if (this.current !== "unhealthy" && !passed && this.streak >= this.settings.unhealthyThreshold) {
      this.current = "unhealthy";
      this.streak = 0;
    } else if (this.current === "unhealthy" && passed && this.streak >= this.settings.healthyThreshold) {
      this.current = "healthy";
      this.streak = 0;
    }
  }
}

/** Whether `status` is one of the matcher's success codes. */
export function matcherAccepts(matcher: string, status: number): boolean {
  return matcher.split(",").some((part) => {
    const [from, to] = part.trim().split("-").map(Number);
    return to === undefined ? status === from : status >= from && status <= to;
  });
}

/** The targets a request may go to: the healthy ones; if every target is unhealthy, all of them (fail open). */
export function routableTargets<T extends { readonly state: TargetState }>(targets: readonly T[]): T[] {
  const healthy = targets.filter((t) => t.state === "healthy");
  if (healthy.length > 0) return healthy;
  return targets.length > 0 && targets.every((t) => t.state === "unhealthy") ? [...targets] : [];
}
