import { TerraformOutput } from "cdktf";
import { AlbListeners, type AlbListenersProps } from "../../modules/alb-listeners";
import { ref, resourceAt, resources, soleResource, synthConstruct, type StackJson } from "../helpers/synth";

const baseProps: AlbListenersProps = {
  loadBalancerArn: "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/shop-dev/0123456789abcdef",
  defaultTargetGroupArn: "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/shop-dev-web/0123456789abcdef",
};
const certificateArn = "arn:aws:acm:us-west-2:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-111122223333";

/** Synthesize the listeners; the output `routing` shows which listener carries the path rules. */
const synthListeners = (props: Partial<AlbListenersProps> = {}): { stack: StackJson; listeners: AlbListeners } => {
  let listeners!: AlbListeners;
  const stack = synthConstruct((scope) => {
    listeners = new AlbListeners(scope, "listeners", { ...baseProps, ...props });
    new TerraformOutput(scope, "routing", { value: listeners.routingListenerArn });
  });
  return { stack, listeners };
};

describe("AlbListeners", () => {
  test("without a certificate, has one HTTP listener on 80 forwarding to the default target group", () => {
    // GIVEN / WHEN
    const { stack, listeners } = synthListeners();
    // THEN
    expect(soleResource(stack, "aws_lb_listener")).toMatchObject({
      load_balancer_arn: baseProps.loadBalancerArn,
      port: 80,
      protocol: "HTTP",
      default_action: [{ type: "forward", target_group_arn: baseProps.defaultTargetGroupArn }],
    });
    expect(listeners.listeners).toHaveLength(1);
  });

  test("without a certificate, routes paths on the HTTP listener", () => {
    // GIVEN / WHEN
    const { stack } = synthListeners();
    // THEN
    expect(stack.output?.routing.value).toBe(ref("aws_lb_listener", resources(stack, "aws_lb_listener")[0], "arn"));
  });

  test("with a certificate, has an HTTPS listener on 443 with the TLS 1.3 policy, forwarding to the default target group", () => {
    // GIVEN / WHEN
    const { stack } = synthListeners({ certificateArn });
    // THEN
    expect(resourceAt(stack, "aws_lb_listener", "https").values).toMatchObject({
      port: 443,
      protocol: "HTTPS",
      ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      certificate_arn: certificateArn,
      default_action: [{ type: "forward", target_group_arn: baseProps.defaultTargetGroupArn }],
    });
  });

  test("with a certificate, HTTP on 80 only redirects permanently (301) to HTTPS on 443", () => {
    // GIVEN / WHEN
    const { stack, listeners } = synthListeners({ certificateArn });
    // THEN
    expect(resources(stack, "aws_lb_listener")).toHaveLength(2);
    expect(listeners.listeners).toHaveLength(2);
    const http = resourceAt(stack, "aws_lb_listener", "http-redirect").values;
    expect(http).toMatchObject({ port: 80, protocol: "HTTP" });
    expect(http.default_action).toEqual([{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } }]);
  });

  test("with a certificate, routes paths on the HTTPS listener", () => {
    // GIVEN / WHEN
    const { stack } = synthListeners({ certificateArn });
    // THEN
    expect(stack.output?.routing.value).toBe(ref("aws_lb_listener", resourceAt(stack, "aws_lb_listener", "https"), "arn"));
  });

  test("takes another TLS policy when sslPolicy is given", () => {
    // GIVEN / WHEN
    const { stack } = synthListeners({ certificateArn, sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06" });
    // THEN
    expect(resourceAt(stack, "aws_lb_listener", "https").values.ssl_policy).toBe("ELBSecurityPolicy-TLS13-1-3-2021-06");
  });
});
