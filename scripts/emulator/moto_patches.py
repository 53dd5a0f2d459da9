"""Patches for moto 5.2's gaps against AWS (see README "The emulator's gaps").

Each patch is a small function that makes one moto answer the way AWS answers,
so that a Terraform deploy against the emulator succeeds and the next plan shows
no changes. None of them touches what the stacks send: the requests are the
ones a real deploy sends to AWS.
"""

import functools
import os
from typing import Any, Callable

# ECS CreateService request members that moto 5.2 reads nowhere, with the
# attribute name under which moto's serializer finds them again (it looks for the
# snake_case form of every member of the response shape). UpdateService already
# stores its parameters under these names (moto/ecs/models.py, update_service).
ECS_SERVICE_SETTINGS = {
    "availabilityZoneRebalancing": "availability_zone_rebalancing",
    "capacityProviderStrategy": "capacity_provider_strategy",
    "deploymentConfiguration": "deployment_configuration",
    "enableECSManagedTags": "enable_ecs_managed_tags",
    "enableExecuteCommand": "enable_execute_command",
    "healthCheckGracePeriodSeconds": "health_check_grace_period_seconds",
    "placementConstraints": "placement_constraints",
    "placementStrategy": "placement_strategy",
}


def _wrap(owner: Any, name: str, make: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replace owner.name by make(original), once (apply() is idempotent)."""
    original = getattr(owner, name)
    if getattr(original, "_moto_patch", False):
        return
    patched = functools.wraps(original)(make(original))
    patched._moto_patch = True  # type: ignore[attr-defined]
    setattr(owner, name, patched)


def iam_has_aws_managed_policies() -> None:
    """AWS managed policies exist in every account.

    AWS: `arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`
    and the other AWS managed policies can be attached without creating them.
    moto only loads its copy of them when MOTO_IAM_LOAD_MANAGED_POLICIES=true
    (https://github.com/getmoto/moto/blob/5.2.1/moto/settings.py#L203),
    otherwise AttachRolePolicy answers NoSuchEntity.
    This is moto's own documented setting; an explicit value is kept.
    """
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")


def ecs_service_without_network_configuration() -> None:
    """DescribeServices has no networkConfiguration for a bridge-mode service.

    AWS: networkConfiguration is returned only when the service has one (awsvpc
    network mode). moto stores `{}` when the request has none
    (https://github.com/getmoto/moto/blob/5.2.1/moto/ecs/models.py#L563, added by
    https://github.com/getmoto/moto/pull/8318 for
    https://github.com/getmoto/moto/issues/8258) and its serializer drops only
    None, so it answers `networkConfiguration: {}`. aws provider 5.100.0 then
    dereferences the missing awsvpcConfiguration and crashes
    (internal/service/ecs/service.go, flattenNetworkConfiguration).
    """
    from moto.ecs.models import Service

    def make(original: Callable[..., None]) -> Callable[..., None]:
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            if not self.network_configuration:
                self.network_configuration = None

        return __init__

    _wrap(Service, "__init__", make)


def ecs_service_keeps_its_settings() -> None:
    """DescribeServices returns the settings CreateService was given.

    AWS: a service created with a capacity provider strategy, a deployment
    configuration (percentages, circuit breaker), placement strategy and
    constraints, availabilityZoneRebalancing, a health check grace period,
    enableECSManagedTags or enableExecuteCommand describes them back
    (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html).
    moto's CreateService handler reads none of these
    (https://github.com/getmoto/moto/blob/5.2.1/moto/ecs/responses.py#L286),
    so every later plan wants to change them, and the capacity provider
    strategy forces a replacement of the service.
    """
    from moto.ecs.responses import EC2ContainerServiceResponse

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def create_service(self: Any) -> Any:
            result = original(self)
            service = result.result["service"]
            for member, attribute in ECS_SERVICE_SETTINGS.items():
                value = self._get_param(member)
                if value is not None:
                    setattr(service, attribute, value)
            return result

        return create_service

    _wrap(EC2ContainerServiceResponse, "create_service", make)


def route53_zone_with_vpc_is_private() -> None:
    """CreateHostedZone with a VPC creates a private hosted zone.

    AWS: a zone is private because the request names a VPC
    (https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHostedZone.html);
    HostedZoneConfig.PrivateZone is what the response reports, and neither the
    AWS SDKs' callers nor aws provider 5.100.0 send it. moto reads only that flag
    and ignores the VPC without it
    (https://github.com/getmoto/moto/blob/5.2.1/moto/route53/responses.py#L24;
    compare https://github.com/getmoto/moto/issues/5163), so the zone comes back public
    and without VPCs, and every later plan wants to add the `vpc` (an update
    AWS refuses for a public zone).
    """
    from moto.route53.responses import Route53

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def create_hosted_zone(self: Any) -> Any:
            if self._get_param("VPC.VPCId"):
                config = self.params.setdefault("HostedZoneConfig", {})
                config["PrivateZone"] = True
            return original(self)

        return create_hosted_zone

    _wrap(Route53, "create_hosted_zone", make)


def launch_template_tags_stay_off_its_data() -> None:
    """CreateLaunchTemplate's own tags do not become part of the template data.

    AWS: the request's top-level TagSpecifications (resource type
    `launch-template`) tag the launch template itself; DescribeLaunchTemplateVersions
    returns LaunchTemplateData.TagSpecifications only as the request's
    LaunchTemplateData gave them (tags for the instances and volumes it launches).
    moto appends the template's own tags to the version data
    (https://github.com/getmoto/moto/blob/5.2.1/moto/ec2/responses/launch_templates.py#L34,
    since https://github.com/getmoto/moto/pull/5381), so with the provider's
    default_tags every later plan wants to remove a `tag_specifications` block.
    """
    from moto.ec2.responses.launch_templates import LaunchTemplates

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def create_launch_template(self: Any) -> Any:
            # moto extends the request's list in place: keep a copy.
            requested = list(self._get_param("LaunchTemplateData.TagSpecifications") or [])
            result = original(self)
            template_id = result.result["LaunchTemplate"]["LaunchTemplateId"]
            data = self.ec2_backend.get_launch_template(template_id).versions[0].data
            if requested:
                data["TagSpecifications"] = requested
            else:
                data.pop("TagSpecifications", None)
            return result

        return create_launch_template

    _wrap(LaunchTemplates, "create_launch_template", make)


def ecs_describe_capacity_providers_lists_all() -> None:
    """DescribeCapacityProviders without names lists every capacity provider.

    AWS: `capacityProviders` is optional; without it the call describes all of
    the account's capacity providers
    (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeCapacityProviders.html).
    moto iterates over the missing list and answers 500
    (https://github.com/getmoto/moto/blob/5.2.1/moto/ecs/models.py#L1044).
    Terraform does not call it so, but a check that nothing is left after
    `destroy` does.
    """
    from moto.ecs.models import EC2ContainerServiceBackend

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def describe_capacity_providers(self: Any, names: Any) -> Any:
            return original(self, names if names is not None else list(self.capacity_providers))

        return describe_capacity_providers

    _wrap(EC2ContainerServiceBackend, "describe_capacity_providers", make)


def security_group_rule_keeps_group_pair_description() -> None:
    """A rule that references a security group keeps its description.

    AWS: the description of a rule whose source or destination is another
    security group is the group pair's `Description`, and
    DescribeSecurityGroupRules answers it
    (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SecurityGroupRule.html).
    moto stores it on the group pair but describes only the CIDR range's
    (https://github.com/getmoto/moto/blob/5.2.1/moto/ec2/models/security_groups.py#L94),
    so every plan re-adds the description of aws_vpc_security_group_*_rule
    resources with referenced_security_group_id.
    """
    from moto.ec2.models.security_groups import SecurityGroupRule

    original = SecurityGroupRule.description
    if getattr(original, "_moto_patch", False):
        return

    def description(self: Any) -> Any:
        return self.ip_range.get("Description") or (self.source_group or {}).get("Description")

    patched = property(description)
    patched.fget._moto_patch = True  # type: ignore[union-attr]
    SecurityGroupRule.description = patched  # type: ignore[method-assign]


def efs_file_system_policy_can_be_deleted() -> None:
    """DeleteFileSystemPolicy exists.

    AWS: DELETE /2015-02-01/file-systems/{id}/policy removes the policy, after
    which DescribeFileSystemPolicy answers PolicyNotFound
    (https://docs.aws.amazon.com/efs/latest/ug/API_DeleteFileSystemPolicy.html).
    moto 5.2.1 implements Put and Describe but not Delete
    (https://github.com/getmoto/moto/blob/5.2.1/moto/efs/responses.py#L201),
    so `terraform destroy` of an aws_efs_file_system_policy waits forever for
    the policy to go.
    """
    from moto.efs.exceptions import FileSystemNotFound
    from moto.efs.models import EFSBackend
    from moto.efs.responses import EFSResponse

    if hasattr(EFSResponse, "delete_file_system_policy"):
        return

    def delete_policy(self: Any, file_system_id: str) -> None:
        if file_system_id not in self.file_systems_by_id:
            raise FileSystemNotFound(file_system_id)
        self.file_systems_by_id[file_system_id].file_system_policy = None

    def delete_file_system_policy(self: Any) -> Any:
        self.efs_backend.delete_file_system_policy(self._get_param("FileSystemId"))
        return "{}", {"Content-Type": "application/json"}

    EFSBackend.delete_file_system_policy = delete_policy  # type: ignore[attr-defined]
    EFSResponse.delete_file_system_policy = delete_file_system_policy  # type: ignore[attr-defined]


PATCHES = (
    iam_has_aws_managed_policies,
    ecs_service_without_network_configuration,
    ecs_service_keeps_its_settings,
    ecs_describe_capacity_providers_lists_all,
    route53_zone_with_vpc_is_private,
    launch_template_tags_stay_off_its_data,
    security_group_rule_keeps_group_pair_description,
    efs_file_system_policy_can_be_deleted,
)


def apply() -> None:
    """Apply every patch. Each is idempotent."""
    for patch in PATCHES:
        patch()
