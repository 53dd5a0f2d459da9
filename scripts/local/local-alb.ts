/**
 * The platform's Application Load Balancer, served on 127.0.0.1: the
 * emulator has the load balancer, its listeners, rules and target groups,
 * but nothing answers at its DNS name. This reads them through the ELBv2 API
 * (again every few seconds, so a new deploy or new targets show up), applies
 * the routing listener's rules (alb-rules.ts), health-checks every
 * registered target with its target group's settings (target-health.ts) and
 * forwards each request to a healthy target, round robin.
 *
 * The routing listener is the one whose default action forwards: with a
 * certificate, HTTP only redirects to HTTPS, and the HTTPS listener's rules
 * are served here over plain HTTP.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type Action,
  type ElasticLoadBalancingV2Client,
  type Listener,
  type RedirectActionConfig,
  type Rule,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { selectRule, type AlbAction, type AlbRule } from "./alb-rules";
import { matcherAccepts, routableTargets, TargetHealth, type HealthCheckSettings, type TargetState } from "./target-health";

/** Settings of {@link startLocalAlb}. */
export interface LocalAlbProps {
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly loadBalancerArn: string;
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** Where instance targets' ports answer from this machine (the instance's local-ipv4 here). */
  readonly instanceAddress: string;
  /** How often the rules and targets are read again. @default 2000 */
  readonly refreshMs?: number;
  readonly log: (line: string) => void;
}

/** A running local ALB. */
export interface LocalAlb {
  readonly url: string;
  close(): Promise<void>;
}

/** A registered target and its health checks. */
class CheckedTarget {
  readonly health: TargetHealth;
  timer?: NodeJS.Timeout;

  constructor(
    readonly id: string,
    readonly port: number,
    settings: HealthCheckSettings,
  ) {
    this.health = new TargetHealth(settings);
  }

  get state(): TargetState {
    return this.health.state;
  }
}

interface TargetGroup {
  readonly name: string;
  readonly settings: HealthCheckSettings;
  readonly targets: Map<string, CheckedTarget>;
  next: number;
}

/** Starts serving; resolves once the rules were read and the port listens. */
export async function startLocalAlb(props: LocalAlbProps): Promise<LocalAlb> {
  let rules: AlbRule[] = [];
  const groups = new Map<string, TargetGroup>();
  let refreshing = false;

  const check = (group: TargetGroup, target: CheckedTarget) => {
    const request = http.get(
      { host: props.instanceAddress, port: target.port, path: group.settings.path, headers: { "user-agent": "ELB-HealthChecker/2.0" }, timeout: group.settings.timeoutMs, agent: false },
      (response) => {
        response.resume();
        target.health.record(matcherAccepts(group.settings.matcher, response.statusCode ?? 0));
      },
    );
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", () => target.health.record(false));
  };

  const refresh = async () => {
    if (refreshing) return;
    refreshing = true;
    try {
      rules = await routingRules(props.elbv2, props.loadBalancerArn);
      const { TargetGroups = [] } = await props.elbv2.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: props.loadBalancerArn }));
      for (const tg of TargetGroups) {
        const settings: HealthCheckSettings = {
          path: tg.HealthCheckPath ?? "/",
          intervalMs: (tg.HealthCheckIntervalSeconds ?? 30) * 1000,
          timeoutMs: (tg.HealthCheckTimeoutSeconds ?? 5) * 1000,
          healthyThreshold: tg.HealthyThresholdCount ?? 5,
          unhealthyThreshold: tg.UnhealthyThresholdCount ?? 2,
          matcher: tg.Matcher?.HttpCode ?? "200",
        };
        let group = groups.get(tg.TargetGroupArn!);
        if (!group) groups.set(tg.TargetGroupArn!, (group = { name: tg.TargetGroupName!, settings, targets: new Map(), next: 0 }));
        const { TargetHealthDescriptions = [] } = await props.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
        const registered = new Set<string>();
        for (const { Target: t } of TargetHealthDescriptions) {
          const key = `${t!.Id}:${t!.Port ?? tg.Port}`;
          registered.add(key);
          if (group.targets.has(key)) continue;
          const target = new CheckedTarget(t!.Id!, t!.Port ?? tg.Port!, settings);
          const g = group;
          check(g, target); // a registered target is checked at once, then every interval
          target.timer = setInterval(() => check(g, target), settings.intervalMs).unref();
          group.targets.set(key, target);
        }
        for (const [key, target] of group.targets) {
          if (registered.has(key)) continue;
          clearInterval(target.timer);
          group.targets.delete(key);
        }
      }
    } catch (error) {
      props.log(`alb: cannot read the load balancer from the emulator: ${(error as Error).message}`);
    } finally {
      refreshing = false;
    }
  };

  await refresh();
  const refresher = setInterval(() => void refresh(), props.refreshMs ?? 2000).unref();

  const server = http.createServer((req, res) => {
    const started = Date.now();
    const path = (req.url ?? "/").split("?")[0];
    const rule = selectRule(rules, path);
    const done = (status: number, where: string) => props.log(`alb: ${req.method} ${req.url} -> ${where} ${status} ${Date.now() - started}ms`);
    const reply = (status: number, body: string, where: string) => {
      res.writeHead(status, { "content-type": "text/plain" }).end(body);
      done(status, where);
    };
    if (!rule) return reply(503, "no listener rule\n", "no rule");
    const action = rule.action;
    if (action.type === "fixed-response") {
      res.writeHead(action.statusCode, { "content-type": action.contentType ?? "text/plain" }).end(action.body ?? "");
      return done(action.statusCode, "fixed-response");
    }
    if (action.type === "redirect") {
      res.writeHead(action.statusCode, { location: redirectLocation(action.location, req, props) }).end();
      return done(action.statusCode, "redirect");
    }
    if (action.type === "unsupported") return reply(501, `the local ALB does not serve ${action.what}\n`, action.what);
    const group = groups.get(action.targetGroupArns[0]);
    const targets = group ? routableTargets([...group.targets.values()]) : [];
    if (!group || targets.length === 0) return reply(503, "no healthy target\n", group?.name ?? "unknown target group");
    const target = targets[group.next++ % targets.length];
    const where = `${group.name} ${props.instanceAddress}:${target.port}`;
    const forwarded = req.socket.remoteAddress ?? "127.0.0.1";
    const upstream = http.request(
      {
        host: props.instanceAddress,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: {
          ...req.headers,
          "x-forwarded-for": req.headers["x-forwarded-for"] ? `${String(req.headers["x-forwarded-for"])}, ${forwarded}` : forwarded,
          "x-forwarded-proto": "http",
          "x-forwarded-port": String((server.address() as AddressInfo).port),
        },
        timeout: 60_000, // the ALB's default idle timeout
        agent: false,
      },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
        response.on("end", () => done(response.statusCode ?? 502, where));
      },
    );
    upstream.on("timeout", () => upstream.destroy(new Error("timeout")));
    upstream.on("error", (error) => {
      if (!res.headersSent) reply(error.message === "timeout" ? 504 : 502, `${error.message}\n`, where);
      else res.destroy();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(props.port, "127.0.0.1", () => resolve());
  });

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(refresher);
        for (const g of groups.values()) for (const t of g.targets.values()) clearInterval(t.timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The rules of the load balancer's routing listener (the one whose default action forwards), read from the emulator. */
export async function routingRules(elbv2: ElasticLoadBalancingV2Client, loadBalancerArn: string): Promise<AlbRule[]> {
  const listener = routingListener((await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }))).Listeners ?? []);
  return listener ? (await allRules(elbv2, listener.ListenerArn!)).map(toAlbRule) : [];
}

/** The listener whose default action forwards (HTTP, or HTTPS when HTTP redirects to it). */
function routingListener(listeners: readonly Listener[]): Listener | undefined {
  const forwards = (l: Listener) => l.DefaultActions?.some((a) => a.Type === "forward");
  return [...listeners].sort((a, b) => (a.Port ?? 0) - (b.Port ?? 0)).find(forwards) ?? listeners[0];
}

async function allRules(elbv2: ElasticLoadBalancingV2Client, listenerArn: string): Promise<Rule[]> {
  const rules: Rule[] = [];
  let marker: string | undefined;
  do {
    const page = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn, Marker: marker }));
    rules.push(...(page.Rules ?? []));
    marker = page.NextMarker;
  } while (marker);
  return rules;
}

function toAlbRule(rule: Rule): AlbRule {
  const conditions = rule.Conditions ?? [];
  return {
    priority: rule.IsDefault ? undefined : Number(rule.Priority),
    pathConditions: conditions.filter((c) => c.Field === "path-pattern").map((c) => c.PathPatternConfig?.Values ?? c.Values ?? []),
    unsupportedConditions: conditions.filter((c) => c.Field !== "path-pattern").map((c) => c.Field ?? "unknown"),
    action: toAlbAction([...(rule.Actions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0)).at(-1)),
  };
}

function toAlbAction(action: Action | undefined): AlbAction {
  switch (action?.Type) {
    case "forward": {
      const arns = action.TargetGroupArn ? [action.TargetGroupArn] : (action.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn!);
      return { type: "forward", targetGroupArns: arns };
    }
    case "fixed-response":
      return {
        type: "fixed-response",
        statusCode: Number(action.FixedResponseConfig?.StatusCode ?? 200),
        contentType: action.FixedResponseConfig?.ContentType,
        body: action.FixedResponseConfig?.MessageBody,
      };
    case "redirect": {
      const c: RedirectActionConfig = action.RedirectConfig ?? { StatusCode: "HTTP_302" };
      return {
        type: "redirect",
        statusCode: c.StatusCode === "HTTP_301" ? 301 : 302,
        location: { protocol: c.Protocol ?? "#{protocol}", host: c.Host ?? "#{host}", port: c.Port ?? "#{port}", path: c.Path ?? "/#{path}", query: c.Query ?? "#{query}" },
      };
    }
    default:
      return { type: "unsupported", what: `${action?.Type ?? "no"} action` };
  }
}

/** A redirect's Location, its `#{...}` keys filled from the request as the ALB fills them. */
function redirectLocation(parts: { protocol: string; host: string; port: string; path: string; query: string }, req: http.IncomingMessage, props: Pick<LocalAlbProps, "port">): string {
  const [rawPath, rawQuery = ""] = (req.url ?? "/").split("?");
  const [host] = String(req.headers.host ?? "127.0.0.1").split(":");
  const keys: Record<string, string> = { protocol: "http", host, port: String(props.port), path: rawPath.slice(1), query: rawQuery };
  const fill = (s: string) => s.replace(/#\{(protocol|host|port|path|query)\}/g, (_m, k: string) => keys[k]);
  const protocol = fill(parts.protocol).toLowerCase();
  const query = fill(parts.query);
  return `${protocol}://${fill(parts.host)}:${fill(parts.port)}${fill(parts.path)}${query ? `?${query}` : ""}`;
}
