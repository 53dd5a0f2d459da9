import { Construct } from "constructs";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";

/** Properties of {@link AlbListeners}. */
export interface AlbListenersProps {
  readonly loadBalancerArn: string;
  /** Where requests go that no rule matches: the first container, at `/`. */
  readonly defaultTargetGroupArn: string;
  /**
   * ACM certificate for an HTTPS listener; HTTP then only redirects to HTTPS.
   * @default - HTTP only
   */
  readonly certificateArn?: string;
  /** @default "ELBSecurityPolicy-TLS13-1-2-2021-06" */
  readonly sslPolicy?: string;
}

/**
 * The load balancer's listeners: HTTP on 80, and with a certificate HTTPS on
 * 443 plus a permanent redirect from HTTP. Path rules attach to
 * {@link AlbListeners.routingListenerArn}.
 */
export class AlbListeners extends Construct {
  /** The listener that carries the path rules (HTTPS when there is a certificate). */
  readonly routingListenerArn: string;
  /** The listener resources, for `dependsOn` of services that use their target groups. */
  readonly listeners: LbListener[];

  constructor(scope: Construct, id: string, props: AlbListenersProps) {
    super(scope, id);
    const forward = [{ type: "forward", targetGroupArn: props.defaultTargetGroupArn }];
    if (!props.certificateArn) {
      const http = new LbListener(this, "http", {
        loadBalancerArn: props.loadBalancerArn,
        port: 80,
        protocol: "HTTP",
        defaultAction: forward,
      });
      this.routingListenerArn = http.arn;
      this.listeners = [http];
      return;
    }
    const https = new LbListener(this, "https", {
      loadBalancerArn: props.loadBalancerArn,
      port: 443,
      protocol: "HTTPS",
      sslPolicy: props.sslPolicy ?? "ELBSecurityPolicy-TLS13-1-2-2021-06",
      certificateArn: props.certificateArn,
      defaultAction: forward,
    });
    const redirect = new LbListener(this, "http-redirect", {
      loadBalancerArn: props.loadBalancerArn,
      port: 80,
      protocol: "HTTP",
      defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
    });
    this.routingListenerArn = https.arn;
    this.listeners = [https, redirect];
  }
}
