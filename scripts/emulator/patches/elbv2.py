"""ELBv2: the patch of moto 5.2.1's target groups (README row 12)."""

import functools
from typing import Any

from .wrap import wrap


def elbv2_targets_are_keyed_by_id_and_port() -> None:
    """A target group holds one target per instance id and port.

    AWS: an instance can be registered with the same target group several
    times on different ports; ECS does so for every task of a service with
    dynamic host ports on one instance, and DeregisterTargets removes the one
    (id, port) it names. moto keys targets by id alone
    (https://github.com/getmoto/moto/blob/5.2.1/moto/elbv2/models.py#L193),
    so a second task's registration replaced the first's and
    DescribeTargetHealth listed one target where ECS registered two.
    """
    from moto.elbv2.exceptions import InvalidTargetError, TargetNotRunning
    from moto.elbv2.models import FakeHealthStatus, FakeTargetGroup

    def key(group: Any, target: dict[str, Any]) -> tuple[str, int]:
        return (target["Id"], int(target.get("Port") or group.port))

    def register(self: Any, targets: list[dict[str, Any]]) -> None:
        for target in targets:
            instance = self.ec2_backend.get_instance_by_id(target["Id"])
            if instance and instance.state != "running":
                raise TargetNotRunning(instance_id=target["Id"])
            k = key(self, target)
            self.targets[k] = {"Id": target["Id"], "Port": k[1]}
            self.deregistered_targets.pop(k, None)

    def deregister(self: Any, targets: list[dict[str, Any]]) -> None:
        for target in targets:
            k = key(self, target)
            if k not in self.targets:
                raise InvalidTargetError()
            self.deregistered_targets[k] = self.targets.pop(k)

    def deregister_terminated_instances(self: Any, instance_ids: list[str]) -> None:
        for k in [k for k in self.targets if k[0] in instance_ids]:
            self.terminated_targets[k] = self.targets.pop(k)

    def health_for(self: Any, target: dict[str, Any], ec2_backend: Any) -> Any:
        k = key(self, target)
        status = functools.partial(FakeHealthStatus, k[0], k[1], self.health_check_port)
        if k not in self.targets:
            if k in self.deregistered_targets:
                return status("unused", "Target.NotRegistered", "Target is not registered to the target group")
            if k in self.terminated_targets:
                return status("draining", "Target.DeregistrationInProgress", "Target deregistration is in progress")
            return status("unused", "Target.NotRegistered", "Target is not registered to the target group")
        instance = ec2_backend.get_instance_by_id(k[0]) if k[0].startswith("i-") else None
        if instance and instance.state == "stopped":
            return status("unused", "Target.InvalidState", "Target is in the stopped state")
        return status("healthy")

    for name, method in (
        ("register", register),
        ("deregister", deregister),
        ("deregister_terminated_instances", deregister_terminated_instances),
        ("health_for", health_for),
    ):
        wrap(FakeTargetGroup, name, lambda _original, method=method: method)
