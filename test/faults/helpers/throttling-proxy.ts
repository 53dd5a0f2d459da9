/**
 * A Route53 endpoint in front of moto that misbehaves the way Route53 does:
 * it answers a share of the calls with Route53's throttling errors, and it
 * can hold a ChangeResourceRecordSets call in flight so a test can kill the
 * agent in the middle of a batch. With a share of 0 and nothing held it only
 * forwards and counts (change calls, and changes to record sets the agent
 * does not own).
 *
 * The error bodies are Route53's own (HTTP 400, restXml ErrorResponse with
 * `Type` Sender, as recorded from Route53 in boto's tests,
 * boto/boto tests/unit/route53/test_connection.py, and in
 * rancher/rancher#2529): the AWS SDK parses them into `Throttling` and
 * `PriorRequestNotComplete` errors, both throttling errors to its retry
 * strategy. moto itself never throttles (scripts/emulator/README.md).
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { seededRandom } from "../../../scripts/lib/seeded-random";

/** Route53 operations, as the REST path and method name them. */
export type Route53Operation = "ChangeResourceRecordSets" | "ListResourceRecordSets" | "GetHostedZone" | "Other";

/** The two throttling errors Route53 answers. */
export type ThrottlingCode = "Throttling" | "PriorRequestNotComplete";

const MESSAGES: Record<ThrottlingCode, string> = {
  Throttling: "Rate exceeded",
  PriorRequestNotComplete: "The request was rejected because Route 53 was still processing a prior request.",
};

/** Route53's answer when it throttles: HTTP 400 and this body. */
export function throttlingErrorBody(code: ThrottlingCode, requestId = randomUUID()): string {
  return (
    `<?xml version="1.0"?>\n<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">` +
    `<Error><Type>Sender</Type><Code>${code}</Code><Message>${MESSAGES[code]}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>\n`
  );
}

/** Settings of a proxy. */
export interface ProxyOptions {
  /** moto's URL. */
  readonly target: string;
  /** Share of calls answered with a throttling error, 0-1. @default 0 */
  readonly throttleShare?: number;
  /** Seed of the choice of throttled calls, so a run can be repeated. @default 1 */
  readonly seed?: number;
  /**
   * Set identifier prefix of the records the agent behind this proxy owns
   * (`ecsdns/<host>/`); every change to another record set is recorded in
   * {@link Route53Proxy.foreignChanges}.
   */
  readonly ownedPrefix?: string;
}

/** A ChangeResourceRecordSets call held in flight. */
export interface HeldChange {
  /** The request body (the change batch). */
  readonly body: string;
  /** Sends it on to moto (the batch is applied whether or not anyone hears the answer), or drops it. */
  release(action: "forward" | "drop"): void;
}

/** Counts of what went through. */
export interface ProxyCounts {
  /** Calls received, by operation (throttled ones included). */
  readonly received: Record<Route53Operation, number>;
  /** Calls moto answered (accepted or refused), by operation. */
  readonly answered: Record<Route53Operation, number>;
  /** Calls that could not reach moto (it was down), by operation. */
  readonly unreachable: Record<Route53Operation, number>;
  /** Calls answered with a throttling error, by code. */
  readonly throttled: Record<ThrottlingCode, number>;
}

const OPERATIONS: readonly Route53Operation[] = ["ChangeResourceRecordSets", "ListResourceRecordSets", "GetHostedZone", "Other"];
const zero = (): Record<Route53Operation, number> => Object.fromEntries(OPERATIONS.map((o) => [o, 0])) as Record<Route53Operation, number>;

/** Which Route53 operation a REST request is. */
export function operationOf(method: string | undefined, url: string | undefined): Route53Operation {
  const path = (url ?? "").split("?")[0];
  if (/^\/2013-04-01\/hostedzone\/[^/]+\/rrset\/?$/.test(path)) return method === "POST" ? "ChangeResourceRecordSets" : "ListResourceRecordSets";
  if (/^\/2013-04-01\/hostedzone\/[^/]+$/.test(path) && method === "GET") return "GetHostedZone";
  return "Other";
}

/** The changes of a ChangeResourceRecordSets body, as `ACTION name type set-identifier`. */
export function changesOf(body: string): { action: string; name: string; type: string; setIdentifier?: string }[] {
  const text = (tag: string, xml: string): string | undefined => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
  return [...body.matchAll(/<Change>([\s\S]*?)<\/Change>/g)].map(([, xml]) => ({
    action: text("Action", xml) ?? "?",
    name: text("Name", xml) ?? "?",
    type: text("Type", xml) ?? "?",
    setIdentifier: text("SetIdentifier", xml),
  }));
}

/** The proxy. Start it with {@link Route53Proxy.start}; close it in afterAll. */
export class Route53Proxy {
  /** Share of calls to throttle; may be changed while running. */
  throttleShare: number;
  /** Changes seen for record sets outside `ownedPrefix` (must stay empty). */
  readonly foreignChanges: string[] = [];
  /** Every call in order, for failure messages: time, operation, what the proxy did. */
  readonly timeline: { at: number; operation: Route53Operation; outcome: ThrottlingCode | "forwarded" | "held" }[] = [];
  private readonly counts = { received: zero(), answered: zero(), unreachable: zero(), throttled: { Throttling: 0, PriorRequestNotComplete: 0 } };
  private readonly random: () => number;
  private readonly target: URL;
  private holdWaiter?: (held: HeldChange) => void;
  private throttledChanges = 0;

  private constructor(
    private readonly server: http.Server,
    private readonly options: ProxyOptions,
  ) {
    this.throttleShare = options.throttleShare ?? 0;
    this.random = seededRandom(options.seed ?? 1);
    this.target = new URL(options.target);
    server.on("request", (req, res) => void this.handle(req, res));
  }

  /** Starts a proxy on a free port of 127.0.0.1. */
  static async start(options: ProxyOptions): Promise<Route53Proxy> {
    const server = http.createServer();
    const proxy = new Route53Proxy(server, options);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  /** The endpoint to give the agent (`AWS_ENDPOINT_URL_ROUTE_53`). */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A copy of the counts. */
  snapshot(): ProxyCounts {
    return structuredClone(this.counts);
  }

  /** Throttling errors answered so far. */
  get throttles(): number {
    return this.counts.throttled.Throttling + this.counts.throttled.PriorRequestNotComplete;
  }

  /**
   * Holds the next ChangeResourceRecordSets call that is not throttled;
   * resolves when it arrives. The caller must release it.
   */
  holdNextChange(): Promise<HeldChange> {
    return new Promise((resolve) => (this.holdWaiter = resolve));
  }

  /** Stops listening and drops open connections. */
  async close(): Promise<void> {
    this.holdWaiter = undefined;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const operation = operationOf(req.method, req.url);
    this.counts.received[operation] += 1;

    if (operation !== "Other" && this.random() < this.throttleShare) {
      // PriorRequestNotComplete is Route53's answer to a change while the zone is busy (every other throttled change here); Throttling to anything.
      const code: ThrottlingCode = operation === "ChangeResourceRecordSets" && this.throttledChanges++ % 2 === 0 ? "PriorRequestNotComplete" : "Throttling";
      this.counts.throttled[code] += 1;
      this.timeline.push({ at: Date.now(), operation, outcome: code });
      const requestId = randomUUID();
      res.writeHead(400, { "Content-Type": "text/xml", "x-amzn-RequestId": requestId });
      res.end(throttlingErrorBody(code, requestId));
      return;
    }

    if (operation === "ChangeResourceRecordSets") {
      const prefix = this.options.ownedPrefix;
      if (prefix !== undefined) {
        for (const c of changesOf(body.toString("utf8"))) {
          if (!c.setIdentifier?.startsWith(prefix)) this.foreignChanges.push(`${c.action} ${c.type} ${c.name} ${c.setIdentifier ?? "(no set identifier)"}`);
        }
      }
      const waiter = this.holdWaiter;
      if (waiter) {
        this.timeline.push({ at: Date.now(), operation, outcome: "held" });
        this.holdWaiter = undefined;
        const action = await new Promise<"forward" | "drop">((release) => waiter({ body: body.toString("utf8"), release }));
        if (action === "drop") {
          res.destroy();
          return;
        }
      }
    }

    this.timeline.push({ at: Date.now(), operation, outcome: "forwarded" });
    this.forward(operation, req, body, res);
  }

  private forward(operation: Route53Operation, req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const upstream = http.request(
      { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: { ...req.headers, host: this.target.host } },
      (answer) => {
        this.counts.answered[operation] += 1;
        // The client may be gone (killed mid-batch): moto has applied the batch anyway.
        res.on("error", () => undefined);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    // moto is down (restarted): the client sees its connection reset, as with no server at all.
    upstream.on("error", () => {
      this.counts.unreachable[operation] += 1;
      res.destroy();
    });
    upstream.end(body);
  }
}
