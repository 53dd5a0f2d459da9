import { ServiceAutoScaling } from "../../modules/service-auto-scaling";
import { soleResource, synthConstruct } from "../helpers/synth";

describe("ServiceAutoScaling", () => {
  test("scales in and out after a minute by default", () => {
    // GIVEN / WHEN
    const stack = synthConstruct(
      (scope) => new ServiceAutoScaling(scope, "auto-scaling", { clusterArn: "arn:aws:ecs:us-west-2:123456789012:cluster/shop", serviceName: "web", minCount: 1, maxCount: 4, cpuPercent: 50 }),
    );
    // THEN
    expect(soleResource(stack, "aws_appautoscaling_policy").target_tracking_scaling_policy_configuration).toMatchObject({
      scale_in_cooldown: 60,
      scale_out_cooldown: 60,
      target_value: 50,
    });
  });

  test("refuses min above max, naming both", () => {
    expect(() =>
      synthConstruct((scope) => new ServiceAutoScaling(scope, "auto-scaling", { clusterArn: "arn:aws:ecs:us-west-2:123456789012:cluster/shop", serviceName: "web", minCount: 5, maxCount: 4, cpuPercent: 50 })),
    ).toThrow("ServiceAutoScaling: need minCount <= maxCount, got 5 > 4");
  });
});
